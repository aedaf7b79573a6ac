"""`timeline search`: documents, events, quotes, actors and statutes."""

from __future__ import annotations

import sys

import click

from timeline.cli.app import App, Text, format_option, hint_if_empty, pass_app
from timeline.render import ROW_FORMATS, render_rows
from timeline.search import HIT_KINDS
from timeline.search import search as run_search

COLUMNS = ["rank", "kind", "key", "document", "title", "snippet", "char_start", "char_end"]


@click.command()
@click.argument("query", nargs=-1, required=True, type=Text())
@click.option("--kind", "-k", type=click.Choice(list(HIT_KINDS)), help="Only hits of this kind.")
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=1, max=1_000_000),
    default=20,
    show_default=True,
    help="At most this many hits.",
)
@format_option(ROW_FORMATS)
@pass_app
def search(app: App, query: tuple[str, ...], kind: str | None, limit: int, fmt: str) -> None:
    """Search documents, events, quotes, actors and statutes.

    Document texts, event titles and descriptions and quotes are searched in
    full text; actors (names, aliases, offices, descriptions), statutes (titles,
    citations, section: "1307", "Section 307") and documents' keys, numbers and
    citations by their fields, and listed first. Prints the hits best first,
    each with its kind, its key (a quote names its event and its document) and
    the text around the match, **marked**. Every word must match, in any form
    ("labor" finds "laborers"); "quoted words" must stand together; OR between
    two words takes either; -word excludes. Typographic apostrophes match the
    ASCII one, and editorial readings of damaged passages are searched with the
    text ("William Casey" finds the letter signed "Wil iam J. Casey"). Very
    common words (the, of) are skipped.

    \b
    Examples:
      timeline search forced labor
      timeline search "Department's"
      timeline search '"crab meat" Korean OR Japanese' --kind quote
      timeline search 'Treasury -crab' --limit 5 --format json
      timeline search "19 U.S.C. 1307" --kind statute
    """
    database = app.ready()
    hint_if_empty(database)
    with database.session() as session:
        hits = run_search(session, " ".join(query), kind=kind, limit=limit)
    if not hits and fmt in ("table", "markdown"):
        click.echo(f"no matches for {' '.join(query)!r}", err=True)
        return
    if fmt in ("table", "markdown"):
        rows = [
            {
                "rank": hit.rank,
                "kind": hit.kind,
                "key": hit.key + (f"\n({hit.document})" if hit.kind == "quote" else ""),
                "snippet": hit.snippet,
            }
            for hit in hits
        ]
        if fmt == "markdown":
            for row in rows:
                row["key"] = row["key"].replace("\n", " ")
        render_rows(
            rows,
            ["rank", "kind", "key", "snippet"],
            fmt,
            sys.stdout,
            headers=["#", "Kind", "Key", "Match"],
            maxcolwidths=[None, None, 32, 72],
        )
        return
    render_rows((hit.row() for hit in hits), COLUMNS, fmt, sys.stdout)
