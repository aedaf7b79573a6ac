"""The `timeline` command: a thin layer over the library, one module per group of commands."""

from __future__ import annotations

import click

from timeline import __version__
from timeline.cli.app import App, TimelineGroup
from timeline.cli.browse import actors, documents, events, show, statutes
from timeline.cli.check import check
from timeline.cli.database import init, seed
from timeline.cli.exchange import export_command, import_command
from timeline.cli.query import schema, sql
from timeline.cli.report import report
from timeline.cli.search import search
from timeline.db import DEFAULT_DB, ENV_VAR

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=TimelineGroup, context_settings=CONTEXT_SETTINGS)
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


for command in (
    init,
    seed,
    report,
    documents,
    events,
    actors,
    statutes,
    show,
    sql,
    schema,
    search,
    export_command,
    import_command,
    check,
):
    main.add_command(command)
