"""`timeline check`: hold every record of a database to the rules the seed and import keep."""

from __future__ import annotations

import click

from timeline.checks import CheckSummary, check_database
from timeline.cli.app import App, pass_app


@click.command()
@pass_app
def check(app: App) -> None:
    """Verify the whole database: every offset, hash, date, key, word and reference.

    Every quote, reading, note and alias must be its document's text at its offsets (which lie
    within the text); every text its text_sha256; every date_edtf a date whose derived columns
    agree with it; every office term a date; keys non-empty, without surrounding white space;
    kinds, roles and relations in the vocabulary; statute parents without a cycle; every event
    with a quote; every reference to a record that exists (SQLite lets a hand edit break one
    with foreign keys off); no NUL, no lone surrogate, no integer out of range; an external
    date basis with its source. Prints one line per problem and exits 1 if there is any.
    Warnings (lines that begin "warning:") do not change the exit status: an event whose
    description has words in none of its quotes, outside its bracketed [...] editor's words.
    Reads one consistent snapshot and changes nothing; a database that does not exist is not
    created.

    \b
    Examples:
      timeline check
      timeline --db postgresql://timeline:timeline@127.0.0.1/timeline check
      timeline --db archive.db check || echo "archive.db needs repair"
    """
    database = app.database
    summary = CheckSummary()
    for problem in check_database(database, summary):
        click.echo(str(problem))
    if summary.problems:
        plural = "s" if summary.problems != 1 else ""
        raise click.ClickException(
            f"{database.name}: {summary.problems} problem{plural} in {summary.records} records"
        )
    warned = ""
    if summary.warnings:
        warned = f", {summary.warnings} warning{'s' if summary.warnings != 1 else ''}"
    click.echo(f"{database.name}: checked {summary.records} records: no problems{warned}")
