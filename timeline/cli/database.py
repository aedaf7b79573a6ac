"""`timeline init` and `timeline seed`: build the schema, load the seed texts."""

from __future__ import annotations

from pathlib import Path

import click

from timeline.cli.app import App, pass_app, seed_line
from timeline.db import SchemaState, head_revision
from timeline.seed import load_seed


@click.command()
@pass_app
def init(app: App) -> None:
    """Create the schema, or upgrade it to the newest revision.

    Runs the project's Alembic migrations in one transaction (the same ones
    `alembic upgrade head` runs from a checkout).

    \b
    Examples:
      timeline --db archive.db init
    """
    database = app.database
    before = database.state()
    with database.creating():
        database.upgrade()
    click.echo(f"{database.name}: schema at revision {head_revision()} ({before.value} before)")


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Seed folder (texts and their annotation files). Default: the shipped seed/.",
)
@pass_app
def seed(app: App, directory: Path | None) -> None:
    """Load the seed texts and their annotations, checking every quote.

    One transaction, keyed on stable keys: running it again changes nothing, and a
    failure changes nothing either. Creates the schema first if the database is new.

    \b
    Examples:
      timeline seed
    """
    database = app.database
    with database.creating():
        if database.state() in (SchemaState.MISSING, SchemaState.EMPTY):
            database.upgrade()
        summary = load_seed(database, directory)
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{database.name}: {seed_line(summary.counts)}")
    if summary.skipped_records:
        # One line: the excerpt's own d37 (the seed keeps its text).
        keys = ", ".join(record for record, _ in summary.skipped_records)
        click.echo(
            f"left out {len(summary.skipped_records)} documents of the volumes read ({keys}): the "
            "seed's own text of a document is the one stored",
            err=True,
        )
    if not summary.changed:
        click.echo("nothing changed: the database already held this seed")
        return
    for label, counts in (
        ("inserted", summary.inserted),
        ("updated", summary.updated),
        ("deleted", summary.deleted),
    ):
        if counts:
            rows = ", ".join(f"{n} {table}" for table, n in sorted(counts.items()))
            click.echo(f"{label}: {rows}")
