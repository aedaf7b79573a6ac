"""`timeline sql` and `timeline schema`: the database for people who write SQL."""

from __future__ import annotations

import math
import sys

import click
from tabulate import tabulate_formats

from timeline.cli.app import App, format_option, pass_app
from timeline.render import QUERY_FORMATS, SCHEMA_FORMATS, TABLE_STYLE, render_query, render_schema
from timeline.sql import DEFAULT_TIMEOUT, run_query


def _finite(_ctx: click.Context, _param: click.Parameter, seconds: float) -> float:
    """FloatRange lets nan (no comparison holds) and inf through: both would mean no limit."""
    if not math.isfinite(seconds):
        raise click.BadParameter(f"{seconds} is not a number of seconds (0 for no limit)")
    return seconds


@click.command()
@click.argument("query")
@click.option(
    "-p",
    "--param",
    "params",
    nargs=2,
    multiple=True,
    metavar="NAME VALUE",
    help="A value for the placeholder :NAME (repeatable). Values are passed as text.",
)
@format_option(QUERY_FORMATS)
@click.option(
    "--fmt",
    "tablefmt",
    type=click.Choice(tabulate_formats),
    help=f"Table style, any of tabulate's (default {TABLE_STYLE}); implies --format table.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    callback=_finite,
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Stop the query after this many seconds of database time; 0 for no limit.",
)
@pass_app
def sql(
    app: App,
    query: str,
    params: tuple[tuple[str, str], ...],
    fmt: str,
    tablefmt: str | None,
    timeout: float,
) -> None:
    """Run one read-only SQL query and print its rows.

    The database refuses writes, DDL, ATTACH and a second statement, and no query reaches the
    server's files or programs: on PostgreSQL, a superuser's query runs as the role
    timeline_reader, which can only SELECT. The analyst views (see `timeline schema`) join what
    is asked most. QUERY "-" reads the query from stdin.
    Every format but table streams rows as they come.

    \b
    Examples:
      timeline sql "SELECT date, title FROM chronology ORDER BY sort_date, date_end, sequence"
      timeline sql "SELECT * FROM event_quotes WHERE event_key = :k" -p k 1951-soviet-crab-meat-ban
      timeline sql "SELECT kind, count(*) AS n FROM events GROUP BY kind" --fmt github
      timeline sql "SELECT * FROM actor_offices" --format csv > offices.csv
      echo "SELECT key FROM documents" | timeline sql -
    """
    if tablefmt is not None and fmt != "table":
        raise click.UsageError("--fmt styles the table format; drop it or use --format table")
    names = [name for name, _ in params]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise click.UsageError(f"-p {repeated[0]} is given more than once")
    if query == "-":
        # Bytes, decoded as argv is: run_query then refuses what is not UTF-8 in one line.
        query = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
    database = app.ready()
    with run_query(database, query, dict(params), timeout=timeout or None) as result:
        render_query(result.columns, result.rows, fmt, sys.stdout, tablefmt=tablefmt or TABLE_STYLE)


@click.command()
@format_option(SCHEMA_FORMATS, default="text")
@pass_app
def schema(app: App, fmt: str) -> None:
    """The tables, views and columns you can query, and how they relate.

    Tables come first, each after the tables it refers to (→ marks a foreign key);
    the analyst views follow.

    \b
    Examples:
      timeline schema
      timeline schema --format markdown > SCHEMA.md
    """
    database = app.ready()
    with database.connect() as connection:
        from timeline.schema import describe  # the models: only `schema` needs them

        relations = describe(connection)
    render_schema(relations, fmt, sys.stdout)
