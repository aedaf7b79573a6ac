"""`timeline export html`: the chronology as one self-contained, interactive HTML page.

The page carries everything it shows and fetches nothing: its stylesheet and script (package
data files beside this module, read with importlib.resources) are inlined, and its data is one
JSON document in ``<script type="application/json">``. The script draws a time axis to scale,
the chronology beside it, filters, the evidence inside each document's text, and indexes; with
scripts off, or on paper, the reader gets the plain chronology with numbered notes
(:mod:`timeline.export.page.static`).

Streaming: events come from the database in batches; each is written to the plain chronology as
it comes, while its notes and its JSON go to temporary files (in memory while small) that are
appended after it. Deterministic: the same data gives the same bytes on every backend, on a
given day (the page says when it was generated: ``SOURCE_DATE_EPOCH`` fixes that day).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from functools import cache
from importlib.resources import files
from typing import Any, TextIO

from sqlalchemy.orm import Session

import timeline
from timeline.citation_loading import documents_first_cited, first_citations, in_step
from timeline.citations import Citations, Identities
from timeline.export.document import records, spool, summary
from timeline.export.page.data import (
    actors_data,
    document_facts,
    documents_data,
    event_data,
    external_count,
    external_sources_data,
    generated_on,
    provenance,
    script_json,
    statutes_data,
)
from timeline.export.page.static import documents_list, event_item, h, note_item
from timeline.report import chronological_order

__all__ = ["write_page"]

ASSETS = ("page.css",)
SCRIPTS = ("util.js", "axis.js", "evidence.js", "app.js")


@cache
def asset(name: str) -> str:
    """A file of the page (stylesheet, script) as text, from the installed package."""
    return files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def _head(title: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{h(title)}</title>\n"
        # The interactive page replaces the plain one only where scripts run.
        "<script>document.documentElement.classList.add('js')</script>\n"
        f"<style>\n{asset('page.css')}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#app-main">Skip to the chronology</a>\n'
        '<div id="app" hidden></div>\n'
    )


def _write_items(out: TextIO, items: Iterable[Any]) -> None:
    separator = ""
    for item in items:
        out.write(separator + script_json(item))
        separator = ","


def write_page(session: Session, out: TextIO, tick: Callable[[int], None]) -> None:
    """The chronology of every event as one self-contained HTML5 page."""
    about = summary(session)
    intro = (
        f"{about.events} event{'s' if about.events != 1 else ''} from "
        f"{about.documents} document{'s' if about.documents != 1 else ''}. Each event cites "
        "the passages that support it; the numbered notes give the document, the character "
        "offsets of each passage in its stored text, and the passage itself."
    )
    out.write(_head(about.title))
    out.write(
        '<div id="static">\n'
        f"<header>\n<h1>{h(about.title)}</h1>\n<p>{h(intro)}</p>\n</header>\n<main>\n"
    )
    citations, identities = Citations(session), Identities(session, aliases=False)
    order = chronological_order(session.get_bind().dialect.name)
    firsts = first_citations(session, (), order)
    with spool() as notes, spool() as events:
        count, separator = 0, ""
        out.write('<ol class="timeline">\n')
        # One event at a time: each is written before the next is read (test_publish).
        for record in records(session, tick, citations, identified=True):
            record["sources"] = [
                citations.source(source, first=in_step(firsts, source))
                for source in record["sources"]
            ]
            actors = "; ".join(
                f"{identities.named(a, record)} ({a['role']})" for a in record["actors"]
            )
            out.write(event_item(record, count + 1, actors))
            for source in record["sources"]:
                count += 1
                notes.write(note_item(count, source))
            events.write(separator + script_json(event_data(record)))
            separator = ","
        out.write("</ol>\n</main>\n")
        if count:
            out.write(
                '<section class="notes" aria-labelledby="notes">\n<h2 id="notes">Notes</h2>\n<ol>\n'
            )
            notes.seek(0)
            shutil.copyfileobj(notes, out)
            out.write("</ol>\n</section>\n")
        out.writelines(
            documents_list(citations.documents(documents_first_cited(session, (), order)))
        )
        out.write(
            "<footer>\n<p>Exported from a timeline database. The dates are given as precisely as "
            "the sources allow: “c.” marks an approximate date, “?” an uncertain one.</p>\n"
            "</footer>\n</div>\n"
        )
        meta = {
            "title": about.title,
            "events": about.events,
            "documents": about.documents,
            "generated": generated_on().isoformat(),
            "tool": "timeline",
            "version": timeline.__version__,
            "provenance": provenance(*document_facts(session), external_count(session)),
        }
        out.write('<script type="application/json" id="timeline-data">{"meta":')
        out.write(script_json(meta))
        out.write(',"events":[')
        events.seek(0)
        shutil.copyfileobj(events, out)
        out.write("]")
        # Each array grows with the corpus (the documents carry their texts): written an item
        # at a time, it is the bytes script_json gives the whole list.
        for name, items in (
            ("documents", documents_data(session, citations)),
            ("actors", actors_data(session)),
            ("statutes", statutes_data(session)),
            ("external", external_sources_data(session)),
        ):
            out.write(f',"{name}":[')
            _write_items(out, items)
            out.write("]")
        out.write("}</script>\n")
    out.write("<script>\n")
    for name in SCRIPTS:
        out.write(asset(name))
    out.write("</script>\n</body>\n</html>\n")
