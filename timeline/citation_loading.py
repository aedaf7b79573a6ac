"""What citations need, read from SQL many keys at a time, and kept in bounded caches.

Loading one document or actor per ORM query (with its page breaks, notes, aliases and offices
selected in) cost a dozen round trips a key: most of a large report's time. Here a batch of
keys is read with one Core query per table, and what was read is kept in a small LRU: real
corpora cite the same documents and name the same actors again and again, but a cache that kept
everything seen would grow with the corpus.
"""

from __future__ import annotations

import functools
from collections import OrderedDict, defaultdict, namedtuple
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, Generic, TypeVar

from sqlalchemy import ARRAY, any_, bindparam, func, null, select
from sqlalchemy.orm import Session

from timeline.models import (
    Document,
    DocumentNote,
    DocumentReading,
    Event,
    EventSource,
    PageBreak,
)

BATCH = 500  # keys per IN (...): well inside every backend's limit on bound parameters
CACHE = 1024  # documents or actors kept once read

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


def batched(items: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size or BATCH)):
        yield chunk


class LRU(Generic[K, V]):
    """A mapping that forgets the least recently used entry beyond ``size`` entries."""

    def __init__(self, size: int | None = None) -> None:
        self.size = size or CACHE
        self._items: OrderedDict[K, V] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V:
        self._items.move_to_end(key)
        return self._items[key]

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


Load = Callable[[Sequence[str]], dict[str, V]]


class BatchCache(Generic[V]):
    """Values by string key, loaded ``load(keys)`` a batch at a time, the misses only; a key the
    loader does not return is remembered as None. The keys of the last :meth:`prefetch` are held
    until the next, however many: a batch never evicts its own values before they are read.

    ``partial``: a cheaper loader of values that serve some uses and not all (``whole(value)``
    False), read where :meth:`prefetch` is told a key needs no whole value."""

    def __init__(
        self,
        load: Load[V],
        size: int | None = None,
        *,
        partial: Load[V] | None = None,
        whole: Callable[[V], bool] | None = None,
    ) -> None:
        self._load = load
        self._partial = partial
        self._whole = whole
        self._cache: LRU[str, V | None] = LRU(size)
        self._batch: dict[str, V | None] = {}

    def prefetch(self, keys: Iterable[str], *, whole: Container[str] | None = None) -> None:
        """Read the values of ``keys`` not yet known, together. ``whole``: the keys whose value
        must be whole (None: every key); the others are read with the ``partial`` loader."""
        batch: dict[str, V | None] = {}
        missing: dict[bool, list[str]] = {True: [], False: []}
        for key in dict.fromkeys(keys):
            need = whole is None or self._partial is None or key in whole
            if key in self._cache:
                value = self._cache.get(key)
            elif key in self._batch:
                value = self._batch[key]
            else:
                missing[need].append(key)
                continue
            if need and value is not None and self._whole is not None and not self._whole(value):
                missing[True].append(key)  # kept partial, wanted whole: read it whole
                continue
            batch[key] = value
        for need, keys_missing in missing.items():
            load = self._load if need or self._partial is None else self._partial
            for chunk in batched(keys_missing):
                found = load(chunk)
                for key in chunk:
                    batch[key] = found.get(key)
                    self._cache.put(key, batch[key])
        self._batch = batch

    def get(self, key: str) -> V | None:
        if key in self._batch:
            return self._batch[key]
        if key not in self._cache:  # a caller that did not prefetch: read it alone
            self._cache.put(key, self._load([key]).get(key))
        return self._cache.get(key)

    def many(self, keys: Iterable[str]) -> Iterator[V | None]:
        """The value of each key in turn, read a batch ahead."""
        for chunk in batched(keys):
            self.prefetch(chunk)
            yield from (self._batch[key] for key in chunk)


# --- documents --------------------------------------------------------------------------------

_DOCUMENT_COLUMNS = (
    Document.id,
    Document.key,
    Document.title,
    Document.citation,
    Document.collection,
    Document.volume,
    Document.doc_number,
    Document.pages,
    Document.archival_source,
    Document.classification,
    Document.release_decision,
    Document.release_date,
    Document.approved_for_release,
    Document.record_created,
    Document.page_count,
    Document.content_type,
    Document.sequence_number,
    Document.url,
    Document.source_note,
    Document.text,
)

# A document's row as a named tuple: a SQLAlchemy Row gives a column by name in about 240 ns, a
# named tuple in 30, and a document cited reads some thirty of its columns by name.
_DOCUMENT_FIELDS = [column.key for column in _DOCUMENT_COLUMNS]
DocumentRow = namedtuple("DocumentRow", _DOCUMENT_FIELDS)  # type: ignore[misc]


# Built once, with the keys bound at execution: building an IN of a thousand literals for
# every batch cost more than running it.
KEYS = bindparam("keys", expanding=True)


def among(column: Any, postgresql: bool) -> Any:
    """``column IN (:keys)``, a batch's keys bound at execution; on PostgreSQL ``column =
    ANY(:keys)``, the keys one array. An IN list is a parameter a key, each converted by the
    driver and the list planned by the server: the Markdown report on PostgreSQL at 50,008
    events spent a quarter of its time waiting on its batches of documents, a tenth since."""
    if postgresql:
        return column == any_(bindparam("keys", type_=ARRAY(column.type)))
    return column.in_(KEYS)


def _grouped(session: Session, query: Any, ids: Sequence[int]) -> dict[int, list[Any]]:
    # Core rows from the session's connection: the ORM's result machinery (Session.execute)
    # cost more per row than the query did, and these rows are plain columns.
    groups: dict[int, list[Any]] = defaultdict(list)
    for owner, *row in session.connection().execute(query, {"keys": ids}).all():
        groups[owner].append(row)
    return groups


@functools.cache
def _document_queries(postgresql: bool, text: bool) -> tuple[Any, ...]:
    columns = _DOCUMENT_COLUMNS if text else (*_DOCUMENT_COLUMNS[:-1], null().label("text"))
    return (
        select(*columns).where(among(Document.key, postgresql)),
        select(PageBreak.document_id, PageBreak.char_start, PageBreak.page, PageBreak.in_note)
        .where(among(PageBreak.document_id, postgresql))
        .order_by(PageBreak.document_id, PageBreak.char_start, PageBreak.id),
        select(
            DocumentNote.document_id,
            DocumentNote.number,
            DocumentNote.char_start,
            DocumentNote.char_end,
            DocumentNote.marker_start,
            DocumentNote.text,
        )
        .where(among(DocumentNote.document_id, postgresql))
        .order_by(DocumentNote.document_id, DocumentNote.number, DocumentNote.id),
        select(
            DocumentReading.document_id,
            DocumentReading.char_start,
            DocumentReading.char_end,
            DocumentReading.text,
            DocumentReading.reading,
            DocumentReading.note,
        )
        .where(among(DocumentReading.document_id, postgresql))
        .order_by(DocumentReading.document_id, DocumentReading.char_start, DocumentReading.id),
    )


def document_rows(
    session: Session, keys: Sequence[str], *, text: bool = True
) -> Iterator[tuple[Any, ...]]:
    """For each document among ``keys``: its row (the columns a citation reads, its text
    included unless not ``text``), and its page breaks, notes and readings, in text order: one
    query apiece."""
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    documents, breaks, notes, readings = _document_queries(postgresql, text)
    found = connection.execute(documents, {"keys": list(keys)}).all()
    rows = [DocumentRow._make(row) for row in found]
    ids = [row.id for row in rows]
    if not ids:
        return
    by_breaks = _grouped(session, breaks, ids)
    by_notes = _grouped(session, notes, ids)
    by_readings = _grouped(session, readings, ids)
    for row in rows:
        yield row, by_breaks.get(row.id, []), by_notes.get(row.id, []), by_readings.get(row.id, [])


# --- the order of first citation --------------------------------------------------------------
# "In full the first time a document is cited, in short after" asked a set of every document
# cited so far: it grew with the corpus. The database answers it instead, with a window over the
# report's own order (ROW_NUMBER: SQLite 3.25+, PostgreSQL).


def _report_sources(conditions: Sequence[Any], order: Sequence[Any]) -> tuple[Any, Any]:
    terms = [*order, EventSource.position, EventSource.id]
    nth = func.row_number().over(partition_by=EventSource.document_id, order_by=terms)
    return nth, terms


# What a note reads of a source: its document's key and citation, its quote and offsets.
SOURCE_COLUMNS = (
    Document.key,
    Document.citation,
    EventSource.quote,
    EventSource.char_start,
    EventSource.char_end,
)


def source_record(key: str, citation: str, quote: str, start: int, end: int) -> dict[str, Any]:
    """A source as the notes read it, from the values of :data:`SOURCE_COLUMNS`."""
    return {
        "document": key,
        "citation": citation,
        "quote": quote,
        "char_start": start,
        "char_end": end,
    }


def first_citations(
    session: Session, conditions: Sequence[Any], order: Sequence[Any]
) -> Iterator[tuple[str, bool]]:
    """Each source of the selected events, in report order: its document's key, and whether it
    is that document's first citation in the report."""
    for source, first in cited_sources(session, conditions, order):
        yield source["document"], first


def cited_sources(
    session: Session,
    conditions: Sequence[Any],
    order: Sequence[Any],
    within: Sequence[Any] = (),
    until: Sequence[Any] = (),
) -> Iterator[tuple[dict[str, Any], bool]]:
    """Each source of the selected events in report order, as the Markdown notes read it
    (its document's key and citation, its quote and offsets), and whether it is its
    document's first citation in the report: the sources and the first citations in one
    query, not two reading the same rows in the same order (4.4 s against 3.3 s for half a
    million-event decade). ``within``: only the sources of the events that also meet these
    (a part of the report); ``until``: those of its conditions that bound it from above. A
    source is first or not by the sources before it alone, so only they are ranked (the
    first half of a decade 3.3 s, against 2.8 s)."""
    nth, terms = _report_sources(conditions, order)
    query = (
        select(*SOURCE_COLUMNS, nth)
        .select_from(EventSource)
        .join(Event, EventSource.event_id == Event.id)
        .join(Document, EventSource.document_id == Document.id)
    )
    if within:  # ranked over the report up to the part's end, then the part's sources taken
        ranked = (
            select(EventSource.id.label("source_id"), nth.label("nth"))
            .join(Event, EventSource.event_id == Event.id)
            .where(*conditions, *until)
            .subquery()
        )
        query = query.with_only_columns(*SOURCE_COLUMNS, ranked.c.nth).join(
            ranked, ranked.c.source_id == EventSource.id
        )
    query = query.where(*conditions, *within).order_by(*terms).execution_options(yield_per=BATCH)
    for key, citation, quote, start, end, number in session.connection().execute(query):
        yield source_record(key, citation, quote, start, end), number == 1


def documents_first_cited(
    session: Session, conditions: Sequence[Any], order: Sequence[Any]
) -> Iterator[str]:
    """The keys of the documents the selected events cite, in the order first cited."""
    nth, terms = _report_sources(conditions, order)
    ranked = (
        select(
            EventSource.document_id,
            nth.label("nth"),
            func.row_number().over(order_by=terms).label("seq"),
        )
        .join(Event, EventSource.event_id == Event.id)
        .where(*conditions)
        .subquery()
    )
    query = (
        select(Document.key)
        .join(ranked, ranked.c.document_id == Document.id)
        .where(ranked.c.nth == 1)
        .order_by(ranked.c.seq)
        .execution_options(yield_per=BATCH)
    )
    yield from session.connection().execute(query).scalars()


def in_step(firsts: Iterator[tuple[str, bool]], source: Mapping[str, Any]) -> bool:
    """Whether ``source`` is its document's first citation: the next of :func:`first_citations`,
    which must be of the same document (else the two queries disagree on the order)."""
    key, first = next(firsts, (None, False))
    if key != source["document"]:
        raise RuntimeError(f"a source of {source['document']} out of step with {key}")
    return first
