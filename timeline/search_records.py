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
from sqlalchemy.orm import Session, selectinload
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


def _contains(word: str, *columns: Any) -> Any:
    return or_(*(func.lower(c).contains(word, autoescape=True) for c in columns))


def _actor_holds(word: str) -> Any:
    return or_(
        _contains(word, Actor.name, Actor.key, Actor.description),
        Actor.id.in_(select(ActorAlias.actor_id).where(_contains(word, ActorAlias.alias))),
        Actor.id.in_(select(Office.actor_id).where(_contains(word, Office.title))),
    )


def _fields(
    session: Session,
    kind: str | None,
    groups: tuple[tuple[tuple[str, ...], ...], ...] = (),
) -> Iterator[tuple[str, str, str | None, str, list[tuple[str, str]]]]:
    """(kind, key, document, title, [(field, value)]) for every record that can be searched."""
    if kind in (None, "statute"):
        statutes = session.scalars(select(Statute).options(selectinload(Statute.parent))).all()
        for statute in sorted(statutes, key=lambda s: s.key):
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
        query = select(Actor).options(selectinload(Actor.aliases), selectinload(Actor.offices))
        condition = _could_match(groups, _actor_holds)
        actors = session.scalars(query if condition is None else query.where(condition)).all()
        for actor in sorted(actors, key=lambda a: a.key):
            values = [("name", actor.name), ("key", actor.key)]
            values += [("alias", alias.alias) for alias in actor.aliases]
            values += [("office", office.title) for office in actor.offices]
            values.append(("description", actor.description))
            yield "actor", actor.key, None, actor.name, _present(values)
    if kind in (None, "document"):
        # After ingest there are hundreds of thousands of documents: SQL narrows them first.
        query = select(Document.key, Document.title, Document.doc_number, Document.citation)
        condition = _could_match(
            groups, lambda w: _contains(w, Document.key, Document.doc_number, Document.citation)
        )
        rows = session.execute(query if condition is None else query.where(condition)).all()
        for key, title, number, citation in sorted(rows):
            values = [("key", key), ("number", number), ("citation", citation)]
            yield "document", key, key, title, _present(values)


def _present(values: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in values if value]


def search_records(
    session: Session,
    groups: tuple[tuple[tuple[str, ...], ...], ...],
    excluded: tuple[tuple[str, ...], ...],
    kind: str | None = None,
) -> list[RecordHit]:
    """Records every group matches (a group: words, or phrases joined by OR) and no exclusion.

    In order: statutes, actors, documents, each by key.
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
