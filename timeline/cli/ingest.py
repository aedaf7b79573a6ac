"""`timeline ingest`: primary sources into the database, each format by its own subcommand."""

from __future__ import annotations

import click

from timeline.cli.app import TimelineGroup
from timeline.cli.ingest_sources import crest, text


@click.group(cls=TimelineGroup)
def ingest() -> None:
    """Read primary-source files into the database, checking every one before writing any.

    \b
    Examples:
      timeline ingest crest downloads/crest/
      timeline ingest text letter.txt --set collection="Private papers"
    """


ingest.add_command(crest)
ingest.add_command(text)
