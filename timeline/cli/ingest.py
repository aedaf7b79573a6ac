"""`timeline ingest SOURCE FILE...`: primary sources converted and written by the one loader.

The group lives here; a source's subcommand is named in ``SUBCOMMANDS`` (name: "module:attr")
and imported only when it runs, so another source adds one line here and its own module.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click
from tabulate import tabulate

from timeline.cli.app import App, pass_app
from timeline.db import SchemaState
from timeline.loading import LoadSummary

# name: (module:attribute, one-line summary)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "frus": ("timeline.cli.ingest:frus", "FRUS TEI volumes (HistoryAtState/frus volumes/*.xml)."),
    "crest": (
        "timeline.cli.ingest_sources:crest",
        "Ingest saved CIA CREST reading-room records: a document and an event each.",
    ),
    "text": (
        "timeline.cli.ingest_sources:text",
        "Ingest plain-text and Markdown files, described by TOML sidecars or --set.",
    ),
}


class _SourceGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*SUBCOMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        if name not in SUBCOMMANDS:
            return None
        module, _, attr = SUBCOMMANDS[name][0].partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command


@click.group(cls=_SourceGroup)
def ingest() -> None:
    """Convert primary sources and load them, checking every offset.

    One transaction per command, keyed on stable keys: running it again changes nothing
    (and says so), and a failure changes nothing. A document stored with another text is
    kept and reported unless --replace is given.

    \b
    Examples:
      timeline ingest frus frus1961-63v05.xml
      timeline ingest frus volumes/ --dry-run
    """


def write_summary(name: str, summary: LoadSummary) -> None:
    """What a load did, per table; what it kept or left out, on stderr, one line each."""
    for record, why in summary.skipped_records:
        click.echo(f"skipped {record}: {why}", err=True)
    for notice in summary.notices:
        click.echo(notice, err=True)
    counts = summary.counts
    click.echo(
        f"{name}: {counts['documents']} documents, {counts['events']} events"
        + (" (dry run: nothing written)" if summary.dry_run else "")
    )
    for merge in summary.merges:
        click.echo(f"matched {merge}")
    if not summary.changed:
        click.echo("nothing changed: the database already held all of this")
        return
    rows = [row for row in summary.table_rows() if any(row[1:4])]
    click.echo(
        tabulate(
            rows,
            headers=["table", "added", "changed", "deleted", "unchanged", "skipped"],
            tablefmt="simple",
        )
    )


def _progress_enabled() -> bool:
    """A bar only for a person watching stderr; nothing at all when it is piped."""
    return sys.stderr.isatty()


def _total_bytes(files: list[Path]) -> int | None:
    """The bar counts bytes read: one whole volume moves it as its documents are read."""
    try:
        return sum(path.stat().st_size for path in files)
    except OSError:
        return None  # the reader names the file it cannot read; no bar then


@click.command("frus")
@click.argument(
    "paths",
    metavar="FILE|DIR...",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path),
)
@click.option("--dry-run", is_flag=True, help="Check and count everything; write nothing.")
@click.option(
    "--replace",
    is_flag=True,
    help="Load a document stored with another text, moving its quotes, aliases, readings "
    "and notes onto the new text (refused, changing nothing, if one is not there).",
)
@pass_app
def frus(app: App, paths: tuple[Path, ...], dry_run: bool, replace: bool) -> None:
    """FRUS TEI volumes (HistoryAtState/frus volumes/*.xml).

    Each volume's dated documents (text, notes, page breaks, source note, classification,
    pages, citation), the persons they name (matched to stored actors by FRUS id, then by
    name), one event per document, and the volume's abbreviations. A directory stands for
    the .xml files in it. A progress bar shows on a terminal.

    \b
    Examples:
      timeline ingest frus frus1961-63v05.xml
      timeline ingest frus volumes/ --dry-run
    """
    from timeline.cli.exchange import _progress
    from timeline.loading import load_plan
    from timeline.loading.frus import frus_paths, read_frus

    files = frus_paths(paths)
    database = app.database
    with database.creating():
        new = database.state() in (SchemaState.MISSING, SchemaState.EMPTY)
        # Every volume is read before the schema is made: a bad file leaves a new database
        # (a PostgreSQL one too, which creating() does not remove) as it was.
        with _progress(_progress_enabled(), lambda: _total_bytes(files), "ingest frus") as tick:
            plan = read_frus(files, tick)
        if new:
            database.upgrade()
        summary = load_plan(database, plan, replace=replace, dry_run=dry_run)
    write_summary(database.name, summary)
