"""The chronology's rows as the renderers take them: each event's record (JSON, Markdown), and
the row the CSV report and the table print, from the plain rows of
:class:`timeline.chronology.Chronology`'s queries and their JSON link columns
(:mod:`timeline.event_links`)."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from timeline.dates import HistDate
from timeline.event_links import decode, identity, statute_citation


@functools.lru_cache(maxsize=4096)
def date_texts(edtf: str, text: str | None) -> tuple[str, str]:
    """(display, EDTF) of a stored date; few distinct dates recur across many events."""
    date = HistDate.parse(edtf, text=text)
    return date.display(), str(date)


def printed(rows: Sequence[Any]) -> Iterator[list[Any]]:
    """Each row of :meth:`timeline.chronology.Chronology.printed_query` as the CSV report and
    the table print it: ``key`` to ``description`` as a record holds them, then its links'
    decoded lists."""
    for key, edtf, text, start, end, precision, kind, title, description, *links in rows:
        display, edtf = date_texts(edtf, text)
        yield [
            key,
            display,
            edtf,
            start if start.__class__ is str else start.isoformat(),
            end if end.__class__ is str else end.isoformat(),
            precision,
            kind,
            title,
            description,
            *map(decode, links),
        ]


def records(
    rows: Sequence[Any], external: Mapping[int, str], *, identified: bool, keys_only: bool
) -> Iterator[dict[str, Any]]:
    """Each row of the records' query (:meth:`timeline.chronology.Chronology.records`) as
    :func:`timeline.report.event_record` gives the event; ``external``: the citations of the
    publications the rows' events name, by id."""
    for (
        _id,
        key,
        edtf,
        text,
        start,
        end,
        precision,
        approximate,
        uncertain,
        note,
        basis,
        kind,
        title,
        description,
        editorial_note,
        external_id,
        actor_links,
        statute_links,
        source_links,
    ) in rows:
        display, edtf = date_texts(edtf, text)
        yield {
            "key": key,
            "date": display,
            "edtf": edtf,
            "date_start": start if start.__class__ is str else start.isoformat(),
            "date_end": end if end.__class__ is str else end.isoformat(),
            "precision": precision,
            "approximate": bool(approximate),
            "uncertain": bool(uncertain),
            "date_text": text,
            "date_note": note,
            "date_basis": basis,
            "kind": kind,
            "title": title,
            "description": description,
            "editorial_note": editorial_note,
            "actors": [
                {
                    "key": k,
                    "name": n,
                    "role": r,
                    "identified_by": by,
                    "said": said,
                    # None where no outside source identifies it: named by its name alone
                    "identity": identity(n, name_source, offices)
                    if name_source or offices
                    else None,
                }
                for _p, _id, r, k, n, by, said, name_source, offices in decode(actor_links)
            ]
            if identified
            else [
                {"key": k, "name": n, "role": r, "identified_by": by}
                for _p, _id, r, k, n, by in decode(actor_links)
            ],
            "statutes": [
                {
                    "key": k,
                    "citation": statute_citation(*citation),
                    "relation": relation,
                    "identified_by": by,
                }
                for _p, _id, relation, k, by, *citation in decode(statute_links)
            ],
            "sources": [
                {
                    "document": k,
                    "citation": citation,
                    "quote": quote,
                    "char_start": char_start,
                    "char_end": char_end,
                }
                for _p, _id, k, citation, quote, char_start, char_end in decode(source_links)
            ]
            if not keys_only
            else [{"document": k} for _p, _id, k in decode(source_links)],
            "external_source": external.get(external_id) if external_id is not None else None,
        }
