"""The page's plain chronology: what a reader sees with scripts off, and what prints.

Every event in order with numbered notes that give the document's citation, the character
offsets of the passage and the passage itself. The interactive page is drawn over it by the
page's script; the print stylesheet prints this instead.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote as url_quote

from timeline.dates import HistDate, Precision
from timeline.render import actors_text, statutes_text


def h(text: str) -> str:
    """Text escaped for an element's content or a double-quoted attribute."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def anchor(key: str) -> str:
    """An HTML id for an event key: no spaces, one id per key."""
    return "event-" + url_quote(key, safe="")


def time_element(record: Mapping[str, Any]) -> str:
    """The date as shown, in ``<time>`` with a machine-readable value when there is one."""
    date = HistDate.parse(record["edtf"])
    exact = date.precision in (Precision.DAY, Precision.MONTH, Precision.YEAR)
    if exact and not (date.approximate or date.uncertain):
        value = {Precision.DAY: 10, Precision.MONTH: 7, Precision.YEAR: 4}[date.precision]
        return f'<time datetime="{date.start.isoformat()[:value]}">{h(record["date"])}</time>'
    return f'<span title="EDTF {h(record["edtf"])}">{h(record["date"])}</span>'


def event_item(record: Mapping[str, Any], first_note: int, actors: str | None = None) -> str:
    """One event of the list, its note references numbered from ``first_note``; ``actors``
    names them as cited (:class:`timeline.citations.Identities`)."""
    numbers = range(first_note, first_note + len(record["sources"]))
    refs = ", ".join(f'<a id="ref-{n}" href="#note-{n}">{n}</a>' for n in numbers)
    parts = [
        f'<li class="event" id="{h(anchor(record["key"]))}">\n',
        f'<div class="when">{time_element(record)}</div>\n',
        f'<p class="kind">{h(record["kind"])}</p>\n',
        f"<h2>{h(record['title'])}</h2>\n",
        f"<p>{h(record['description'])}",
        f'<sup class="refs">{refs}</sup>' if refs else "",
        "</p>\n",
    ]
    if record["date_note"]:
        parts.append(f'<p class="date-note">Date: {h(record["date_note"])}</p>\n')
    facts = [
        ("Actors", actors if actors is not None else actors_text(record)),
        ("Statutes", statutes_text(record)),
        ("Also from", record["external_source"] or ""),
    ]
    facts = [(name, value) for name, value in facts if value]
    if facts:
        parts.append('<dl class="facts">\n')
        parts.extend(f"<dt>{name}</dt><dd>{h(value)}</dd>\n" for name, value in facts)
        parts.append("</dl>\n")
    parts.append("</li>\n")
    return "".join(parts)


def note_item(number: int, source: Mapping[str, Any]) -> str:
    """A numbered note: the passage's citation to the page (``cited``, from
    :meth:`timeline.citations.Citations.source`), key and span, and the passage as shown."""
    span = f"characters {source['char_start']}–{source['char_end']}"
    cited = source.get("cited", source["citation"])
    quote = source.get("shown", source["quote"])
    return (
        f'<li id="note-{number}">{h(cited)} '
        f"(<code>{h(source['document'])}</code>, {span}): “{h(quote)}”. "
        f'<a class="back" href="#ref-{number}" aria-label="Back to note {number} in the text">'
        "↩\ufe0e</a></li>\n"
    )


def documents_list(documents: Iterable[Any]) -> Iterator[str]:
    """The documents cited (:class:`timeline.citations.CitedDocument`), in the order first cited:
    full citation, short form, source note, classification, signature note, release data. A
    piece at a time: the section grows with the corpus."""
    opened = False
    for doc in documents:
        if not opened:
            yield (
                '<section class="documents" aria-labelledby="documents-cited">\n'
                '<h2 id="documents-cited">Documents cited</h2>\n<ol>\n'
            )
            opened = True
        facts = "".join(f"<dt>{h(label)}</dt><dd>{h(value)}</dd>\n" for label, value in doc.facts)
        yield (
            f'<li><p class="cite"><strong>{h(doc.short)}</strong>: {h(doc.citation)}</p>\n'
            + (f'<dl class="facts">\n{facts}</dl>\n' if facts else "")
            + "</li>\n"
        )
    if opened:
        yield "</ol>\n</section>\n"
