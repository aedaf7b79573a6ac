"""`timeline ingest`: primary sources into the database, each format by its own subcommand."""

from __future__ import annotations

import click

from timeline.cli.app import TimelineGroup
from timeline.cli.ingest_sources import crest, text


@click.group(cls=TimelineGroup)
def ingest() -> None:
    """Read primary-source files into the database, checking every one before writing any."""


ingest.add_command(crest)
ingest.add_command(text)
