"""The `timeline` command: a thin layer over the library, one module per group of commands.

Commands are named here with where they live and their one-line summary, and imported only when
one runs: `timeline --version` and `timeline --help` load no database library.
"""

from __future__ import annotations

import click

from timeline import __version__
from timeline.cli.app import App, TimelineGroup
from timeline.paths import DEFAULT_DB, ENV_VAR

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# name: (module:attribute, the first paragraph of its help; tests/test_cli.py keeps them equal)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "timeline.cli.database:init",
        "Create the schema, or upgrade it to the newest revision.",
    ),
    "seed": (
        "timeline.cli.database:seed",
        "Load the seed texts and their annotations, checking every quote.",
    ),
    "ingest": (
        "timeline.cli.ingest:ingest",
        "Convert primary sources and load them, checking every offset.",
    ),
    "report": (
        "timeline.cli.report:report",
        "The chronology of events, 1930 through 1984 unless told otherwise.",
    ),
    "documents": (
        "timeline.cli.browse:documents",
        "List the documents: key, date, type, title.",
    ),
    "events": ("timeline.cli.browse:events", "List the events in chronological order."),
    "actors": ("timeline.cli.browse:actors", "List the actors with their offices."),
    "statutes": ("timeline.cli.browse:statutes", "List the statutes with their citations."),
    "show": ("timeline.cli.browse:show", "Show one record and everything linked to it."),
    "sql": ("timeline.cli.query:sql", "Run one read-only SQL query and print its rows."),
    "schema": (
        "timeline.cli.query:schema",
        "The tables, views and columns you can query, and how they relate.",
    ),
    "search": (
        "timeline.cli.search:search",
        "Search documents, events, quotes, actors and statutes.",
    ),
    "check": (
        "timeline.cli.check:check",
        "Verify the whole database: every offset, hash, date, key, word and reference.",
    ),
    "export": (
        "timeline.cli.exchange:export_command",
        "Write the whole database in FORMAT, to stdout or to -o PATH.",
    ),
    "load": (
        "timeline.cli.load:load",
        "Load annotation files: events and their quotes, on documents already stored.",
    ),
    "draft": (
        "timeline.cli.draft:draft",
        "Draft candidate events of a stored document, as an annotation file to edit.",
    ),
    "import": (
        "timeline.cli.exchange:import_command",
        "Load a `timeline export json` file into the database, in one transaction.",
    ),
}


@click.group(cls=TimelineGroup, context_settings=CONTEXT_SETTINGS, lazy_commands=COMMANDS)
@click.option(
    "--db",
    "db_arg",
    envvar=ENV_VAR,
    metavar="PATH|URL",
    help=f"SQLite file or database URL (postgresql://user:pass@host/db). "
    f"Default: ${ENV_VAR}, else ./{DEFAULT_DB}.",
)
@click.version_option(__version__, "-V", "--version", prog_name="timeline")
@click.pass_context
def main(ctx: click.Context, db_arg: str | None) -> None:
    """An auditable policy timeline built from primary sources.

    Documents, events, actors and statutes in a relational database; every event cites the
    passages of the documents that support it.

    \b
    Examples:
      timeline report                       # the 1930–1984 chronology (creates ./timeline.db)
      timeline report --from 1961 --to 1961-02 --sources
      timeline report --actor Rusk --format markdown
      timeline show frus1961-63v05-d37
      timeline --db postgresql://timeline:timeline@127.0.0.1/timeline init
    """
    ctx.obj = App(db_arg)
