"""`timeline search`: ranked hits and snippets, alike on both backends, current after changes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import Result
from conftest import BACKENDS, dump, reset_postgres

from timeline.db import Database
from timeline.errors import SearchError
from timeline.paths import seed_dir
from timeline.search import parse_query, search

FRUS = "frus1961-63v05-d37"
CREST = "CIA-RDP88B00443R001500070028-8"
CREST_TOML = "004_cc4de62e6d221da1.toml"


def hits(
    run: Callable[..., Result], db: str, *query: str, limit: int = 1000
) -> list[dict[str, Any]]:
    result = run("--db", db, "search", *query, "--limit", str(limit), "--format", "json")
    return json.loads(result.stdout)


def found(rows: list[dict[str, Any]]) -> set[tuple[str, str, str | None]]:
    return {(row["kind"], row["key"], row["document"]) for row in rows}


def execute(url: str, *statements: str) -> None:
    """Plain SQL, as `sqlite3` or `psql` would send it: no application code involved."""
    database = Database.open(url)
    with database.engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    database.dispose()


# --- what it finds ------------------------------------------------------------------------------


def test_forced_labor_finds_both_documents_and_the_events_and_quotes_ranked(
    seeded: str, run: Callable[..., Result]
) -> None:
    rows = hits(run, seeded, "forced labor")
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    keys = found(rows)
    assert {("document", CREST, CREST), ("document", FRUS, FRUS)} <= keys
    assert {
        ("event", "1951-soviet-crab-meat-ban", None),
        ("event", "1984-05-16-cia-estimate-of-forced-laborers", None),
        ("quote", "soviet-crab-industry-labor-before-1951-ban", FRUS),
        ("quote", "1984-05-16-casey-letter-to-regan", CREST),
    } <= keys
    # Every snippet marks what matched ("laborers" is a form of "labor").
    for row in rows:
        assert "**forc" in row["snippet"].lower() or "**labor" in row["snippet"].lower(), row
    # The CIA document is titled "Soviet Forced Labor"; the FRUS text says it once.
    ranks = {(row["kind"], row["key"]): row["rank"] for row in rows}
    assert ranks[("document", CREST)] < ranks[("document", FRUS)]
    labor = "soviet-crab-industry-labor-before-1951-ban"
    quote = next(r for r in rows if r["kind"] == "quote" and r["key"] == labor)
    assert quote["title"].startswith("Japanese prisoners of war, Japanese and Korean civilians")
    assert (quote["char_start"], quote["char_end"]) == (1302, 1535)


def test_the_ascii_apostrophe_finds_the_modifier_letter_apostrophe(
    seeded: str, run: Callable[..., Result]
) -> None:
    database = Database.open(seeded)
    with database.connect() as connection:
        text = connection.execute(sa.text(f"SELECT text FROM documents WHERE key = '{FRUS}'"))
        assert "In the Department\u02bcs opinion" in text.scalar_one()  # stored verbatim
    database.dispose()
    assert ("document", FRUS, FRUS) in found(hits(run, seeded, "Department's"))
    # As a phrase the apostrophe must meet the stored U+02BC: only folding makes them one.
    rows = hits(run, seeded, '"In the Department\'s opinion"')
    assert found(rows) == {
        ("document", FRUS, FRUS),
        ("quote", "1961-02-26-rusk-recommends-lifting-ban", FRUS),
        ("event", "1961-02-26-rusk-recommends-lifting-ban", None),  # its description, since issue 9
    }
    for row in rows:
        assert "**Department" in row["snippet"] and "**opinion**" in row["snippet"], row
    typed = hits(run, seeded, '"In the Department\u02bcs opinion"')
    assert found(typed) == found(rows)


def test_william_casey_finds_the_letter_through_its_reading(
    seeded: str, run: Callable[..., Result]
) -> None:
    rows = hits(run, seeded, "William Casey")
    assert found(rows) == {
        ("actor", "casey", None),
        ("quote", "1984-05-16-casey-letter-to-regan", CREST),
        ("document", CREST, CREST),
    }
    quote = rows[[r["kind"] for r in rows].index("quote")]
    assert quote["snippet"] == (
        "Yours, Wil iam J. **Casey** cc: Secretary of State [reading: **William** J. **Casey**]"
    )
    assert found(hits(run, seeded, "Central Intelligence", "--kind", "document")) == {
        ("document", CREST, CREST)
    }
    # The damaged spelling is still found, as the text has it.
    assert ("document", CREST, CREST) in found(hits(run, seeded, '"Wil iam"'))


def test_kennedy_finds_the_frus_document(seeded: str, run: Callable[..., Result]) -> None:
    rows = hits(run, seeded, "Kennedy")
    assert ("document", FRUS, FRUS) in found(rows)
    assert ("event", "1961-02-22-message-to-khrushchev", None) in found(rows)
    # "Rusk2" is the signature with a footnote marker glued on; its reading is "Dean Rusk".
    assert found(hits(run, seeded, '"Dean Rusk"')) == {
        ("actor", "rusk", None),
        ("document", FRUS, FRUS),
        ("document", "frus1961-63v05-d30", "frus1961-63v05-d30"),  # his memorandum of 17 Feb
    }


def test_phrases_or_and_exclusion(seeded: str, run: Callable[..., Result]) -> None:
    crab = found(hits(run, seeded, '"crab meat"'))
    korean = found(hits(run, seeded, "Korean"))
    either = found(hits(run, seeded, "Casey OR Korean"))
    assert either == korean | found(hits(run, seeded, "Casey"))
    assert found(hits(run, seeded, '"crab meat" -Korean')) == crab - korean
    assert found(hits(run, seeded, '"meat crab"')) == set()


QUERIES = [
    "forced labor",
    "Department's",
    "William Casey",
    "Kennedy",
    '"crab meat"',
    "crab OR Casey",
    "Treasury -crab",
    "411.616/2-2661",
    "CIA-RDP88B00443R001500070028-8",
    "eye-witness",
    '"prisoners of war"',
    "Secretary of State",
    "laborers",
    "United States-Soviet",
    "Director of Central Intelligence",
    '"In the Department\'s opinion"',
    "pp. 5–6",
    "importation",
    "1951",
]


def test_both_backends_find_the_same(
    tmp_path: Path, run: Callable[..., Result], request: pytest.FixtureRequest
) -> None:
    if "postgresql" not in BACKENDS:
        pytest.skip("TIMELINE_TEST_BACKENDS leaves PostgreSQL out on purpose")
    sqlite = str(tmp_path / "parity.db")
    postgresql = request.getfixturevalue("postgres_url")
    reset_postgres(postgresql)
    for db in (sqlite, postgresql):
        run("--db", db, "seed")
    for query in QUERIES:
        on_sqlite = found(hits(run, sqlite, query))
        assert on_sqlite, query
        assert on_sqlite == found(hits(run, postgresql, query)), query


# --- the index follows the data -----------------------------------------------------------------


def test_the_index_follows_a_reseed(
    seeded: str, run: Callable[..., Result], seed_copy: Path
) -> None:
    distributed = ("event", "washfax-to-mcnamar", None)
    assert distributed in found(hits(run, seeded, "WASHFAX McNamar", "--kind", "event"))
    assert distributed not in found(hits(run, seeded, "facsimile"))
    assert found(hits(run, seeded, "RIFPUB", "--kind", "quote")) == {
        ("quote", "2007-08-29-cia-release", CREST)
    }
    assert len(hits(run, seeded, "William Casey")) == 3  # the actor, a quote, the document

    toml = seed_copy / CREST_TOML
    text = toml.read_text(encoding="utf-8")
    for old, new in (
        (
            'title = "A WASHFAX of the letter went to Mr. McNamar',
            'title = "A facsimile of the letter went to Mr. McNamar',
        ),
        ('  "Release Decision: \\nRIFPUB",\n', ""),
        (
            '[[reading]]\ntext = "Wil iam J. Casey"\nreading = "William J. Casey"\n'
            "note = \"OCR lost the second l of the signer's first name: William J. Casey, "
            'Director of Central Intelligence."\n',
            "",
        ),
    ):
        assert old in text
        text = text.replace(old, new)
    toml.write_text(text, encoding="utf-8")
    result = run("--db", seeded, "seed", "--dir", str(seed_copy))
    assert "updated: 1 events\ndeleted: 1 document_readings, 1 event_sources\n" in result.stdout

    assert distributed in found(hits(run, seeded, "facsimile"))
    assert hits(run, seeded, "RIFPUB", "--kind", "quote") == []
    assert found(hits(run, seeded, "William Casey")) == {("actor", "casey", None)}  # by name only
    assert run("--db", seeded, "seed", "--dir", str(seed_copy)).stdout.endswith(
        "nothing changed: the database already held this seed\n"
    )


def test_the_index_follows_plain_sql_writes(seeded: str, run: Callable[..., Result]) -> None:
    """Whatever writes the rows (a SQL dump, another tool), the triggers keep the index."""
    distributed = "washfax-to-mcnamar"
    assert {("event", distributed, None), ("quote", distributed, CREST)} <= found(
        hits(run, seeded, "WASHFAX")
    )
    execute(seeded, f"DELETE FROM events WHERE key = '{distributed}'")
    assert found(hits(run, seeded, "WASHFAX")) == {("document", CREST, CREST)}

    execute(
        seeded,
        "UPDATE events SET title = 'Rusk and Kennedy confer about the crab meat embargo' "
        "WHERE key = '1961-02-21-crab-meat-discussion'",
    )
    assert found(hits(run, seeded, "embargo confer")) == {
        ("event", "1961-02-21-crab-meat-discussion", None)
    }
    # A reading written by hand re-indexes its document and the quotes it overlaps.
    start = (
        (seed_dir() / "000_b383fc1ab894f415.txt").read_text(encoding="utf-8").index("Mr. Dillon")
    )
    execute(
        seeded,
        "INSERT INTO document_readings (document_id, char_start, char_end, text, reading, note) "
        f"SELECT id, {start}, {start + 10}, 'Mr. Dillon', 'Mr. Dillon readingprobe', 'a probe' "
        f"FROM documents WHERE key = '{FRUS}'",
    )
    assert found(hits(run, seeded, "readingprobe")) == {
        ("document", FRUS, FRUS),
        ("quote", "1961-02-26-rusk-recommends-lifting-ban", FRUS),
    }
    execute(
        seeded,
        "UPDATE document_readings SET reading = 'Mr. Dillon probereading' WHERE note = 'a probe'",
    )
    assert hits(run, seeded, "readingprobe") == []
    assert len(hits(run, seeded, "probereading")) == 2
    execute(seeded, "DELETE FROM document_readings WHERE note = 'a probe'")
    assert hits(run, seeded, "probereading") == []


def test_upgrading_a_database_with_data_indexes_it(seeded: str, run: Callable[..., Result]) -> None:
    before = found(hits(run, seeded, "forced labor"))
    database = Database.open(seeded)
    database.downgrade("0002")  # drops the index and the readings
    database.upgrade()
    database.dispose()
    assert found(hits(run, seeded, "forced labor")) == before
    # The readings went with 0002; the actor is found by name.
    assert found(hits(run, seeded, "William Casey")) == {("actor", "casey", None)}
    run("--db", seeded, "seed")
    assert len(hits(run, seeded, "William Casey")) == 3


# --- the command --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "AND (",
        '"',
        "*",
        "NEAR(",
        "-",
        "",
        "   ",
        "OR",
        '"unclosed phrase',
        "forced AND",
        "(forced)",
        "forced OR",
        "labor*",
        "^forced",
        "title:forced",
        "{title body}: forced",
        "NOT labor",
        "'",
        "\\",
        "%_",
        "'; DROP TABLE events; --",
        "-crab",
        "the of and",
    ],
)
def test_hostile_queries_give_hits_or_one_line(
    seeded: str, run: Callable[..., Result], query: str
) -> None:
    result = run("--db", seeded, "search", "--format", "json", "--", query, expect=None)
    if result.exit_code == 0:
        assert isinstance(json.loads(result.stdout), list)
    else:
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr.startswith("Error: nothing to search for")
        assert result.stderr.count("\n") == 1


def test_common_words_alone_are_refused_by_name(seeded: str, run: Callable[..., Result]) -> None:
    result = run("--db", seeded, "search", "the of", expect=1)
    assert result.stderr == (
        "Error: nothing to search for in 'the of': 'the', 'of' are too common to search for\n"
    )
    assert run("--db", seeded, "search", "--", "-crab", expect=1).stderr == (
        "Error: nothing to search for in '-crab': it only excludes words (-word); "
        "give a word to find as well\n"
    )


def test_a_query_of_thousands_of_words_is_refused_by_its_size(
    seeded: str, run: Callable[..., Result]
) -> None:
    # Each word is a condition of the SQL: 3,000 overflowed SQLite's expression tree, and the
    # message blamed the database.
    many = " ".join(f"word{n}" for n in range(3000))
    for query in (many, f'"{many}"', f"crab -{many}"):
        result = run("--db", seeded, "search", "--", query, expect=1)
        assert result.stderr.startswith("Error: the query has 3"), result.stderr
        assert "words; search takes 200 at most" in result.stderr
    at_most = " ".join(f"word{n}" for n in range(200))
    assert run("--db", seeded, "search", at_most).stderr.startswith("no matches")


def test_kind_and_limit(seeded: str, run: Callable[..., Result]) -> None:
    for kind in ("document", "event", "quote"):
        rows = hits(run, seeded, "forced labor", "--kind", kind)
        assert rows and {row["kind"] for row in rows} == {kind}
    everything = hits(run, seeded, "labor")
    assert hits(run, seeded, "labor", limit=3) == everything[:3]
    assert len(everything) > 20
    assert len(json.loads(run("--db", seeded, "search", "labor", "-f", "json").stdout)) == 20
    for bad in (["--limit", "0"], ["--kind", "person"]):
        result = run("--db", seeded, "search", "labor", *bad, expect=2)
        assert (
            result.stderr.startswith("Error: Invalid value for") and result.stderr.count("\n") == 1
        )


def test_every_format(seeded: str, run: Callable[..., Result]) -> None:
    expected = hits(run, seeded, "crab meat", limit=5)
    table = run("--db", seeded, "search", "crab", "meat", "-n", "5").stdout
    assert "│ Kind" in table and "Match" in table and "**crab** **meat**" in table
    quotes = run("--db", seeded, "search", "crab meat", "--kind", "quote", "-n", "1").stdout
    assert f"({FRUS})" in quotes  # a quote names its document
    markdown = run("--db", seeded, "search", "crab meat", "-n", "5", "-f", "markdown").stdout
    assert markdown.startswith("| #") and markdown.count("\n") == 7
    rows = list(
        csv.DictReader(
            io.StringIO(run("--db", seeded, "search", "crab meat", "-n", "5", "-f", "csv").stdout)
        )
    )
    assert [row["key"] for row in rows] == [row["key"] for row in expected]
    assert list(rows[0]) == [
        "rank",
        "kind",
        "key",
        "document",
        "title",
        "snippet",
        "char_start",
        "char_end",
    ]
    ndjson = run("--db", seeded, "search", "crab meat", "-n", "5", "-f", "ndjson").stdout
    assert [json.loads(line) for line in ndjson.splitlines()] == expected


def test_no_matches_is_not_an_error(seeded: str, run: Callable[..., Result]) -> None:
    result = run("--db", seeded, "search", "zanzibar")
    assert result.stdout == "" and result.stderr == "no matches for 'zanzibar'\n"
    assert run("--db", seeded, "search", "zanzibar", "-f", "json").stdout == "[]\n"


def test_search_creates_and_seeds_a_missing_database(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    result = run("--db", str(tmp_path / "new.db"), "search", "Khrushchev", "-f", "json")
    assert "creating it and loading the seed" in result.stderr
    assert ("event", "1961-02-22-message-to-khrushchev", None) in found(json.loads(result.stdout))


def test_the_library_refuses_bad_options(seeded: str) -> None:
    database = Database.open(seeded)
    with database.session() as session:
        with pytest.raises(SearchError, match="unknown kind 'person'"):
            search(session, "labor", kind="person")
        with pytest.raises(SearchError, match="at least 1"):
            search(session, "labor", limit=0)
    database.dispose()


def test_queries_are_rewritten_never_passed_through() -> None:
    query = parse_query('"crab meat" Korean OR Japanese -Soviet NEAR(')
    assert query.fts5() == '("crab meat" AND ("korean" OR "japanese") AND "near") NOT "soviet"'
    assert query.tsquery() == "((crab <-> meat) & ((korean) | (japanese)) & (near)) & !(soviet)"
    # Words split where the index splits them; common words at a term's ends are dropped.
    assert parse_query("Department\u2019s 411.616/2-2661").fts5() == (
        '"department" AND "411 616 2 2661"'
    )
    assert parse_query('"Secretary of State"').tsquery() == "(secretary <-> of <-> state)"


# --- readings -----------------------------------------------------------------------------------


def test_every_reading_is_the_text_at_its_offsets(seeded: str, run: Callable[..., Result]) -> None:
    database = Database.open(seeded)
    with database.connect() as connection:
        readings = connection.execute(
            sa.text(
                "SELECT d.key, d.text, r.char_start, r.char_end, r.text, r.reading "
                "FROM document_readings r JOIN documents d ON d.id = r.document_id"
            )
        ).all()
    database.dispose()
    assert len(readings) == 11
    for _key, text, start, end, damaged, _reading in readings:
        assert text[start:end] == damaged
    assert {(key, damaged, reading) for key, _t, _s, _e, damaged, reading in readings} >= {
        (CREST, "Wil iam J. Casey", "William J. Casey"),
        (CREST, "DIRECTOR OF CENTRAL I LLIGENCE", "DIRECTOR OF CENTRAL INTELLIGENCE"),
        (CREST, "CIA-RDP88B00443RO01500070028-8", CREST),
        (FRUS, "President Kennedy0", "President Kennedy"),
        (FRUS, "Dean Rusk2", "Dean Rusk"),
        (CREST, "Ori", "Orig"),  # issue 9: no longer read silently
        (CREST, "b DCI", "1 - DCI"),
    }
    shown = json.loads(run("--db", seeded, "show", CREST, "-f", "json").stdout)
    assert shown["readings"][4]["text"] == "Wil iam J. Casey"
    assert "readings (8)" in run("--db", seeded, "show", CREST).stdout


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '[[reading]]\ntext = "Wil iam J. Casey"',
            '[[reading]]\ntext = "Wil liam J. Casey"',
            f"Error: {CREST_TOML}: reading 1: 'Wil liam J. Casey' does not occur in "
            "004_cc4de62e6d221da1.txt (give the damaged passage exactly as the text has it)",
        ),
        (
            '[[reading]]\ntext = "Wil iam J. Casey"',
            '[[reading]]\ntext = "iam J. Case"',  # only inside a longer word
            f"Error: {CREST_TOML}: reading 1: 'iam J. Case' does not occur in "
            "004_cc4de62e6d221da1.txt",
        ),
        (
            'reading = "William J. Casey"',
            'reading = "Wil iam J. Casey"',
            f"Error: {CREST_TOML}: reading 1: the reading of 'Wil iam J. Casey' is the text as "
            "it stands",
        ),
        (
            'reading = "William J. Casey"',
            'reading = "William J. Casey"\nsource = "cia-museum"',
            f"Error: {CREST_TOML}: reading 1: unknown field(s): source",
        ),
        (
            '[[reading]]\ntext = "DIRECTOR OF CENTRAL I LLIGENCE"',
            '[[reading]]\ntext = "Memorandum FOR: Secretary"',
            f"Error: {CREST_TOML}: reading 2: 'Memorandum FOR: Secretary' does not occur",
        ),
        (  # only inside a longer word
            '[[reading]]\ntext = "DIRECTOR OF CENTRAL I LLIGENCE"',
            '[[reading]]\ntext = "IRECTOR OF CENTRAL I LLIGENCE"',
            f"Error: {CREST_TOML}: reading 2: 'IRECTOR OF CENTRAL I LLIGENCE' does not occur",
        ),
        (
            '[[reading]]\ntext = "DIRECTOR OF CENTRAL I LLIGENCE"',
            '[[reading]]\ntext = "J. Casey cc"',
            f"Error: {CREST_TOML}: the readings of 'Wil iam J. Casey' and 'J. Casey cc' overlap "
            "at character 2907",
        ),
    ],
)
def test_a_bad_reading_is_refused_by_name(
    seeded: str, run: Callable[..., Result], seed_copy: Path, old: str, new: str, expected: str
) -> None:
    toml = seed_copy / CREST_TOML
    text = toml.read_text(encoding="utf-8")
    assert text.count(old) == 1
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = dump(seeded)
    result = run("--db", seeded, "seed", "--dir", str(seed_copy), expect=1)
    assert result.stderr.startswith(expected), result.stderr
    assert result.stderr.count("\n") == 1
    assert dump(seeded) == before


def test_help_has_examples(run: Callable[..., Result]) -> None:
    text = run("search", "--help").stdout
    assert "Examples:\n    timeline search forced labor\n" in text
    assert "--kind [document|event|quote|actor|statute]" in text
