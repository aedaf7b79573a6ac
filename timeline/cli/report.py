"""`timeline report`: the chronology."""

from __future__ import annotations

import datetime as dt
import sys

import click

from timeline.cli.app import App, PartialDate, format_option, hint_if_empty, pass_app
from timeline.dates import parse_bound
from timeline.raw_output import utf8_bytes
from timeline.report import DEFAULT_FROM, DEFAULT_TO, EventFilter, Window
from timeline.report_output import REPORT_FORMATS
from timeline.report_parts import write_report


@click.command()
@click.option(
    "--from",
    "date_from",
    type=PartialDate(),
    help=f"First year, month or day (default {DEFAULT_FROM}).",
)
@click.option(
    "--to", "date_to", type=PartialDate(), help=f"Last year, month or day (default {DEFAULT_TO})."
)
@click.option(
    "--actor",
    multiple=True,
    help="Only events with this actor (key, or part of a name or alias); repeatable.",
)
@click.option(
    "--statute",
    multiple=True,
    help="Only events bearing on this statute (key, title or citation); repeatable.",
)
@click.option(
    "--document",
    multiple=True,
    help="Only events sourced from this document (key, title or number); repeatable.",
)
@click.option(
    "--kind",
    multiple=True,
    help="Only events of this kind (enactment, ban, denial, letter, …; any case, or the start "
    "of one: 'rec' is recommendation); repeatable. An unknown kind lists the kinds.",
)
@click.option("--sources", "with_quotes", is_flag=True, help="Add the supporting quotes.")
@format_option(REPORT_FORMATS)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Processes writing parts of the report side by side (at most 16), each reading the "
    "same snapshot. Default: the CPUs available (at most 4) for 50,000 events "
    "or more in a database of 32 MiB or more, else 1.",
)
@pass_app
def report(
    app: App,
    date_from: str | None,
    date_to: str | None,
    actor: tuple[str, ...],
    statute: tuple[str, ...],
    document: tuple[str, ...],
    kind: tuple[str, ...],
    with_quotes: bool,
    fmt: str,
    jobs: int | None,
) -> None:
    """The chronology of events, 1930 through 1984 unless told otherwise.

    An event is in the window when its date range overlaps it: "1951" is in
    --from 1951-06, and "c. 1956 – 26 Feb 1961" is in --to 1958. A database that
    does not exist yet is created and seeded first. A filter given more than
    once keeps the events that match any of its values (--actor Rusk --actor
    Casey); different filters must all match.

    \b
    Examples:
      timeline report
      timeline report --from 1961-02 --to 1961-02 --sources
      timeline report --actor Casey --format json
      timeline report --actor Rusk --actor Dillon --kind rec
      timeline report --statute "19 U.S.C. 1307" --format markdown > chronology.md
    """
    window = report_window(date_from, date_to)
    flt = EventFilter(window, actor=actor, statute=statute, document=document, kind=kind)
    database = app.ready()
    hint_if_empty(database)
    # Printed as the rows arrive: the events are never all in memory at once. Markdown cites to
    # the page and names actors as cited.
    title = f"Chronology, {window.label}"
    out = sys.stdout
    raw = utf8_bytes(out)
    write_report(database, flt, fmt, out, with_quotes=with_quotes, jobs=jobs, title=title, raw=raw)


def report_window(date_from: str | None, date_to: str | None) -> Window:
    """The window asked for; one bound alone that falls beyond the other's default opens it.

    ``--from 1985`` alone means from 1985 on, and ``--to 1929`` alone up to 1929, rather than an
    empty window that ends before it begins.
    """
    if date_to is None and date_from is not None:
        start = parse_bound(date_from)[0]
        if start > parse_bound(DEFAULT_TO)[1]:
            return Window(start, dt.date.max, f"from {date_from}")
    if date_from is None and date_to is not None:
        end = parse_bound(date_to)[1]
        if end < parse_bound(DEFAULT_FROM)[0]:
            return Window(dt.date.min, end, f"to {date_to}")
    return Window.parse(date_from, date_to)
