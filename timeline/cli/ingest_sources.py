"""`timeline ingest crest` and `timeline ingest text`: source files in, checked, all or none."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from timeline.cli.app import App, Text, pass_app

if TYPE_CHECKING:
    from timeline.loading.ingest_files import IngestResult
    from timeline.loading.load import LoadSummary

_PATHS = click.argument(
    "paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE|DIR..."
)
_DRY_RUN = click.option(
    "--dry-run",
    is_flag=True,
    help="Read and check everything, say what would change, write nothing.",
)
_REPLACE = click.option(
    "--replace",
    is_flag=True,
    help="Load a new text over a stored one of the same key, moving its quotes onto it.",
)


class Setting(click.ParamType):
    """FIELD=VALUE, as --set takes it."""

    name = "FIELD=VALUE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = Text().convert(value, param, ctx)
        field, sep, given = text.partition("=")
        if not sep or not field.strip():
            self.fail(f"{text!r} is not FIELD=VALUE (e.g. date=1984-05-16)", param, ctx)
        return field.strip(), given


@contextmanager
def _progress(count: int, label: str) -> Iterator[Callable[[Path], None] | None]:
    """A bar on a terminal's stderr; nothing at all when stderr is piped."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=count, label=label, file=sys.stderr) as bar:
        yield lambda _path: bar.update(1)


@click.command()
@_PATHS
@_DRY_RUN
@_REPLACE
@pass_app
def crest(app: App, paths: tuple[Path, ...], dry_run: bool, replace: bool) -> None:
    """Ingest saved CIA CREST reading-room records: a document and an event each.

    Every file is read and checked first, then all are written in one transaction: a file that
    cannot be read, a record with no document number, or a number another text already has is one
    line of error, and nothing is written. A record with no Publication Date states no date and
    is skipped, with its reason. A text already stored under its number is left as it is.
    A directory stands for the files in it.

    \b
    Examples:
      timeline ingest crest CIA-RDP88B00443R001500070028-8.txt
      timeline ingest crest --dry-run downloads/crest/
    """
    from timeline.loading.ingest_files import ingest_crest, source_paths

    database = app.database
    files = source_paths(paths)
    with _progress(len(files), "ingest crest") as tick:
        result = ingest_crest(database, files, replace=replace, dry_run=dry_run, tick=tick)
    _report(database.name, result)


@click.command()
@_PATHS
@click.option(
    "--set",
    "settings",
    multiple=True,
    type=Setting(),
    help="A metadata field for every file, over its sidecar's: key, title, type, date, "
    "collection, citation, url, authors, recipients (names split on ';'). Repeatable.",
)
@_DRY_RUN
@_REPLACE
@pass_app
def text(
    app: App,
    paths: tuple[Path, ...],
    settings: tuple[tuple[str, str], ...],
    dry_run: bool,
    replace: bool,
) -> None:
    """Ingest plain-text and Markdown files, described by TOML sidecars or --set.

    The sidecar of notes.txt is notes.txt.toml or notes.toml. Authors and recipients are
    matched to the actors the database knows, by name or alias; a name nothing matches becomes
    a new actor, listed in the output. All files are read and checked first, then written in
    one transaction: a bad sidecar or date, a file that cannot be read, or a key another text
    has is one line of error, and nothing is written. A directory stands for its .txt and .md
    files.

    \b
    Examples:
      timeline ingest text letter.txt
      timeline ingest text notes/ --set collection="Private papers"
      timeline ingest text memo.md --set key=memo-1984 --set date=1984-05 --dry-run
    """
    from timeline.loading.ingest_files import ingest_text, source_paths
    from timeline.sources.plaintext import TEXT_SUFFIXES

    database = app.database
    files = source_paths(paths, TEXT_SUFFIXES)
    overrides = dict(settings)
    with _progress(len(files), "ingest text") as tick:
        result = ingest_text(
            database, files, overrides, replace=replace, dry_run=dry_run, tick=tick
        )
    _report(database.name, result)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_lines(summary: LoadSummary) -> list[str]:
    """What a load changed, table by table (what `timeline load` prints too)."""
    would = "would be " if summary.dry_run else ""
    lines = []
    for label, counts in (
        ("added", summary.inserted),
        ("changed", summary.updated),
        ("deleted", summary.deleted),
    ):
        if any(counts.values()):
            rows = ", ".join(f"{n} {table}" for table, n in sorted(counts.items()) if n)
            lines.append(f"{would}{label}: {rows}")
    if not summary.changed:
        lines.append(f"nothing {'would change' if summary.dry_run else 'changed'}")
    for record, why in summary.skipped_records:
        lines.append(f"skipped {record}: {why}")
    lines.extend(f"matched {merge}" for merge in summary.merges)
    lines.extend(summary.notices)
    if summary.dry_run:
        lines.append("dry run: nothing was written")
    return lines


def _report(name: str, result: IngestResult) -> None:
    summary = result.summary
    click.echo(
        f"{name}: read {_plural(result.files, 'file')}: "
        f"{_plural(result.documents, 'document')}, {_plural(result.events, 'event')}"
    )
    for line in summary_lines(summary):
        click.echo(line)
    for key in result.stored:
        click.echo(f"unchanged {key}: this text is stored already; left as it is")
    for key, actor_name in result.new_actors:
        click.echo(
            f"new actor {key} ({actor_name!r}): no stored name or alias matched; "
            "entered as a person"
        )
