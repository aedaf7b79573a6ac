"""`timeline load`: annotation files onto the documents the database holds."""

from __future__ import annotations

from pathlib import Path

import click

from timeline.cli.app import App, pass_app


@click.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE.toml..."
)
@click.option(
    "--dry-run", is_flag=True, help="Check every file and say what would change; write nothing."
)
@pass_app
def load(app: App, files: tuple[Path, ...], dry_run: bool) -> None:
    """Load annotation files: events and their quotes, on documents already stored.

    Each file names a stored document (document = "KEY") and lists [[event]] entries in the
    seed's format (docs/annotations.md). Every quote and date phrase must occur in that
    document's stored text, and is stored with its offsets; every actor, statute and source
    must be stored already. A file or entry that fails is one line naming it, and nothing is
    written: all files load in one transaction, or none. Loading a file again changes nothing.

    \b
    Examples:
      timeline load d37-channels.toml
      timeline load --dry-run notes/*.toml
    """
    from timeline.cli.ingest_sources import summary_lines
    from timeline.loading.annotated import load_annotations

    database = app.database
    result = load_annotations(database, files, dry_run=dry_run)
    summary = result.summary
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    events = summary.counts["events"]
    click.echo(
        f"{database.name}: loaded {result.files} file{'s' if result.files != 1 else ''}: "
        f"{events} event{'s' if events != 1 else ''} on {result.documents} "
        f"document{'s' if result.documents != 1 else ''}"
    )
    for line in summary_lines(summary):
        click.echo(line)
