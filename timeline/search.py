"""Full-text search over document texts, event titles and descriptions, and quotes; with
actors, statutes and the documents' identifiers matched in ``timeline.search_records``.

The index lives in the database and triggers keep it current (migration 0003): FTS5 on SQLite, a
``tsvector`` with a GIN index on PostgreSQL. A query is parsed here, once, into words, "phrases",
``OR`` and ``-exclusions``, and written out for each backend from its parsed form, never from the
raw text, so no input is a syntax error. Both backends split words at the same characters, fold
typographic apostrophes the same way, and skip the same common words (PostgreSQL's English stop
list), so they find the same things; only the ranking formulas differ (bm25 and ts_rank).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from timeline.errors import SearchError
from timeline.search_records import RECORD_KINDS, search_records
from timeline.textmatch import fold

__all__ = [
    "HIT_KINDS",
    "KINDS",
    "MARK",
    "Hit",
    "SearchQuery",
    "Term",
    "is_search_index",
    "is_search_table",
    "parse_query",
    "search",
]

SEARCH_TABLE = "search_index"

# An entry's id is its kind's code plus four times the id of its row (migration 0003).
KINDS: dict[str, int] = {"document": 1, "event": 2, "quote": 3}
_KIND_OF_CODE = {code: kind for kind, code in KINDS.items()}
_STRIDE = 4
HIT_KINDS = (*KINDS, *RECORD_KINDS)  # what a hit can be, and what --kind accepts

MARK = "**"  # around each matched word in a snippet, on both backends
_SNIPPET_WORDS = 24

# PostgreSQL's english.stop (the Snowball list). Its english configuration does not index these;
# the query leaves them out on SQLite too, so both backends answer alike.
_ENGLISH_STOP = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that
these those am is are was were be been being have has had having do does did doing a an the and
but if or because as until while of at by for with about against between into through during
before after above below to from up down in out on off over under again further then once here
there when where why how all any both each few more most other some such no nor not only own
same so than too very s t can will just don should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP.split())

MAX_WORDS = 200  # in all its terms, common words at their ends left out
_WORD = re.compile(r"[^\W_]+")  # letters and digits: where FTS5's unicode61 splits words
_TOKEN = re.compile(r'(-)?"([^"]*)(?:"|$)|(-)?([^\s"]+)')


def is_search_table(name: str) -> bool:
    """The search index, the record search's trigram tables on SQLite (migration 0009), and
    the shadow tables FTS5 keeps for them."""
    return name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_")


def is_search_index(name: str) -> bool:
    """The record search's trigram indexes on PostgreSQL (migration 0009)."""
    return name.startswith("search_trgm_")


# --- the query ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word, or several that must stand together (a phrase, or "Department's")."""

    words: tuple[str, ...]

    def fts5(self) -> str:
        return '"' + " ".join(self.words) + '"'  # words are letters and digits only

    def tsquery(self) -> str:
        return " <-> ".join(self.words)

    def __str__(self) -> str:
        return " ".join(self.words) if len(self.words) == 1 else f'"{" ".join(self.words)}"'


@dataclass(frozen=True)
class SearchQuery:
    """Every group must match (a group is one term, or terms joined by OR); no exclusion may."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    def fts5(self) -> str:
        """An FTS5 MATCH expression."""
        positive = " AND ".join(_joined([t.fts5() for t in group], "OR") for group in self.groups)
        if not self.excluded:
            return positive
        return f"({positive}) NOT {_joined([t.fts5() for t in self.excluded], 'OR')}"

    def tsquery(self) -> str:
        """A ``to_tsquery`` expression."""
        positive = " & ".join(
            _joined([f"({t.tsquery()})" for t in group], "|") for group in self.groups
        )
        if not self.excluded:
            return positive
        return f"({positive}) & !{_joined([f'({t.tsquery()})' for t in self.excluded], '|')}"

    def highlight_tsquery(self) -> str:
        """Any of the terms sought: ``ts_headline`` marks each one wherever it stands."""
        return " | ".join(f"({t.tsquery()})" for group in self.groups for t in group)

    def __str__(self) -> str:
        parts = [" OR ".join(str(t) for t in group) for group in self.groups]
        return " ".join(parts + [f"-{t}" for t in self.excluded])


def _joined(parts: list[str], operator: str) -> str:
    return parts[0] if len(parts) == 1 else "(" + f" {operator} ".join(parts) + ")"


def _term(raw: str) -> Term | None:
    """The words of a chunk of the query, less the common words at its ends; None if none left."""
    words = _WORD.findall(raw.lower())
    while words and words[0] in STOP_WORDS:
        words.pop(0)
    while words and words[-1] in STOP_WORDS:
        words.pop()
    return Term(tuple(words)) if words else None


def parse_query(query: str) -> SearchQuery:
    """Words (all must match), "quoted phrases", ``OR`` between two of them, ``-word`` to exclude.

    Typographic apostrophes, quotation marks and dashes count as their ASCII forms. Raises
    ``SearchError`` when nothing is left to search for.
    """
    folded = fold(unicodedata.normalize("NFC", query))
    if not folded:
        raise SearchError("nothing to search for: the query is empty")
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    common: list[str] = []
    join_next = False  # an OR stood between the last term and this one
    for match in _TOKEN.finditer(folded):
        phrase_minus, phrase, word_minus, chunk = match.groups()
        if chunk == "OR" and not word_minus:
            join_next = bool(groups)
            continue
        raw = phrase if phrase is not None else chunk
        term = _term(raw)
        if term is None:
            common.extend(_WORD.findall(raw.lower()))
            continue
        if phrase_minus or word_minus:
            excluded.append(term)
            join_next = False
        elif join_next:
            groups[-1].append(term)
            join_next = False
        else:
            groups.append([term])
    if not groups:
        raise SearchError(f"nothing to search for in {query!r}: {_why_empty(common, excluded)}")
    words = sum(len(term.words) for term in (*itertools.chain(*groups), *excluded))
    if words > MAX_WORDS:
        # Each word is a condition of the SQL: thousands overflow SQLite's expression tree.
        raise SearchError(
            f"the query has {words} words; search takes {MAX_WORDS} at most (a passage of a "
            "few distinctive words finds it)"
        )
    return SearchQuery(tuple(tuple(g) for g in groups), tuple(excluded))


def _why_empty(common: list[str], excluded: list[Term]) -> str:
    if excluded:
        return "it only excludes words (-word); give a word to find as well"
    if common:
        names = ", ".join(f"'{w}'" for w in dict.fromkeys(common))
        return f"{names} {'is' if len(set(common)) == 1 else 'are'} too common to search for"
    return 'give a word or a "phrase"'


# --- searching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One match: a document, an event (title or description) or a quote (an event's evidence).

    ``key`` is the document's key, or the event's for an event or a quote; ``document`` is the
    quote's document (and the document's own key for a document). A quote carries its offsets
    into the document's text.
    """

    rank: int
    kind: str
    key: str
    document: str | None
    title: str
    snippet: str
    char_start: int | None = None
    char_end: int | None = None

    def row(self) -> dict[str, Any]:
        return asdict(self)


def search(session: Session, query: str, kind: str | None = None, limit: int = 20) -> list[Hit]:
    """The best ``limit`` matches for ``query``, best first; ``kind`` keeps one kind of hit.

    Statutes, actors and documents whose names or identifiers match come first (they are what
    the words name), then the full-text hits, ranked; a document is listed once.
    """
    if kind is not None and kind not in HIT_KINDS:
        raise SearchError(f"unknown kind '{kind}' (known: {', '.join(HIT_KINDS)})")
    if limit < 1:
        raise SearchError(f"the limit must be at least 1, not {limit}")
    parsed = parse_query(query)
    records = search_records(
        session,
        tuple(tuple(t.words for t in group) for group in parsed.groups),
        tuple(t.words for t in parsed.excluded),
        kind,
        limit,
    )
    hits = [Hit(0, r.kind, r.key, r.document, r.title, r.snippet) for r in records]
    # Records come first: when they fill the limit, no full-text hit would be shown.
    if len(hits) < limit and (kind is None or kind in KINDS):
        named = {hit.key for hit in hits if hit.kind == "document"}
        hits += [
            hit
            for hit in _hits(session, _indexed(session, parsed, kind, limit))
            if not (hit.kind == "document" and hit.key in named)
        ]
    return [replace(hit, rank=rank) for rank, hit in enumerate(hits[:limit], start=1)]


def _indexed(
    session: Session, parsed: SearchQuery, kind: str | None, limit: int
) -> list[tuple[int, str]]:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _postgresql(session, parsed, kind, limit)
    if dialect == "sqlite":
        return _sqlite(session, parsed, kind, limit)
    raise SearchError(f"search does not support {dialect} databases")  # pragma: no cover


def _sqlite(
    session: Session, query: SearchQuery, kind: str | None, limit: int
) -> list[tuple[int, str]]:
    where = f" AND rowid % {_STRIDE} = :code" if kind else ""
    match = f"FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :query"
    found = [
        int(sid)
        for (sid,) in session.execute(
            text(
                f"SELECT rowid {match}{where} ORDER BY bm25({SEARCH_TABLE}, 10.0, 1.0, 1.0), "
                f"rowid % {_STRIDE}, rowid LIMIT :limit"
            ),
            {"query": query.fts5(), "code": KINDS.get(kind or ""), "limit": limit},
        )
    ]
    if not found:
        return []
    # Snippets only for the hits shown, each column on its own: see _snippet.
    columns = ", ".join(
        f"snippet({SEARCH_TABLE}, {n}, :mark, :mark, '…', {_SNIPPET_WORDS})" for n in range(3)
    )
    rows = session.execute(
        text(f"SELECT rowid, {columns} {match} AND rowid IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"query": query.fts5(), "mark": MARK, "ids": found},
    )
    snippets = {
        int(sid): _snippet(body if MARK in body or MARK not in title else title, readings)
        for sid, title, body, readings in rows
    }
    return [(sid, snippets.get(sid, "")) for sid in found]


def _snippet(main: str, readings: str | None) -> str:
    """The text around the match, then the readings that matched (one a line in the index)."""
    snippet = _one_line(_marked_by_word(main))
    matched = [
        _one_line(line) for line in _marked_by_word(readings or "").splitlines() if MARK in line
    ]
    if matched:
        snippet += f" [reading: {'; '.join(matched)}]"
    return snippet


# What ts_headline highlights for each kind, folded as the index folds it: the text, its readings.
_PG_READINGS = (
    "(SELECT string_agg(r.reading, E'\\n' ORDER BY r.first) FROM (SELECT reading, "
    "min(char_start) AS first FROM document_readings WHERE {where} GROUP BY reading) r)"
)
_PG_HEADLINE_SOURCES = {
    1: (
        "documents",
        "concat_ws(E'\\n', t.title, t.subject, t.text)",
        _PG_READINGS.format(where="document_id = t.id"),
    ),
    2: ("events", "concat_ws(E'\\n', t.title, t.description)", "NULL"),
    3: (
        "event_sources",
        "t.quote",
        _PG_READINGS.format(
            where="document_id = t.document_id AND char_start < t.char_end "
            "AND char_end > t.char_start"
        ),
    ),
}


def _postgresql(
    session: Session, query: SearchQuery, kind: str | None, limit: int
) -> list[tuple[int, str]]:
    where = f" AND sid % {_STRIDE} = :code" if kind else ""
    tsquery = query.tsquery()
    found = [
        int(sid)
        for (sid,) in session.execute(
            text(
                f"SELECT sid FROM {SEARCH_TABLE}, to_tsquery('english', :query) AS q "
                f"WHERE tsv @@ q{where} "
                f"ORDER BY ts_rank(tsv, q, 1) DESC, sid % {_STRIDE}, sid LIMIT :limit"
            ),
            {"query": tsquery, "code": KINDS.get(kind or ""), "limit": limit},
        )
    ]
    options = (
        f"StartSel={MARK}, StopSel={MARK}, MaxFragments=1, "
        f"MaxWords={_SNIPPET_WORDS}, MinWords={_SNIPPET_WORDS // 2}"
    )
    # Each headline with where its text stands in the source and the source's length, so that
    # an ellipsis can mark what it leaves out, as FTS5's snippets do.
    headline = (
        "ts_headline('english', {s}, q, :options) AS {s}_h, "
        "strpos({s}, replace(ts_headline('english', {s}, q, :options), :mark, '')) AS {s}_at, "
        "length({s}) AS {s}_n"
    )
    snippets: dict[int, str] = {}
    for code, (table, main, readings) in _PG_HEADLINE_SOURCES.items():
        ids = [sid // _STRIDE for sid in found if sid % _STRIDE == code]
        if not ids:
            continue
        rows = session.execute(
            text(
                f"SELECT id, {headline.format(s='main')}, {headline.format(s='readings')} "
                f"FROM (SELECT t.id, search_fold({main}) AS main, search_fold({readings}) "
                f"AS readings FROM {table} t WHERE t.id IN :ids) AS sources, "
                "to_tsquery('english', :query) AS q"
            ).bindparams(bindparam("ids", expanding=True)),
            {"query": query.highlight_tsquery(), "options": options, "mark": MARK, "ids": ids},
        )
        for row_id, *parts in rows:
            main_text, readings_text = _ellipsized(*parts[:3]), _ellipsized(*parts[3:])
            snippets[row_id * _STRIDE + code] = _snippet(main_text or "", readings_text)
    return [(sid, snippets.get(sid, "")) for sid in found]


def _ellipsized(headline: str | None, at: int | None, length: int | None) -> str | None:
    if headline is None or at is None or length is None:
        return None
    before = "…" if at != 1 else ""
    after = "…" if at < 1 or at - 1 + len(headline.replace(MARK, "")) < length else ""
    return before + headline + after


_MARKED = re.compile(re.escape(MARK) + "(.+?)" + re.escape(MARK), re.DOTALL)


def _marked_by_word(snippet: str) -> str:
    """Each matched word marked on its own, as ts_headline does (FTS5 marks a phrase as one)."""
    return _MARKED.sub(
        lambda m: re.sub(r"\S+", lambda w: f"{MARK}{w.group()}{MARK}", m.group(1)), snippet
    )


def _one_line(snippet: str) -> str:
    return " ".join(snippet.split())


def _hits(session: Session, found: list[tuple[int, str]]) -> list[Hit]:
    """Name each entry: keys and titles come from the tables, so they are always current."""
    ids: dict[int, list[int]] = {code: [] for code in _KIND_OF_CODE}
    for sid, _snippet in found:
        ids[sid % _STRIDE].append(sid // _STRIDE)
    names: dict[int, tuple[str, str | None, str, int | None, int | None]] = {}
    queries = {
        1: "SELECT id, key, key, title, NULL, NULL FROM documents WHERE id IN :ids",
        2: "SELECT id, key, NULL, title, NULL, NULL FROM events WHERE id IN :ids",
        3: "SELECT s.id, e.key, d.key, e.title, s.char_start, s.char_end FROM event_sources s "
        "JOIN events e ON e.id = s.event_id JOIN documents d ON d.id = s.document_id "
        "WHERE s.id IN :ids",
    }
    for code, sql in queries.items():
        if not ids[code]:
            continue
        statement = text(sql).bindparams(bindparam("ids", expanding=True))
        for row_id, key, document, title, start, end in session.execute(
            statement, {"ids": ids[code]}
        ):
            names[row_id * _STRIDE + code] = (key, document, title, start, end)
    return [
        Hit(0, _KIND_OF_CODE[sid % _STRIDE], *names[sid][:3], snippet, *names[sid][3:])
        for sid, snippet in found
        if sid in names  # the triggers keep the index in step
    ]
