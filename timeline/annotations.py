"""Annotation files: what a curated TOML file says about one text, checked against that text.

An annotation names its text by the file beside it (``seed/<name>.txt`` for ``<name>.toml``), or,
for a text already ingested, by key (``document = "frus1961-63v05-d43"`` in place of the
``[document]`` table): its events, mentions, readings and quotes are then located in that
document's text. Reading is pure: the result is a :class:`~timeline.loading.plan.LoadPlan`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from timeline import vocabulary
from timeline.dates import HistDate
from timeline.errors import QuoteNotFoundError, SeedError, SourceFormatError
from timeline.loading.entries import (
    Entry,
    check_key,
    check_word,
    load_toml,
    parse_date,
    read_text_file,
)
from timeline.loading.event_entry import read_event, read_events
from timeline.loading.plan import DocumentPlan, LoadPlan, Row
from timeline.sources import detect_format, parse_crest, parse_frus
from timeline.textmatch import find_quote, fold, whole_occurrences

__all__ = [
    "Entry",
    "check_key",
    "check_word",
    "load_toml",
    "parse_date",
    "read_document",
    "read_keyed",
]


# --- documents --------------------------------------------------------------------------------

_DOCUMENT_FIELDS = (
    "key",
    "title",
    "subject",
    "doc_type",
    "collection",
    "volume",
    "doc_number",
    "pages",
    "place",
    "citation",
    "url",
    "archival_source",
    "classification",
    "metadata_note",
)


def _stated_by_text(fmt: str, text: str) -> tuple[Row, tuple[tuple[int, int], ...], list[Row]]:
    """The metadata the text itself states, the spans to skip when matching, and its notes."""
    if fmt == "frus":
        frus = parse_frus(text)
        values: Row = {
            "title": frus.heading,
            "subject": frus.subject,
            "doc_type": frus.doc_type,
            "doc_number": str(frus.number),
            "archival_source": frus.archival_source,
            "classification": frus.classification,
            "file_date": frus.file_date,
            "source_note": frus.source_note.text if frus.source_note else None,
            "page_markers": [
                (str(page), span[0])
                for page, span in zip(frus.pages, frus.page_markers, strict=True)
            ],
        }
        notes = [
            {
                "number": note.number,
                "text": note.text,
                "char_start": note.span[0],
                "char_end": note.span[1],
                "marker_start": note.marker[0] if note.marker else None,
                "marker_end": note.marker[1] if note.marker else None,
            }
            for note in frus.footnotes
        ]
        return values, frus.marker_spans, notes
    crest = parse_crest(text)
    values = {
        "key": crest.document_number,
        "title": crest.title,
        "doc_number": crest.document_number,
        "classification": crest.original_classification,
        "release_decision": crest.release_decision,
        "release_date": crest.release_date,
        "approved_for_release": crest.approved_for_release,
        "record_created": crest.creation_date,
        "page_count": crest.page_count,
        "content_type": crest.content_type,
        "sequence_number": crest.sequence_number,
        "publication_date": crest.publication_date,
        "publication_date_text": crest.fields.get("Publication Date"),
    }
    return values, (), []


def _same(a: object, b: object) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return fold(a).casefold() == fold(b).casefold()
    return a == b


def read_document(plan: LoadPlan, text_path: Path) -> None:
    annotation_path = text_path.with_suffix(".toml")
    if not annotation_path.exists():
        raise SeedError(f"{text_path.name}: no annotation file {annotation_path.name}")
    text = read_text_file(text_path)
    annotation = load_toml(annotation_path)
    name = annotation_path.name
    Entry(annotation, name).check_fields({"document"}, {"event", "reading"})
    entry = Entry(annotation["document"], f"{name}: [document]")
    entry.check_fields(
        {"collection", "citation"},
        {*_DOCUMENT_FIELDS, "date", "date_text", "source", "actors", "mentions"},
    )
    try:
        fmt = detect_format(text)
        stated, ignore, notes = _stated_by_text(fmt, text)
    except SourceFormatError as exc:
        raise SeedError(f"{text_path.name}: {exc}") from exc

    values: Row = {name_: stated.get(name_) for name_ in _DOCUMENT_FIELDS}
    for name_ in _DOCUMENT_FIELDS:
        given = entry.str(name_)
        if given is None:
            continue
        if values.get(name_) is not None and not _same(values[name_], given):
            raise entry.fail(f'\'{name_}\' is "{given}" but the text says "{values[name_]}"')
        values[name_] = given
    for name_ in ("key", "title", "doc_type"):
        if not values.get(name_):
            raise entry.fail(f"the text does not state the document's {name_}; add '{name_}'")
    key = values["key"]
    if key in plan.documents:
        raise entry.fail(f"duplicate document key '{key}'")

    def locate(quote: str, where: Entry) -> tuple[int, int]:
        try:
            return find_quote(text, quote, ignore=ignore)
        except QuoteNotFoundError as exc:
            raise where.fail(f"not found in {text_path.name}: {exc}") from exc

    date = _document_date(entry, stated, locate)
    source = entry.str("source")
    values.update(
        {
            "date": date,
            "date_basis": "annotation"
            if entry.str("date")
            else ("file number" if fmt == "frus" else "publication date"),
            "release_decision": stated.get("release_decision"),
            "release_date": stated.get("release_date"),
            "approved_for_release": stated.get("approved_for_release"),
            "record_created": stated.get("record_created"),
            "page_count": stated.get("page_count"),
            "content_type": stated.get("content_type"),
            "sequence_number": stated.get("sequence_number"),
            "seed_file": text_path.name,
            "text": text,
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "source": source and check_key(entry, "source", source, plan.sources),
        }
    )
    values["source_note"] = stated.get("source_note")
    document = DocumentPlan(key=key, values=values, ignore=ignore, notes=notes)
    document.page_breaks = _page_breaks(entry, values.get("pages"), stated.get("page_markers", []))

    for number, link in enumerate(entry.list("actors"), start=1):
        link_entry = Entry(link, f"{entry.where}, actor {number}")
        link_entry.check_fields({"actor", "role"})
        document.actors.append(
            (
                check_key(link_entry, "actor", link_entry.str("actor"), plan.actors),
                check_word(link_entry, "role", link_entry.str("role"), vocabulary.DOCUMENT_ROLES),
            )
        )
    for number, mention in enumerate(entry.list("mentions"), start=1):
        document.mentions.append(
            _mention(plan, text, locate, Entry(mention, f"{entry.where}, mention {number}"))
        )

    document.readings = _readings(text, text_path.name, name, annotation.get("reading", []))

    plan.documents[key] = document
    for number, data in enumerate(annotation.get("event", []), start=1):
        event_entry = Entry(data, f"{name}: event {data.get('key', number)!s}")
        event_plan = read_event(plan, document, locate, event_entry)
        if event_plan.key in plan.events:
            raise event_entry.fail(f"duplicate event key '{event_plan.key}'")
        plan.events[event_plan.key] = event_plan


def _page_breaks(entry: Entry, pages: str | None, markers: list[tuple[str, int]]) -> list[Row]:
    """Where each printed page begins: the first page (from ``pages``) at the text's start, and
    each "[Page N]" marker's page where the marker stands, so that a quote resolves to its page.

    The text states no first page (a marker begins the page after it), so without ``pages`` the
    text before the first marker has no page rather than a guessed one.
    """
    breaks: list[Row] = []
    if pages:
        first, _, last = pages.partition("–")
        breaks.append({"page": first.strip(), "char_start": 0, "in_note": False})
        numbered = [p for p in (first.strip(), (last or first).strip()) if p.isdigit()]
        if len(numbered) == 2:
            low, high = int(numbered[0]), int(numbered[1])
            outside = [page for page, _ in markers if not low <= int(page) <= high]
            if outside:
                raise entry.fail(f"'pages' is \"{pages}\" but the text marks [Page {outside[0]}]")
    breaks.extend({"page": page, "char_start": at, "in_note": False} for page, at in markers)
    return breaks


def _readings(text: str, text_name: str, name: str, entries: object) -> list[Row]:
    """The editorial readings of a text's damaged passages, one row per occurrence.

    A reading names the damaged passage exactly as the text has it; it applies wherever that
    passage stands as a whole (not inside a longer word), since the same damage reads the same way.
    """
    if not isinstance(entries, list):
        raise SeedError(f"{name}: 'reading' must be a list of [[reading]] tables")
    rows: list[Row] = []
    for number, data in enumerate(entries, start=1):
        entry = Entry(data if isinstance(data, dict) else {}, f"{name}: reading {number}")
        entry.check_fields({"text", "reading", "note"})
        damaged, reading, note = entry.str("text"), entry.str("reading"), entry.str("note")
        if reading == damaged:
            raise entry.fail(f"the reading of '{damaged}' is the text as it stands")
        spans = whole_occurrences(text, damaged)
        if not spans:
            raise entry.fail(
                f"'{damaged}' does not occur in {text_name} (give the damaged passage exactly "
                "as the text has it)"
            )
        rows.extend(
            {"char_start": s, "char_end": e, "text": damaged, "reading": reading, "note": note}
            for s, e in spans
        )
    rows.sort(key=lambda row: row["char_start"])
    for before, after in pairwise(rows):
        if after["char_start"] < before["char_end"]:
            raise SeedError(
                f"{name}: the readings of '{before['text']}' and '{after['text']}' overlap "
                f"at character {after['char_start']}"
            )
    return rows


def _document_date(
    entry: Entry, stated: Row, locate: Callable[[str, Entry], tuple[int, int]]
) -> HistDate:
    given, words = entry.str("date"), entry.str("date_text")
    from_text: dt.date | None = stated.get("file_date") or stated.get("publication_date")
    if given is None:
        if from_text is None:
            raise entry.fail("the text does not state the document's date; add 'date'")
        words = words or stated.get("publication_date_text")
        date = HistDate.parse(from_text.isoformat(), text=words)
    else:
        date = parse_date(entry, given, words)
        if from_text is not None and not (date.start <= from_text <= date.end):
            raise entry.fail(f"'date' is {given} but the text dates the document {from_text}")
    if date.text:
        locate(date.text, entry)
    return date


def _mention(
    plan: LoadPlan, text: str, locate: Callable[[str, Entry], tuple[int, int]], entry: Entry
) -> Row:
    entry.check_fields({"actor", "text"}, {"within"})
    actor = check_key(entry, "actor", entry.str("actor"), plan.actors)
    words, within = entry.str("text"), entry.str("within")
    if within is None:
        start, end = locate(words, entry)
    else:
        # `within` pins a short or repeated spelling ("ER", "the Department") to one passage.
        outer_start, outer_end = locate(within, entry)
        try:
            start, end = find_quote(text[outer_start:outer_end], words)
        except QuoteNotFoundError as exc:
            raise entry.fail(f"'{words}' is not part of \"{within}\"") from exc
        start, end = outer_start + start, outer_start + end
    return {"actor": actor, "alias": text[start:end], "char_start": start, "char_end": end}


def read_keyed(plan: LoadPlan, path: Path) -> str:
    """Read an annotation file that names a document of ``plan`` by key (``document = "KEY"``):
    its events, located in that document's text, go into ``plan``; return the key."""
    data = load_toml(path)
    top = Entry(data, path.name)
    top.check_fields({"document"}, {"event"})
    key = top.str("document")
    document = plan.documents.get(key) if isinstance(key, str) else None
    if document is None:
        raise top.fail(f"document '{key}' is not among the documents read")
    for entry, event in read_events(plan, document, top):
        if event.key in plan.events:
            raise entry.fail(f"duplicate event key '{event.key}'")
        plan.events[event.key] = event
    return key
