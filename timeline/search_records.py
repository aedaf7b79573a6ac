"""Search over the tables the full-text index does not hold: actors, statutes, and the
documents' identifiers (key, number, citation).

Statutes hold tens of rows, so they are read whole; actors and documents (hundreds of thousands
after ingest) are first narrowed in SQL to those holding every word. Each is matched here, in
Python, with the query ``timeline.search`` parsed: the same on every backend by construction.
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

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.sql.elements import ColumnElement

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


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    identifier = any(re.search(r"\d", w) and re.search(r"[^\W\d_]", w) for w in words)
    start = "" if identifier else r"(?<![^\W_])"
    body = r"[\W_]+".join(re.escape(w) for w in words)
    return re.compile(start + body + r"[^\W_]*", re.IGNORECASE)


def _could_match(
    groups: tuple[tuple[tuple[str, ...], ...], ...], holds: Callable[[str], Any]
) -> ColumnElement[bool] | None:
    """A WHERE clause every record that matches the groups passes (more may pass: Python decides).

    A pattern matches only where each of its words occurs, in any case, so a record must hold
    each word of some phrase of every group (``holds(word)``: in one of its fields). Only ASCII
    words constrain:
    SQLite's lower() folds ASCII alone, where Python's IGNORECASE folds every script.
    """
    required = []
    for group in groups:
        options = []
        for words in group:
            ascii_words = [w.lower() for w in words if w.isascii()]
            if not ascii_words:
                return None  # this group could match anything: no clause can be exact
            options.append(and_(*(holds(w) for w in ascii_words)))
        required.append(or_(*options))
    return and_(*required) if required else None


def _contains(word: str, *columns: Any, dialect: str = "") -> Any:
    # SQLite's LIKE already ignores ASCII case, which is all lower() folds there: without lower()
    # each row is not copied first (a table scan three times faster).
    if dialect == "sqlite":
        return or_(*(c.contains(word, autoescape=True) for c in columns))
    return or_(*(func.lower(c).contains(word, autoescape=True) for c in columns))


def _actor_holds(dialect: str) -> Callable[[str], Any]:
    def holds(word: str) -> Any:
        return or_(
            _contains(word, Actor.name, Actor.key, Actor.description, dialect=dialect),
            Actor.id.in_(
                select(ActorAlias.actor_id).where(
                    _contains(word, ActorAlias.alias, dialect=dialect)
                )
            ),
            Actor.id.in_(
                select(Office.actor_id).where(_contains(word, Office.title, dialect=dialect))
            ),
        )

    return holds


def _statute_holds(dialect: str) -> Callable[[str], Any]:
    """Every field a statute is matched on, its citation (the act's title) included."""

    def holds(word: str) -> Any:
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
        acts = select(_ACT.id).where(_contains(word, _ACT.title, dialect=dialect))
        clauses = [_contains(word, *fields, dialect=dialect), Statute.parent_id.in_(acts)]
        if word in "section":  # the section is matched as "Section 307"
            clauses.append(Statute.section.is_not(None))
        return or_(*clauses)

    return holds


_ACT = aliased(Statute)
_FIRST_CHUNK = 100


def _in_key_order(
    session: Session, query: Any, key: Any, condition: ColumnElement[bool] | None
) -> Iterator[list[Any]]:
    """The rows of ``query`` that pass ``condition``, in the order of Python's ``sorted`` on key.

    Read in chunks, each twice the one before, so that a search that has its hits after the
    first rows stops there rather than reading every candidate of a million-row table. Keys are
    compared as code points, as Python compares strings: SQLite's binary collation does so, and
    on PostgreSQL the "C" collation (the database's own may sort otherwise).
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        key = key.collate("C")
    # On SQLite, ordering by the bare key would walk its index, fetching each row apart: a word
    # found in no record then reads the whole table that slow way. Ordering by an expression
    # scans the table once and keeps the first rows (the key's binary collation is kept).
    order = key.concat("") if dialect == "sqlite" else key
    if condition is not None:
        query = query.where(condition)
    size, last = _FIRST_CHUNK, None
    while True:
        chunk = query if last is None else query.where(key > last)
        rows = list(session.execute(chunk.order_by(order).limit(size)).all())
        if rows:
            yield rows
        if len(rows) < size:
            return
        last, size = rows[-1][-1], size * 2


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
        for chunk in _in_key_order(
            session,
            select(Actor.id, Actor.key),
            Actor.key,
            _could_match(groups, _actor_holds(dialect)),
        ):
            query = select(Actor).options(selectinload(Actor.aliases), selectinload(Actor.offices))
            for actor in _by_id(session, query, Actor.id, chunk):
                values = [("name", actor.name), ("key", actor.key)]
                values += [("alias", alias.alias) for alias in actor.aliases]
                values += [("office", office.title) for office in actor.offices]
                values.append(("description", actor.description))
                yield "actor", actor.key, None, actor.name, _present(values)
    if kind in (None, "document"):
        condition = _could_match(
            groups,
            lambda w: _contains(
                w, Document.key, Document.doc_number, Document.citation, dialect=dialect
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
