"""timeline ingest frus: the FRUS excerpts through the one loader, on both backends."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from conftest import dump

from timeline.db import Database

DATA = Path(__file__).parent / "data" / "frus"
V05 = DATA / "frus1961-63v05-excerpt.xml"


def rows(url: str, sql: str) -> list[tuple[object, ...]]:
    database = Database.open(url)
    with database.connect() as connection:
        result = [tuple(r) for r in connection.execute(sa.text(sql))]
    database.dispose()
    return result


@pytest.fixture
def ingested(db_url: str, run: Callable[..., Result]) -> str:
    run("--db", db_url, "ingest", "frus", str(DATA))
    return db_url


def test_every_excerpt_loads_and_checks(ingested: str, run: Callable[..., Result]) -> None:
    assert run("--db", ingested, "check").stdout.endswith("no problems\n")
    keys = [k for (k,) in rows(ingested, "SELECT key FROM documents ORDER BY key")]
    # the 1961-63 excerpt's six editorial notes are stored too, but make no event of their own
    assert len(keys) == 20 and "frus1961-63v05-d32" in keys
    assert rows(ingested, "SELECT count(*) FROM events")[0][0] == 14


def test_an_undated_document_after_a_later_one_is_bounded_by_what_follows(
    db_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    # Volumes arranged by topic restart their chronology at each chapter: when the document
    # before an editorial note is later than the one after it, only the one after bounds it.
    volume = tmp_path / "v05.xml"
    text = V05.read_text(encoding="utf-8")
    volume.write_text(text.replace('when="1961-02-17"', 'when="1961-12-17"'), encoding="utf-8")
    run("--db", db_url, "ingest", "frus", str(volume))
    ((edtf, basis, note),) = rows(
        db_url,
        "SELECT date_edtf, date_basis, metadata_note FROM documents "
        "WHERE key = 'frus1961-63v05-d31'",
    )
    assert (edtf, basis) == ("../1961-02-18", "placement")
    assert "before doc. 32 (1961-02-18)" in str(note) and "doc. 30" not in str(note)


def test_a_document_starts_on_the_page_before_its_first_break(ingested: str) -> None:
    # The excerpt jumps from its page 1 to doc. 30, which holds the break to p. 78: it begins on
    # p. 77, not on the excerpt's last page before it.
    pages = dict(
        rows(ingested, "SELECT key, pages FROM documents WHERE key LIKE 'frus1961-63v05-d3%'")
    )
    assert pages["frus1961-63v05-d30"] == "77–78"
    assert pages["frus1961-63v05-d31"] == "79" and pages["frus1961-63v05-d32"] == "79–81"


def test_an_undated_document_is_dated_by_its_place_in_the_volume(ingested: str) -> None:
    # An editorial note has no dateline and this volume no frus:doc-dateTime: the volume is in
    # chronological order, so docs. 30 (17 Feb) and 32 (18 Feb) bound doc. 31.
    ((edtf, precision, basis, note),) = rows(
        ingested,
        "SELECT date_edtf, date_precision, date_basis, metadata_note FROM documents "
        "WHERE key = 'frus1961-63v05-d31'",
    )
    assert (edtf, precision, basis) == ("1961-02-17/1961-02-18", "interval", "placement")
    assert "after doc. 30 (1961-02-17) and before doc. 32 (1961-02-18)" in str(note)
    ((events,),) = rows(
        ingested,
        "SELECT count(*) FROM event_sources s JOIN documents d ON d.id = s.document_id "
        "WHERE d.key = 'frus1961-63v05-d31'",
    )
    assert events == 0  # the editors' text, not an act of the period


def test_document_spot_checks(ingested: str) -> None:
    ((edtf, precision, time, basis, place, classification, pages, citation, text),) = rows(
        ingested,
        "SELECT date_edtf, date_precision, date_time, date_basis, place, classification, pages, "
        "citation, text FROM documents WHERE key = 'frus1961-63v05-d32'",
    )
    assert (edtf, precision, time, basis) == ("1961-02-18", "day", "19:00:00", "dateline")
    assert (place, classification, pages) == ("Moscow", "Confidential", "79–81")
    assert citation == (
        "Foreign Relations of the United States, 1961–1963, Volume V, Soviet Union, "
        "Document 32, pp. 79–81"
    )
    breaks = rows(
        ingested,
        "SELECT p.page, p.char_start FROM page_breaks p JOIN documents d ON d.id = p.document_id "
        "WHERE d.key = 'frus1961-63v05-d32' ORDER BY p.char_start",
    )
    assert [page for page, _ in breaks] == ["80", "81"]
    assert all(0 < start < len(str(text)) for _, start in breaks)  # type: ignore[operator]


def test_actors_identifiers_and_aliases(ingested: str) -> None:
    ((key, name, kind),) = rows(
        ingested,
        "SELECT a.key, a.name, a.kind FROM actors a JOIN actor_identifiers i ON i.actor_id = a.id "
        "WHERE i.value = 'frus1961-63v05#p_RD1'",
    )
    assert (key, name, kind) == ("rusk-dean", "Dean Rusk", "person")
    for alias, start, end, text in rows(
        ingested,
        "SELECT a.alias, a.char_start, a.char_end, d.text FROM actor_aliases a "
        "JOIN documents d ON d.id = a.document_id",
    ):
        assert text[start:end] == alias  # type: ignore[index]
    roles = rows(
        ingested,
        "SELECT a.key, l.role FROM document_actors l JOIN actors a ON a.id = l.actor_id "
        "JOIN documents d ON d.id = l.document_id WHERE d.key = 'frus1961-63v05-d30' "
        "AND l.role IN ('author', 'recipient') ORDER BY l.role",
    )
    assert roles == [("rusk-dean", "author"), ("kennedy-john-f", "recipient")]


def test_seed_actors_are_matched_not_duplicated(seeded: str, run: Callable[..., Result]) -> None:
    result = run("--db", seeded, "ingest", "frus", str(V05))
    assert "matched rusk-dean → rusk (by identifier frus1961-63v05#p_RD1)" in result.stdout
    assert "skipped frus1961-63v05-d37: stored with another text" in result.stderr
    assert rows(seeded, "SELECT count(*) FROM actors WHERE key = 'rusk-dean'") == [(0,)]
    run("--db", seeded, "check")


def test_reingest_changes_nothing_and_dry_run_writes_nothing(
    db_url: str, run: Callable[..., Result]
) -> None:
    run("--db", db_url, "init")
    before = dump(db_url)
    dry = run("--db", db_url, "ingest", "frus", "--dry-run", str(V05))
    assert "dry run" in dry.stdout
    assert dump(db_url) == before
    run("--db", db_url, "ingest", "frus", str(V05))
    after = dump(db_url)
    again = run("--db", db_url, "ingest", "frus", str(V05))
    assert "nothing changed" in again.stdout
    assert dump(db_url) == after


def test_replace_on_the_seed_keeps_every_seed_quote(
    seeded: str, run: Callable[..., Result]
) -> None:
    # The seed quotes the web text's "pp. 56", which the edition prints "pp. 5–6": the seed's
    # reading of the damage finds the quote in the new text (issue 7).
    seed_sources = (
        "SELECT count(*) FROM event_sources s JOIN events e ON e.id = s.event_id "
        "WHERE e.key <> 'frus1961-63v05-d37-event'"  # the excerpt's own event of its d37
    )
    before = rows(seeded, seed_sources)
    result = run("--db", seeded, "ingest", "frus", "--replace", str(V05))
    assert "dropped the reading of 'pp. 56'" in result.stderr
    assert rows(seeded, seed_sources) == before
    for quote, start, end, text in rows(
        seeded,
        "SELECT s.quote, s.char_start, s.char_end, d.text FROM event_sources s "
        "JOIN documents d ON d.id = s.document_id",
    ):
        assert text[start:end] == quote  # type: ignore[index]
    ((quote,),) = rows(
        seeded,
        "SELECT s.quote FROM event_sources s JOIN events e ON e.id = s.event_id "
        "WHERE e.key = '1961-02-22-message-to-khrushchev' AND s.quote LIKE 'see Foreign%'",
    )
    assert str(quote).endswith("pp. 5-6")
    run("--db", seeded, "check")
    report = run(
        "--db", seeded, "report", "--from", "1930", "--to", "2007", "--sources", "--format", "json"
    ).stdout
    for (key,) in rows(seeded, "SELECT key FROM events"):
        assert f'"{key}"' in report


def test_replace_refuses_by_name_when_a_quote_is_gone(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    edited = tmp_path / V05.name
    edited.write_text(
        V05.read_text(encoding="utf-8").replace(
            "Under these circumstances, I am convinced", "I am convinced"
        ),
        encoding="utf-8",
    )
    before = dump(seeded)
    result = run("--db", seeded, "ingest", "frus", "--replace", str(edited), expect=1)
    assert "1961-02-26-rusk-recommends-lifting-ban" in result.stderr
    assert "nothing was changed" in result.stderr
    assert dump(seeded) == before


def test_replace_moves_the_quotes_onto_the_new_text(
    db_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    run("--db", db_url, "ingest", "frus", str(V05))
    edited = tmp_path / V05.name
    edited.write_text(
        V05.read_text(encoding="utf-8").replace(
            "Luncheon with Ambassador", "Lunch with Ambassador"
        ),
        encoding="utf-8",
    )
    run("--db", db_url, "ingest", "frus", "--replace", str(edited))
    ((quote, start, end, text),) = rows(
        db_url,
        "SELECT s.quote, s.char_start, s.char_end, d.text FROM event_sources s "
        "JOIN documents d ON d.id = s.document_id WHERE d.key = 'frus1961-63v05-d36'",
    )
    assert text[start:end] == quote  # type: ignore[index]
    assert "Lunch with Ambassador" in str(text)
    run("--db", db_url, "check")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("<TEI xmlns='http://www.tei-c.org/ns/1.0'><teiHeader>", "malformed XML"),
        ("<html/>", "not a TEI file"),
        ("<!DOCTYPE x [<!ENTITY a 'b'>]><x/>", "refusing a DOCTYPE"),
    ],
)
def test_bad_files_are_one_line_and_change_nothing(
    db_url: str, run: Callable[..., Result], tmp_path: Path, content: str, expected: str
) -> None:
    run("--db", db_url, "init")
    before = dump(db_url)
    bad = tmp_path / "bad.xml"
    bad.write_text(content, encoding="utf-8")
    result = run("--db", db_url, "ingest", "frus", str(V05), str(bad), expect=1)
    assert result.stderr.count("\n") == 1 and expected in result.stderr
    assert "bad.xml" in result.stderr
    assert dump(db_url) == before


def test_a_key_twice_in_one_run_is_refused(db_url: str, run: Callable[..., Result]) -> None:
    run("--db", db_url, "init")
    result = run("--db", db_url, "ingest", "frus", str(V05), str(V05), expect=1)
    assert "frus1961-63v05-d30 is also in" in result.stderr


def test_a_missing_file_is_one_line(db_url: str, run: Callable[..., Result]) -> None:
    result = run("--db", db_url, "ingest", "frus", "no-such.xml", expect=1)
    assert result.stderr.count("\n") == 1 and "no-such.xml" in result.stderr
