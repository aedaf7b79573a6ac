"""`timeline documents|events|actors|statutes` list a table; `timeline show KEY`, one record."""

from __future__ import annotations

import sys

import click

from timeline.cli.app import App, Text, format_option, hint_if_empty, pass_app
from timeline.records import LISTS, list_rows
from timeline.records import show as show_record
from timeline.render import ROW_FORMATS, render_record, render_rows


def _list_command(table: str, summary: str, example: str) -> click.Command:
    columns, headers = LISTS[table]

    @format_option(ROW_FORMATS)
    @pass_app
    def command(app: App, fmt: str) -> None:
        database = app.ready()
        hint_if_empty(database)
        with database.session() as session:
            render_rows(
                list_rows(session, table),
                columns,
                fmt,
                sys.stdout,
                headers=headers if fmt in ("table", "markdown") else None,
                maxcolwidths=[None] * (len(columns) - 2) + [60, None],
            )

    command.__doc__ = f"{summary}\n\n\b\nExamples:\n  {example}"
    return click.command(name=table)(command)


documents = _list_command(
    "documents", "List the documents: key, date, type, title.", "timeline documents"
)
events = _list_command(
    "events", "List the events in chronological order.", "timeline events --format csv"
)
actors = _list_command(
    "actors", "List the actors with their offices.", "timeline actors --format json"
)
statutes = _list_command("statutes", "List the statutes with their citations.", "timeline statutes")


@click.command()
@click.argument("key", type=Text())
@format_option(("text", "json"), default="text")
@pass_app
def show(app: App, key: str, fmt: str) -> None:
    """Show one record and everything linked to it.

    KEY is a document, event, actor, statute or source key. An actor shows its
    aliases, offices and events in order; a statute its events; a document its
    metadata, notes, and the events it supports with their quotes.

    \b
    Examples:
      timeline show rusk
      timeline show tariff-act-1930-s307
      timeline show CIA-RDP88B00443R001500070028-8 --format json
    """
    database = app.ready()
    hint_if_empty(database)
    with database.session() as session:
        record = show_record(session, key)
    render_record(record, fmt, sys.stdout)
