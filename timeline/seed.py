"""Seeding: read the primary-source texts and their annotation files, check them, load them.

Reading is pure: :func:`read_seed` parses every text and annotation, finds every quote in its text
and checks every reference, without touching a database. :func:`load_seed` then writes the result
in one transaction, matching rows by their stable keys, so a second run changes nothing and a
failed run changes nothing either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.orm import Session, object_session

from timeline import vocabulary
from timeline.dates import HistDate, resolve
from timeline.db import Database
from timeline.errors import DateError, QuoteNotFoundError, SeedError, SourceFormatError
from timeline.models import (
    Actor,
    ActorAlias,
    Base,
    Document,
    DocumentActor,
    DocumentNote,
    DocumentReading,
    Event,
    EventActor,
    EventSource,
    EventStatute,
    ExternalSource,
    Office,
    Statute,
    date_columns,
)
from timeline.paths import seed_dir as default_seed_dir
from timeline.sources import detect_format, parse_crest, parse_frus
from timeline.sources.spans import read_text
from timeline.textmatch import find_quote, fold

Row = dict[str, Any]


# --- the plan: everything the seed says, checked, with no database in sight -----------------------


@dataclass
class DocumentPlan:
    key: str
    values: Row
    ignore: tuple[tuple[int, int], ...]
    notes: list[Row] = field(default_factory=list)
    actors: list[tuple[str, str]] = field(default_factory=list)
    mentions: list[Row] = field(default_factory=list)  # actor, alias, char_start, char_end
    readings: list[Row] = field(default_factory=list)  # char_start, char_end, text, reading, note


@dataclass
class EventPlan:
    key: str
    values: Row
    actors: list[tuple[str, str]]
    statutes: list[tuple[str, str]]
    sources: list[Row]  # document, quote, char_start, char_end


@dataclass
class SeedPlan:
    sources: dict[str, Row] = field(default_factory=dict)
    statutes: dict[str, Row] = field(default_factory=dict)
    actors: dict[str, Row] = field(default_factory=dict)
    offices: dict[str, list[Row]] = field(default_factory=dict)
    documents: dict[str, DocumentPlan] = field(default_factory=dict)
    events: dict[str, EventPlan] = field(default_factory=dict)


@dataclass(frozen=True)
class SeedSummary:
    """What the seed holds, and what loading it changed."""

    counts: Mapping[str, int]
    inserted: Mapping[str, int]
    updated: Mapping[str, int]
    deleted: Mapping[str, int]

    @property
    def changed(self) -> bool:
        return (
            any(self.inserted.values()) or any(self.updated.values()) or any(self.deleted.values())
        )


class _Entry:
    """One table of an annotation file, with a name for error messages and strict field checks."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def fail(self, message: str) -> SeedError:
        return SeedError(f"{self.where}: {message}")

    def check_fields(self, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        required = set(required)
        missing = sorted(required - self.data.keys())
        unknown = sorted(self.data.keys() - required - set(optional))
        if missing:
            raise self.fail(f"missing field(s): {', '.join(missing)}")
        if unknown:
            raise self.fail(f"unknown field(s): {', '.join(unknown)}")

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.data.get(name, default)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise self.fail(f"'{name}' must be a non-empty string")
        return value

    def int(self, name: str, default: int) -> int:
        value = self.data.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"'{name}' must be a whole number")
        return value

    def list(self, name: str) -> list[Any]:
        value = self.data.get(name, [])
        if not isinstance(value, list):
            raise self.fail(f"'{name}' must be a list")
        return value


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path.name}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise SeedError(f"cannot read {path}: {exc.strerror}") from exc


def _read_text(path: Path) -> str:
    try:
        return read_text(path)
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise SeedError(f"cannot read {path}: {exc.strerror}") from exc


def _parse_date(entry: _Entry, value: str, text: str | None = None) -> HistDate:
    try:
        return HistDate.parse(value, text=text)
    except DateError as exc:
        raise entry.fail(str(exc)) from exc


def _check_key(entry: _Entry, kind: str, key: str, known: Mapping[str, object]) -> str:
    if key not in known:
        raise entry.fail(f"unknown {kind} '{key}'")
    return key


def _check_word(entry: _Entry, kind: str, word: str, allowed: frozenset[str]) -> str:
    if word not in allowed:
        raise entry.fail(f"unknown {kind} '{word}' (known: {', '.join(sorted(allowed))})")
    return word


def read_seed(directory: Path | None = None) -> SeedPlan:
    """Read and check the whole seed folder; raise ``SeedError`` naming the file and entry."""
    directory = directory or default_seed_dir()
    if not directory.is_dir():
        raise SeedError(f"seed folder '{directory}' does not exist")
    plan = SeedPlan()
    _read_sources(plan, directory / "sources.toml")
    _read_statutes(plan, directory / "statutes.toml")
    actor_entries = _read_actors(plan, directory / "actors.toml")
    texts = sorted(directory.glob("*.txt"))
    if not texts:
        raise SeedError(f"seed folder '{directory}' holds no texts (*.txt)")
    for annotation in sorted(directory.glob("*.toml")):
        if annotation.name not in ("sources.toml", "statutes.toml", "actors.toml") and not (
            annotation.with_suffix(".txt").exists()
        ):
            raise SeedError(f"{annotation.name}: no text {annotation.with_suffix('.txt').name}")
    for text_path in texts:
        _read_document(plan, text_path)
    # Offices may cite a document, so they are checked once all documents are known.
    for entry in actor_entries:
        plan.offices[entry.data["key"]] = [
            _office(plan, _Entry(office, f"{entry.where}, office {number}"))
            for number, office in enumerate(entry.list("offices"), start=1)
        ]
    return plan


def _read_sources(plan: SeedPlan, path: Path) -> None:
    for number, data in enumerate(_load_toml(path).get("source", []), start=1):
        entry = _Entry(data, f"{path.name}: source {number}")
        entry.check_fields({"key", "citation"}, {"url", "note"})
        key = entry.str("key")
        if key in plan.sources:
            raise entry.fail(f"duplicate key '{key}'")
        plan.sources[key] = {
            "citation": entry.str("citation"),
            "url": entry.str("url"),
            "note": entry.str("note"),
        }


def _read_statutes(plan: SeedPlan, path: Path) -> None:
    fields = (
        "title",
        "section",
        "short_title",
        "popular_title",
        "public_law",
        "statutes_at_large",
        "us_code",
        "chapter",
        "bill",
        "summary",
    )
    for number, data in enumerate(_load_toml(path).get("statute", []), start=1):
        entry = _Entry(data, f"{path.name}: statute {number}")
        entry.check_fields({"key", "title", "source"}, {*fields, "parent", "enacted"})
        key = entry.str("key")
        if key in plan.statutes:
            raise entry.fail(f"duplicate key '{key}'")
        parent = entry.str("parent")
        if parent is not None:
            _check_key(entry, "parent statute", parent, plan.statutes)
        enacted = data.get("enacted")
        if enacted is not None and not isinstance(enacted, dt.date):
            raise entry.fail("'enacted' must be a TOML date (YYYY-MM-DD)")
        plan.statutes[key] = {
            **{name: entry.str(name) for name in fields},
            "parent": parent,
            "enacted": enacted,
            "source": _check_key(entry, "source", entry.str("source"), plan.sources),
        }


def _read_actors(plan: SeedPlan, path: Path) -> list[_Entry]:
    entries = []
    for number, data in enumerate(_load_toml(path).get("actor", []), start=1):
        entry = _Entry(data, f"{path.name}: actor {data.get('key', number)!s}")
        entry.check_fields(
            {"key", "name", "sort_name", "kind"}, {"frus_id", "description", "source", "offices"}
        )
        key = entry.str("key")
        if key in plan.actors:
            raise entry.fail(f"duplicate key '{key}'")
        source = entry.str("source")
        plan.actors[key] = {
            "name": entry.str("name"),
            "sort_name": entry.str("sort_name"),
            "kind": _check_word(entry, "actor kind", entry.str("kind"), vocabulary.ACTOR_KINDS),
            "frus_id": entry.str("frus_id"),
            "description": entry.str("description"),
            "source": source and _check_key(entry, "source", source, plan.sources),
        }
        entries.append(entry)
    return entries


def _office(plan: SeedPlan, entry: _Entry) -> Row:
    entry.check_fields({"title"}, {"term", "source", "document"})
    source, document = entry.str("source"), entry.str("document")
    if source is None and document is None:
        raise entry.fail("an office needs a 'source' or a 'document' that states it")
    term = entry.str("term")
    date = _parse_date(entry, term) if term else None
    return {
        "title": entry.str("title"),
        "term_edtf": str(date) if date else None,
        "term_start": date.start if date else None,
        "term_end": date.end if date else None,
        "source": source and _check_key(entry, "source", source, plan.sources),
        "document": document and _check_key(entry, "document", document, plan.documents),
    }


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


def _read_document(plan: SeedPlan, text_path: Path) -> None:
    annotation_path = text_path.with_suffix(".toml")
    if not annotation_path.exists():
        raise SeedError(f"{text_path.name}: no annotation file {annotation_path.name}")
    text = _read_text(text_path)
    annotation = _load_toml(annotation_path)
    name = annotation_path.name
    _Entry(annotation, name).check_fields({"document"}, {"event", "reading"})
    entry = _Entry(annotation["document"], f"{name}: [document]")
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

    def locate(quote: str, where: _Entry) -> tuple[int, int]:
        try:
            return find_quote(text, quote, ignore=ignore)
        except QuoteNotFoundError as exc:
            raise where.fail(f"not found in {text_path.name}: {exc}") from exc

    date = _document_date(entry, stated, locate)
    source = entry.str("source")
    values.update(
        {
            "date": date,
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
            "source": source and _check_key(entry, "source", source, plan.sources),
        }
    )
    document = DocumentPlan(key=key, values=values, ignore=ignore, notes=notes)

    for number, link in enumerate(entry.list("actors"), start=1):
        link_entry = _Entry(link, f"{entry.where}, actor {number}")
        link_entry.check_fields({"actor", "role"})
        document.actors.append(
            (
                _check_key(link_entry, "actor", link_entry.str("actor"), plan.actors),
                _check_word(link_entry, "role", link_entry.str("role"), vocabulary.DOCUMENT_ROLES),
            )
        )
    for number, mention in enumerate(entry.list("mentions"), start=1):
        document.mentions.append(
            _mention(plan, text, locate, _Entry(mention, f"{entry.where}, mention {number}"))
        )

    document.readings = _readings(text, text_path.name, name, annotation.get("reading", []))

    plan.documents[key] = document
    for number, data in enumerate(annotation.get("event", []), start=1):
        event_entry = _Entry(data, f"{name}: event {data.get('key', number)!s}")
        event_plan = _event(plan, document, locate, event_entry)
        if event_plan.key in plan.events:
            raise event_entry.fail(f"duplicate event key '{event_plan.key}'")
        plan.events[event_plan.key] = event_plan


def _readings(text: str, text_name: str, name: str, entries: object) -> list[Row]:
    """The editorial readings of a text's damaged passages, one row per occurrence.

    A reading names the damaged passage exactly as the text has it; it applies wherever that
    passage stands as a whole (not inside a longer word), since the same damage reads the same way.
    """
    if not isinstance(entries, list):
        raise SeedError(f"{name}: 'reading' must be a list of [[reading]] tables")
    rows: list[Row] = []
    for number, data in enumerate(entries, start=1):
        entry = _Entry(data if isinstance(data, dict) else {}, f"{name}: reading {number}")
        entry.check_fields({"text", "reading", "note"})
        damaged, reading, note = entry.str("text"), entry.str("reading"), entry.str("note")
        if reading == damaged:
            raise entry.fail(f"the reading of '{damaged}' is the text as it stands")
        spans = _whole_occurrences(text, damaged)
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


def _whole_occurrences(text: str, passage: str) -> list[tuple[int, int]]:
    """Where ``passage`` occurs verbatim, not as part of a longer word."""
    spans = []
    pos = text.find(passage)
    while pos >= 0:
        end = pos + len(passage)
        glued_before = pos > 0 and passage[0].isalnum() and text[pos - 1].isalnum()
        glued_after = end < len(text) and passage[-1].isalnum() and text[end].isalnum()
        if not glued_before and not glued_after:
            spans.append((pos, end))
        pos = text.find(passage, pos + 1)
    return spans


def _document_date(
    entry: _Entry, stated: Row, locate: Callable[[str, _Entry], tuple[int, int]]
) -> HistDate:
    given, words = entry.str("date"), entry.str("date_text")
    from_text: dt.date | None = stated.get("file_date") or stated.get("publication_date")
    if given is None:
        if from_text is None:
            raise entry.fail("the text does not state the document's date; add 'date'")
        words = words or stated.get("publication_date_text")
        date = HistDate.parse(from_text.isoformat(), text=words)
    else:
        date = _parse_date(entry, given, words)
        if from_text is not None and not (date.start <= from_text <= date.end):
            raise entry.fail(f"'date' is {given} but the text dates the document {from_text}")
    if date.text:
        locate(date.text, entry)
    return date


def _mention(
    plan: SeedPlan, text: str, locate: Callable[[str, _Entry], tuple[int, int]], entry: _Entry
) -> Row:
    entry.check_fields({"actor", "text"}, {"within"})
    actor = _check_key(entry, "actor", entry.str("actor"), plan.actors)
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


def _event(
    plan: SeedPlan,
    document: DocumentPlan,
    locate: Callable[[str, _Entry], tuple[int, int]],
    entry: _Entry,
) -> EventPlan:
    entry.check_fields(
        {"key", "kind", "title", "description", "quotes"},
        {
            "date",
            "resolve",
            "date_from",
            "date_text",
            "date_note",
            "source",
            "sequence",
            "actors",
            "statutes",
        },
    )
    key = entry.str("key")
    date = _event_date(document, locate, entry)
    source = entry.str("source")
    values: Row = {
        "kind": _check_word(entry, "event kind", entry.str("kind"), vocabulary.EVENT_KINDS),
        "title": entry.str("title"),
        "description": entry.str("description"),
        "date": date,
        "date_note": entry.str("date_note"),
        "sequence": entry.int("sequence", 0),
        "source": source and _check_key(entry, "source", source, plan.sources),
    }
    actors = []
    for number, link in enumerate(entry.list("actors"), start=1):
        link_entry = _Entry(link, f"{entry.where}, actor {number}")
        link_entry.check_fields({"actor", "role"})
        actors.append(
            (
                _check_key(link_entry, "actor", link_entry.str("actor"), plan.actors),
                _check_word(link_entry, "role", link_entry.str("role"), vocabulary.EVENT_ROLES),
            )
        )
    statutes = []
    for number, link in enumerate(entry.list("statutes"), start=1):
        link_entry = _Entry(link, f"{entry.where}, statute {number}")
        link_entry.check_fields({"statute", "relation"})
        statutes.append(
            (
                _check_key(link_entry, "statute", link_entry.str("statute"), plan.statutes),
                _check_word(
                    link_entry, "relation", link_entry.str("relation"), vocabulary.STATUTE_RELATIONS
                ),
            )
        )
    quotes = entry.list("quotes")
    if not quotes:
        raise entry.fail("an event needs at least one quote from its document")
    sources = []
    for number, quote in enumerate(quotes, start=1):
        quote_entry = _Entry({}, f"{entry.where}, quote {number}")
        if not isinstance(quote, str) or not quote.strip():
            raise quote_entry.fail("a quote must be a non-empty string")
        start, end = locate(quote, quote_entry)
        text = document.values["text"]
        sources.append(
            {
                "document": document.key,
                "quote": text[start:end],
                "char_start": start,
                "char_end": end,
            }
        )
    for what, pairs in (("actor", actors), ("statute", statutes)):
        repeated = [pair for pair, count in Counter(pairs).items() if count > 1]
        if repeated:
            raise entry.fail(f"{what} link {repeated[0]} is listed twice")
    return EventPlan(key=key, values=values, actors=actors, statutes=statutes, sources=sources)


def _event_date(
    document: DocumentPlan, locate: Callable[[str, _Entry], tuple[int, int]], entry: _Entry
) -> HistDate:
    given = [name for name in ("date", "resolve", "date_from") if name in entry.data]
    if len(given) != 1:
        raise entry.fail("give exactly one of 'date', 'resolve' or 'date_from'")
    anchor: HistDate = document.values["date"]
    if "date" in entry.data:
        date = _parse_date(entry, entry.str("date"), entry.str("date_text"))
    elif "resolve" in entry.data:
        if "date_text" in entry.data:
            raise entry.fail("'resolve' gives the date's words already; drop 'date_text'")
        try:
            date = resolve(entry.str("resolve"), anchor)
        except DateError as exc:
            raise entry.fail(str(exc)) from exc
    else:
        if entry.str("date_from") != "document":
            raise entry.fail("'date_from' can only be \"document\"")
        date = HistDate.parse(str(anchor), text=entry.str("date_text"))
    if date.text:
        locate(date.text, entry)
    return date


# --- loading ----------------------------------------------------------------------------------

M = TypeVar("M", bound=Base)


def load_seed(database: Database, directory: Path | None = None) -> SeedSummary:
    """Check the seed, then load it in one transaction; nothing changes if anything fails."""
    plan = read_seed(directory)
    database.require_current()
    with database.begin() as session:
        inserted: Counter[str] = Counter()
        updated: Counter[str] = Counter()
        deleted: Counter[str] = Counter()

        def count(session_: Session, _context: object, _instances: object) -> None:
            inserted.update(type(obj).__tablename__ for obj in session_.new)
            deleted.update(type(obj).__tablename__ for obj in session_.deleted)
            updated.update(
                type(obj).__tablename__
                for obj in session_.dirty
                if session_.is_modified(obj, include_collections=False)
            )

        event.listen(session, "before_flush", count)
        _apply(session, plan)
        session.flush()
    counts = {
        "documents": len(plan.documents),
        "events": len(plan.events),
        "actors": len(plan.actors),
        "statutes": len(plan.statutes),
        "sources": sum(len(e.sources) for e in plan.events.values()),
        "readings": sum(len(d.readings) for d in plan.documents.values()),
        "external_sources": len(plan.sources),
    }
    return SeedSummary(counts, dict(inserted), dict(updated), dict(deleted))


def _assign(obj: object, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


def _upsert(session: Session, model: type[M], rows: Mapping[str, Row]) -> dict[str, M]:
    existing = {
        obj.key: obj  # type: ignore[attr-defined]
        for obj in session.scalars(select(model).where(model.key.in_(list(rows))))  # type: ignore[attr-defined]
    }
    for key, values in rows.items():
        obj = existing.get(key)
        if obj is None:
            obj = model(key=key)
            session.add(obj)
            existing[key] = obj
        _assign(obj, values)
    return existing


def _sync(
    collection: list[Any],
    factory: Callable[..., Any],
    wanted: Sequence[Row],
    identity: Callable[[Any], Hashable],
) -> None:
    """Make a child collection hold exactly ``wanted``, keeping rows that are already right."""
    current = {identity(row): row for row in collection}
    keep = set()
    for values in wanted:
        ident = identity(_Values(values))
        keep.add(ident)
        row = current.get(ident)
        if row is None:
            collection.append(factory(**values))
        else:
            _assign(row, values)
    for ident, row in current.items():
        if ident not in keep:
            collection.remove(row)
            session = object_session(row)
            if session is not None:  # counted as deleted now, not found an orphan at flush
                session.delete(row)


class _Values:
    """Attribute access to a dict, so one identity function serves rows and wanted values."""

    def __init__(self, values: Row) -> None:
        self.__dict__.update(values)


def _apply(session: Session, plan: SeedPlan) -> None:
    sources = _upsert(session, ExternalSource, plan.sources)
    session.flush()

    def source_id(key: str | None) -> int | None:
        return sources[key].id if key else None

    def stored(values: Row, *plan_only: str) -> Row:
        """Column values from a plan row: its source key becomes an id, plan-only keys go."""
        row = {k: v for k, v in values.items() if k not in ("key", "source", *plan_only)}
        if "date" in plan_only:
            row.update(date_columns(values["date"]))
        return {**row, "external_source_id": source_id(values["source"])}

    documents = _upsert(
        session, Document, {k: stored(d.values, "date") for k, d in plan.documents.items()}
    )
    statutes = _upsert(
        session, Statute, {k: stored(row, "parent") for k, row in plan.statutes.items()}
    )
    actors = _upsert(session, Actor, {k: stored(row) for k, row in plan.actors.items()})
    for key, row in plan.statutes.items():
        _assign(statutes[key], {"parent": statutes[row["parent"]] if row["parent"] else None})
    session.flush()

    for key, offices in plan.offices.items():
        _sync(
            actors[key].offices,
            Office,
            [
                {
                    **{k: v for k, v in office.items() if k not in ("source", "document")},
                    "external_source_id": source_id(office["source"]),
                    "document_id": documents[office["document"]].id if office["document"] else None,
                }
                for office in offices
            ],
            lambda row: (row.title, row.term_edtf),
        )
    aliases: dict[str, list[Row]] = {key: [] for key in plan.actors}
    for key, doc in plan.documents.items():
        document = documents[key]
        _sync(document.notes, DocumentNote, doc.notes, lambda row: row.number)
        _sync(document.readings, DocumentReading, doc.readings, lambda row: row.char_start)
        _sync(
            document.actor_links,
            DocumentActor,
            [{"actor_id": actors[a].id, "role": role} for a, role in doc.actors],
            lambda row: (row.actor_id, row.role),
        )
        for mention in doc.mentions:
            aliases[mention["actor"]].append(
                {
                    "alias": mention["alias"],
                    "document_id": document.id,
                    "char_start": mention["char_start"],
                    "char_end": mention["char_end"],
                }
            )
    for key, wanted in aliases.items():
        _sync(actors[key].aliases, ActorAlias, wanted, lambda row: (row.alias, row.document_id))

    events = _upsert(
        session, Event, {k: stored(ev.values, "date") for k, ev in plan.events.items()}
    )
    for key, ev in plan.events.items():
        obj = events[key]
        _sync(
            obj.actor_links,
            EventActor,
            [
                {"actor_id": actors[a].id, "role": role, "position": n}
                for n, (a, role) in enumerate(ev.actors)
            ],
            lambda row: (row.actor_id, row.role),
        )
        _sync(
            obj.statute_links,
            EventStatute,
            [
                {"statute_id": statutes[s].id, "relation": rel, "position": n}
                for n, (s, rel) in enumerate(ev.statutes)
            ],
            lambda row: (row.statute_id, row.relation),
        )
        _sync(
            obj.sources,
            EventSource,
            [
                {
                    "document_id": documents[src["document"]].id,
                    "quote": src["quote"],
                    "char_start": src["char_start"],
                    "char_end": src["char_end"],
                    "position": n,
                }
                for n, src in enumerate(ev.sources)
            ],
            lambda row: (row.document_id, row.char_start, row.char_end),
        )
