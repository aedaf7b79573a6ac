"""Search over the tables the full-text index does not hold: actors, statutes, and the
documents' identifiers (key, number, citation).

Each kind is first narrowed in SQL to the records holding every word (actors and documents are
hundreds of thousands after ingest): through the trigram indexes of migration 0009 for a word of
three characters or more, else by reading every row for where the word starts a word. Each
candidate is matched here, in Python, with the query ``timeline.search`` parsed: the same on
every backend by construction.
A word matches the start of a word in a field ("labor" finds "laborers", "1307" finds
"19 U.S.C. 1307"); a word that mixes letters and digits is an identifier and matches anywhere
in one ("R001500070028-8" finds "CIA-RDP88B00443R001500070028-8", which the full-text index
holds as one glued word).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, column, func, literal_column, or_, select, table, union
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.sql.elements import ColumnElement

from timeline.key_order import code_point_order
from timeline.models import Actor, ActorAlias, Document, Office, Statute

RECORD_KINDS = ("actor", "statute")

_MARK = "**"  # as timeline.search.MARK; not imported, which would be circular
_SNIPPET_CHARS = 160


@dataclass(frozen=True)
class RecordHit:
    """A record whose fields match: its kind, key, title and the field that matched, marked."""

    kind: str
    key: str
    document: str | None
    title: str
    snippet: str


def _is_identifier(words: tuple[str, ...]) -> bool:
    """Whether a word mixes letters and digits: the phrase then matches inside a word too."""
    return any(re.search(r"\d", w) and re.search(r"[^\W\d_]", w) for w in words)


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    start = "" if _is_identifier(words) else r"(?<![^\W_])"
    body = r"[\W_]+".join(re.escape(w) for w in words)
    return re.compile(start + body + r"[^\W_]*", re.IGNORECASE)


Holds = Callable[[str, bool], Any]


def _could_match(
    groups: tuple[tuple[tuple[str, ...], ...], ...], holds: Holds
) -> ColumnElement[bool] | None:
    """A WHERE clause every record that matches the groups passes (more may pass: Python decides).

    A pattern matches only where each of its words occurs, in any case, so a record must hold
    each word of some phrase of every group (``holds(word, anchored)``: in one of its fields;
    ``anchored``: where a word starts, as the pattern has it for every word of a phrase but the
    first of an identifier's). Only ASCII words constrain: SQLite's lower() folds ASCII alone,
    where Python's IGNORECASE folds every script.
    """
    required = []
    for group in groups:
        options = []
        for words in group:
            identifier = _is_identifier(words)
            kept = [
                (w.lower(), n > 0 or not identifier) for n, w in enumerate(words) if w.isascii()
            ]
            if not kept:
                return None  # this group could match anything: no clause can be exact
            options.append(and_(*(holds(word, anchored) for word, anchored in kept)))
        required.append(or_(*options))
    return and_(*required) if required else None


def _contains(word: str, *columns: Any, dialect: str = "") -> Any:
    # SQLite's LIKE already ignores ASCII case, which is all lower() folds there: without lower()
    # each row is not copied first (a table scan three times faster).
    if dialect == "sqlite":
        return or_(*(c.contains(word, autoescape=True) for c in columns))
    return or_(*(func.lower(c).contains(word, autoescape=True) for c in columns))


def _starts_word(word: str, *columns: Any, dialect: str = "") -> Any:
    """Rows where ``word`` (ASCII letters and digits) may start a word of a field: at the start,
    or after a character that is no ASCII letter or digit. It passes every row where the
    pattern finds the word at a word's start (a letter of another script before it passes too,
    and Python decides), and far fewer rows than ``_contains`` for a short word: "us" is in
    "Rusk" and "Russia", but starts neither. Both backends read every row for it, testing the
    pattern (GLOB, a regular expression) only where LIKE has found the word: at 200,004 events
    ``search US`` went from 7.0 s to 2.0 s, the rows Python matched no longer most of them."""
    # the cheap LIKE first, the pattern only where it has found the word
    return or_(
        *(
            and_(_contains(word, c, dialect=dialect), _at_word_start(word, c, dialect))
            for c in columns
        )
    )


def _at_word_start(word: str, column: Any, dialect: str) -> Any:
    if dialect == "sqlite":  # GLOB, a class per letter for its two cases
        glob = "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)
        return or_(column.op("GLOB")(f"{glob}*"), column.op("GLOB")(f"*[^0-9A-Za-z]{glob}*"))
    return func.lower(column).op("~")(f"(^|[^a-z0-9]){word}")


_TRIGRAM = 3  # the shortest word a trigram index finds; a shorter one is read by LIKE or GLOB


def _indexed(
    word: str, anchored: bool, table_name: str, id_column: Any, *columns: Any, dialect: str
) -> Any:
    """``_contains`` of the fields of ``table_name`` that migration 0009 indexes by trigram.

    On SQLite the rows come from the table's FTS5 trigram table, ``search_index_<table>``: a
    phrase of one word finds it anywhere in a field, folding case as LIKE does and more (Unicode
    case folding), so it passes every row LIKE would. On PostgreSQL ``_contains``'s own
    ``lower(field) LIKE`` reads the GIN trigram index on ``lower(field)``. A word too short for
    the index is read from every row: where it must start a word (``anchored``), by
    ``_starts_word``.
    """
    if dialect != "sqlite" or len(word) < _TRIGRAM:
        if anchored and len(word) < _TRIGRAM:
            return _starts_word(word, *columns, dialect=dialect)
        return _contains(word, *columns, dialect=dialect)
    index = table(f"search_index_{table_name}", column("rowid"))
    match = literal_column(index.name).op("MATCH")('"' + word.replace('"', '""') + '"')
    return id_column.in_(select(index.c.rowid).where(match))


def _actor_holds(dialect: str) -> Holds:
    def holds(word: str, anchored: bool) -> Any:
        fields = (Actor.name, Actor.key, Actor.description)
        alias = _indexed(
            word, anchored, "actor_aliases", ActorAlias.id, ActorAlias.alias, dialect=dialect
        )
        office = _indexed(word, anchored, "offices", Office.id, Office.title, dialect=dialect)
        # One set of ids: PostgreSQL ORs the indexes of a table's fields (a bitmap), but reads
        # every actor to test "id IN (subquery) OR …".
        own = select(Actor.id).where(
            _indexed(word, anchored, "actors", Actor.id, *fields, dialect=dialect)
        )
        return Actor.id.in_(
            union(
                own,
                select(ActorAlias.actor_id).where(alias),
                select(Office.actor_id).where(office),
            )
        )

    return holds


def _statute_holds(dialect: str) -> Holds:
    """Every field a statute is matched on, its citation (the act's title) included."""

    def holds(word: str, anchored: bool) -> Any:
        fields = (
            Statute.title,
            Statute.short_title,
            Statute.popular_title,
            Statute.public_law,
            Statute.section,
            Statute.chapter,
            Statute.bill,
            Statute.key,
            Statute.statutes_at_large,
            Statute.us_code,
        )
        acts = select(_ACT.id).where(
            _indexed(word, anchored, "statutes", _ACT.id, _ACT.title, dialect=dialect)
        )
        clauses = [
            _indexed(word, anchored, "statutes", Statute.id, *fields, dialect=dialect),
            Statute.parent_id.in_(acts),
        ]
        if word in "section":  # the section is matched as "Section 307"
            clauses.append(Statute.section.is_not(None))
        return or_(*clauses)

    return holds


_ACT = aliased(Statute)
_FIRST_CHUNK = 100
_STREAM_BATCH = 500  # rows at a time from the statement that reads the rest; a batch of
# actors is one IN list for their aliases and offices


def _in_key_order(
    session: Session, query: Any, key: Any, condition: ColumnElement[bool] | None
) -> Iterator[list[Any]]:
    """The rows of ``query`` that pass ``condition``, in the order of Python's ``sorted`` on key.

    The first rows come alone (the database keeps only them as it sorts), so that a search that
    has its hits there stops without sorting every candidate of a million-row table; the rest
    come from one more statement, read a batch at a time (a server-side cursor on PostgreSQL),
    so that memory stays flat and no candidate is tested twice. Keys are compared as code
    points, as Python compares strings (:func:`code_point_order`).
    """
    dialect = session.get_bind().dialect.name
    key = code_point_order(key, dialect)
    # On SQLite, ordering by the bare key would walk its index, fetching each row apart: a word
    # found in no record then reads the whole table that slow way. Ordering by an expression
    # scans the table once and sorts the candidates (the key's binary collation is kept).
    order = key.concat("") if dialect == "sqlite" else key
    if condition is not None:
        query = query.where(condition)
    first = list(session.execute(query.order_by(order).limit(_FIRST_CHUNK)).all())
    if first:
        yield first
    if len(first) < _FIRST_CHUNK:
        return
    rest = query.where(key > first[-1][-1]).order_by(order)
    result = session.execute(rest, execution_options={"yield_per": _STREAM_BATCH})
    try:
        for rows in result.partitions():
            yield list(rows)
    finally:
        result.close()


def _fields(
    session: Session,
    kind: str | None,
    groups: tuple[tuple[tuple[str, ...], ...], ...] = (),
) -> Iterator[tuple[str, str, str | None, str, list[tuple[str, str]]]]:
    """(kind, key, document, title, [(field, value)]) for every record that can match ``groups``.

    Each kind is narrowed in SQL to the records that hold every word (hundreds of thousands of
    actors and documents after ingest) and read in key order, lazily: a caller that has its
    hits stops the reading.
    """
    dialect = session.get_bind().dialect.name
    if kind in (None, "statute"):
        for chunk in _in_key_order(
            session,
            select(Statute.id, Statute.key),
            Statute.key,
            _could_match(groups, _statute_holds(dialect)),
        ):
            query = select(Statute).options(selectinload(Statute.parent))
            statutes = _by_id(session, query, Statute.id, chunk)
            for statute in statutes:
                values = [
                    ("citation", statute.citation),
                    ("title", statute.title),
                    ("short title", statute.short_title),
                    ("popular title", statute.popular_title),
                    ("public law", statute.public_law),
                    ("section", f"Section {statute.section}" if statute.section else None),
                    ("chapter", statute.chapter),
                    ("bill", statute.bill),
                    ("key", statute.key),
                ]
                yield "statute", statute.key, None, statute.citation, _present(values)
    if kind in (None, "actor"):
        for chunk in _in_key_order(  # at most _STREAM_BATCH actors: one query for their links
            session,
            select(Actor.id, Actor.name, Actor.description, Actor.key),
            Actor.key,
            _could_match(groups, _actor_holds(dialect)),
        ):
            ids = [actor_id for actor_id, *_ in chunk]
            aliases = _by_actor(session, ActorAlias.alias, ActorAlias.alias, ids)
            offices = _by_actor(session, Office.title, Office.term_start, ids)
            for actor_id, name, description, key in chunk:
                values = [("name", name), ("key", key)]
                values += [("alias", alias) for alias in aliases.get(actor_id, ())]
                values += [("office", title) for title in offices.get(actor_id, ())]
                values.append(("description", description))
                yield "actor", key, None, name, _present(values)
    if kind in (None, "document"):
        fields = (Document.key, Document.doc_number, Document.citation)
        condition = _could_match(
            groups,
            lambda w, anchored: _indexed(
                w, anchored, "documents", Document.id, *fields, dialect=dialect
            ),
        )
        for chunk in _in_key_order(
            session,
            select(Document.title, Document.doc_number, Document.citation, Document.key),
            Document.key,
            condition,
        ):
            for title, number, citation, key in chunk:
                values = [("key", key), ("number", number), ("citation", citation)]
                yield "document", key, key, title, _present(values)


def _by_actor(session: Session, field: Any, order: Any, ids: list[int]) -> dict[int, list[str]]:
    """``field`` of the aliases or offices of the actors ``ids``, each actor's in the order of
    its relationship (``Actor.aliases``, ``Actor.offices``): plain values, not ORM objects, so
    that reading every actor of a large table costs little and keeps nothing."""
    table = field.class_
    found: dict[int, list[str]] = {}
    query = select(table.actor_id, field).where(table.actor_id.in_(ids)).order_by(order)
    for actor_id, value in session.execute(query):
        found.setdefault(actor_id, []).append(value)
    return found


def _by_id(session: Session, query: Any, id_column: Any, chunk: list[Any]) -> list[Any]:
    """The objects of ``chunk``'s (id, key) rows, in the chunk's order."""
    loaded = {o.id: o for o in session.scalars(query.where(id_column.in_([r[0] for r in chunk])))}
    return [loaded[row[0]] for row in chunk]


def _present(values: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in values if value]


def search_records(
    session: Session,
    groups: tuple[tuple[tuple[str, ...], ...], ...],
    excluded: tuple[tuple[str, ...], ...],
    kind: str | None = None,
    limit: int | None = None,
) -> list[RecordHit]:
    """Records every group matches (a group: words, or phrases joined by OR) and no exclusion.

    In order: statutes, actors, documents, each by key; the first ``limit`` of them if given.
    """
    wanted = [[_pattern(words) for words in group] for group in groups]
    unwanted = [_pattern(words) for words in excluded]
    found = []
    for record_kind, key, document, title, values in _fields(session, kind, groups):
        texts = [value for _name, value in values]
        if any(p.search(t) for p in unwanted for t in texts):
            continue
        if not all(any(p.search(t) for p in group for t in texts) for group in wanted):
            continue
        patterns = [p for group in wanted for p in group]
        name, value = next((n, v) for n, v in values if any(p.search(v) for p in patterns))
        found.append(
            RecordHit(record_kind, key, document, title, f"{name}: {_marked(value, patterns)}")
        )
        if len(found) == limit:
            break  # the rest would not be shown: they are not read
    return found


def _marked(value: str, patterns: list[re.Pattern[str]]) -> str:
    """The value on one line, each matched word marked, cut around the first match if long."""
    spans = sorted({m.span() for p in patterns for m in p.finditer(value)})
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out, at = [], 0
    for start, end in merged:
        out.append(value[at:start])
        out.append(re.sub(r"\S+", lambda w: f"{_MARK}{w.group()}{_MARK}", value[start:end]))
        at = end
    out.append(value[at:])
    text = " ".join("".join(out).split())
    if len(text) <= _SNIPPET_CHARS:
        return text
    first = text.find(_MARK)
    begin = max(0, text.rfind(" ", 0, max(0, first - 40)) + 1) if first > 40 else 0
    cut = text[begin : begin + _SNIPPET_CHARS]
    if begin + _SNIPPET_CHARS < len(text):
        cut = cut[: cut.rfind(" ")] + "…"
    return ("…" if begin else "") + cut
