"""Search reads from the actors and documents tables only the rows that could match, not the
whole tables (hundreds of thousands of documents after ingest), and finds them through trigram
indexes (migration 0009), not by reading every row; what it finds is unchanged."""

from __future__ import annotations

import re
import sqlite3

import pytest
from conftest import execute
from sqlalchemy import event

import timeline.search_records as records
from timeline.db import Database
from timeline.models import Actor, Document
from timeline.search import parse_query, search
from timeline.search_records import _fields, search_records

# The main full-text index, not the record search's search_index_<table>.
MAIN_INDEX = re.compile(r"\bsearch_index\b")
TRIGRAM_TABLES = [
    "search_index_actors",
    "search_index_actor_aliases",
    "search_index_offices",
    "search_index_documents",
    "search_index_statutes",
]


def test_only_candidate_actors_and_documents_are_read(seeded: str) -> None:
    groups = ((("rusk",),),)
    with Database.open(seeded).session() as session:
        actors = session.query(Actor).count()
        documents = session.query(Document).count()
        read = list(_fields(session, None, groups))
        hits = search_records(session, groups, ())
    read_actors = [r for r in read if r[0] == "actor"]
    read_documents = [r for r in read if r[0] == "document"]
    assert 1 <= len(read_actors) < actors
    assert len(read_documents) < documents
    assert [h.key for h in hits if h.kind == "actor"] == [
        r[1] for r in read_actors if "rusk" in r[1]
    ]


def test_a_word_in_any_script_still_reads_everything(seeded: str) -> None:
    """SQL cannot fold non-ASCII case as Python does: such a word does not narrow the read."""
    with Database.open(seeded).session() as session:
        actors = session.query(Actor).count()
        read = list(_fields(session, "actor", ((("rüsk",),),)))
    assert len(read) == actors


def test_records_stop_at_the_limit_and_keep_their_order(seeded: str) -> None:
    """The first N records are the first N of the whole list: reading stops once they are found."""
    groups = ((("secretary",),),)
    with Database.open(seeded).session() as session:
        every = search_records(session, groups, ())
        first = search_records(session, groups, (), limit=2)
    assert len(every) > 2
    assert first == every[:2]


def test_no_full_text_query_when_records_fill_the_limit(seeded: str) -> None:
    """Records are listed first: when they fill the limit no full-text hit could be shown."""
    database = Database.open(seeded)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", seen)
    with database.session() as session:
        hits = search(session, "secretary", limit=1)
        assert [h.kind for h in hits] == ["actor"]
        assert not any(MAIN_INDEX.search(s) for s in statements)
        statements.clear()
        assert len(search(session, "secretary", limit=200)) > 1
    assert any(MAIN_INDEX.search(s) for s in statements)


def _statements(url: str, query: str) -> list[tuple[str, object]]:
    """The statements (with their parameters) the record search runs for ``query``."""
    database = Database.open(url)
    seen: list[tuple[str, object]] = []

    def note(
        _conn: object, _cursor: object, statement: str, parameters: object, *_: object
    ) -> None:
        seen.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", note)
    with database.session() as session:
        search_records(session, ((tuple(query.split()),),), ())
    database.dispose()
    return seen


def test_record_search_reads_trigram_indexes_not_tables(seeded: str, backend: str) -> None:
    """No row of actors, their aliases and offices, or documents is read to test a word: the
    candidates come from the trigram indexes, then each by its id (the query plan shows it)."""
    if backend == "postgresql":
        _postgresql_reads_trigram_indexes(seeded)
        return
    connection = sqlite3.connect(seeded)
    plans = []
    for statement, parameters in _statements(seeded, "treasury"):
        if "MATCH" in statement:
            plan = connection.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            plans.append([row[3] for row in plan])
    connection.close()
    steps = [step for plan in plans for step in plan]
    assert len(plans) == 3  # statutes, actors, documents
    for name in ("actors", "actor_aliases", "offices", "documents"):
        assert f"SCAN {name}" not in steps
        assert f"SEARCH {name} USING INTEGER PRIMARY KEY (rowid=?)" in steps
        assert any(step.startswith(f"SCAN search_index_{name} VIRTUAL TABLE") for step in steps)
    assert not any("LIKE" in statement for statement, _ in _statements(seeded, "treasury"))


def _postgresql_reads_trigram_indexes(url: str) -> None:
    """PostgreSQL chooses by its statistics (a seed's few rows it reads whole): with sequential
    scans priced out, the plans show that each field's trigram index can answer the query.
    (The seed's aliases are so few that reading a whole B-tree index of them costs less than
    the trigram index; on 50,000 events' aliases the plan takes the trigram index.)"""
    database = Database.open(url)
    steps: list[str] = []
    with database.connect() as connection:
        connection.exec_driver_sql("ANALYZE actors, actor_aliases, offices, documents, statutes")
        connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in _statements(url, "treasury"):
            if "LIKE" in statement:
                plan = connection.exec_driver_sql("EXPLAIN " + statement, parameters)  # type: ignore[arg-type]
                steps += [line.strip() for (line,) in plan]
    database.dispose()
    fields = {
        "actors": ("name", "key", "description"),
        "actor_aliases": (),
        "offices": ("title",),
        "documents": ("key", "doc_number", "citation"),
    }
    for table, names in fields.items():
        assert not any(step.startswith(f"Seq Scan on {table} ") for step in steps), steps
        for name in names:
            assert any(f"Bitmap Index Scan on search_trgm_{table}_{name}" in s for s in steps), (
                steps
            )


# Words of every kind the record search meets: names, parts of words, identifiers, numbers, a
# citation's pieces, words of fewer than three characters (which LIKE still reads), none at all.
WORDS = [
    "rusk",
    "RUSK",
    "usk",
    "dean rusk",
    "secretary",
    "treasury",
    "president united",
    "R001500070028-8",
    "cia",
    "rdp88b00443r001500070028",
    "1307",
    "19 U.S.C. 1307",
    "tariff act",
    "labor",
    "volume",
    "document 37",
    "us",
    "US OR UN",
    "v",
    "19",
    "k",
    "d37",
    "rdp88b00443r001500070028 8",
    "of 1930",
    "zzyzx",
]


def _everywhere(
    word: str, _anchored: bool, _table: str, _id: object, *columns: object, dialect: str
) -> object:
    return records._contains(word, *columns, dialect=dialect)


@pytest.mark.parametrize("words", WORDS)
def test_the_indexes_find_what_reading_every_row_finds(
    seeded: str, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = parse_query(words)
    groups = tuple(tuple(term.words for term in group) for group in parsed.groups)
    with Database.open(seeded).session() as session:
        indexed = search_records(session, groups, ())
        # every word of every record read by LIKE, anywhere in a field, as before the indexes
        monkeypatch.setattr(records, "_indexed", _everywhere)
        scanned = search_records(session, groups, ())
    assert indexed == scanned


def test_the_triggers_keep_the_record_indexes_current(seeded: str, backend: str) -> None:
    """A hand edit of a name, an alias, an office, a citation or a statute is found at once,
    and what it replaced no longer is."""
    execute(
        seeded,
        "UPDATE actors SET name = 'Dean Quillfeather' WHERE key = 'rusk'",
        "UPDATE actor_aliases SET alias = 'Khrushchyovich' WHERE alias = 'Khrushchev'",
        "UPDATE offices SET title = 'Exchequer Warden' WHERE title = 'Secretary of the Treasury'",
        "UPDATE documents SET citation = citation || ' Zanzibarian' "
        "WHERE key = 'frus1961-63v05-d30'",
        "UPDATE statutes SET popular_title = 'Smoot-Hawleyish' WHERE popular_title IS NOT NULL",
        "DELETE FROM actor_aliases WHERE alias = 'Rusk'",
    )
    with Database.open(seeded).session() as session:

        def keys(word: str) -> set[str]:
            return {hit.key for hit in search_records(session, (((word,),),), ())}

        assert keys("quillfeather") == {"rusk"}
        assert "khrushchev" in keys("khrushchyovich")
        assert "dillon" in keys("exchequer")
        assert "dillon" not in keys("treasury")
        assert keys("zanzibarian") == {"frus1961-63v05-d30"}
        assert keys("hawleyish")
    if backend == "sqlite":
        connection = sqlite3.connect(seeded)
        for name in TRIGRAM_TABLES:  # the index holds what the table holds, no more
            connection.execute(f"INSERT INTO {name} ({name}) VALUES ('integrity-check')")
        connection.close()


def test_records_past_the_first_rows_come_in_key_order_once_each(seeded: str) -> None:
    """Past its first rows, the record search reads the rest of the candidates in one more
    statement, a batch at a time: every one comes once, in key order, the limit still holds."""
    count = 1234  # past the first rows and across several batches
    ids = range(100_000, 100_000 + count)
    execute(
        seeded,
        "INSERT INTO actors (id, key, name, sort_name, kind) VALUES "
        + ", ".join(
            f"({i}, 'plover-{(i * 7919) % count:04d}', 'Plover {i}', 'Plover', 'person')"
            for i in ids
        ),
    )
    with Database.open(seeded).session() as session:
        every = [hit.key for hit in search_records(session, ((("plover",),),), ())]
        first = [hit.key for hit in search_records(session, ((("plover",),),), (), limit=150)]
    assert every == sorted(every) == [f"plover-{n:04d}" for n in range(count)]
    assert first == every[:150]


def test_a_short_word_is_found_where_it_starts_a_word_whatever_stands_before(
    seeded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word too short for the trigram indexes is narrowed in SQL to the rows where it may
    start a word; the narrowing keeps every record Python's pattern finds, whatever character
    stands before the word (a letter of another script, a digit, an underscore, a dash)."""
    names = [
        "Usher",
        "Ausland",
        "x_us",
        "éus",
        "9us",
        "(us)",
        "US-Ex",
        "Plus",
        "ſus",
        "Ǆus",
        "a.us.b",
        "u s",
    ]
    execute(
        seeded,
        "INSERT INTO actors (id, key, name, sort_name, kind) VALUES "
        + ", ".join(
            f"({200_000 + n}, 'planted-{n}', '{name}', '{name}', 'group')"
            for n, name in enumerate(names)
        ),
    )
    found = {}
    for query in ("us", "u", "9"):
        groups = (((query,),),)
        with Database.open(seeded).session() as session:
            narrowed = {hit.key for hit in search_records(session, groups, (), kind="actor")}
            monkeypatch.setattr(records, "_indexed", _everywhere)
            scanned = {hit.key for hit in search_records(session, groups, (), kind="actor")}
            monkeypatch.undo()
        assert narrowed == scanned, query
        found[query] = narrowed
    planted = {key for key in found["us"] if key.startswith("planted-")}
    # Usher, x_us, (us), US-Ex, a.us.b; not Ausland, éus, 9us, Plus, ſus, Ǆus, "u s"
    assert planted == {"planted-0", "planted-2", "planted-5", "planted-6", "planted-10"}
