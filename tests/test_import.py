"""`timeline import`: lossless round trips, merging by key, and every bad file refused cleanly."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from conftest import BACKENDS, dump, execute, file_digest, reset_postgres

from timeline.cli import main
from timeline.db import Database, head_revision
from timeline.models import Base

TABLES = [t.name for t in Base.metadata.sorted_tables]


def export(run: Callable[..., Result], db: str, fmt: str = "json", *args: str) -> bytes:
    return run("--db", db, "export", fmt, *args).stdout_bytes


def rows_of(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the model's tables (not the search index): what an import must restore."""
    state = dump(url)
    return {name: state.get(name, []) for name in TABLES}


@pytest.fixture(scope="module")
def seed_export(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A `json` export of the seed (made once, on SQLite, through the CLI)."""
    directory = tmp_path_factory.mktemp("seed-export")
    db = str(directory / "seed.db")
    runner = CliRunner()
    for args in (["init"], ["seed"]):
        assert runner.invoke(main, ["--db", db, *args]).exit_code == 0
    result = runner.invoke(main, ["--db", db, "export", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.fixture
def seed_file(seed_export: bytes, tmp_path: Path) -> Path:
    path = tmp_path / "seed.json"
    path.write_bytes(seed_export)
    return path


# Every import below that takes `reading` runs twice: the file read in the importing process,
# and read by its worker process (timeline/importing/reading_process.py), as a large file is.
READING = {"read here": (), "read by a worker": ("--jobs", "2")}


@pytest.fixture(params=list(READING))
def reading(request: pytest.FixtureRequest) -> tuple[str, ...]:
    return READING[request.param]


def write_document(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# --- round trips --------------------------------------------------------------------------------


def test_round_trip_is_byte_for_byte(
    seeded: str, run: Callable[..., Result], tmp_path: Path, backend: str, reading: tuple[str, ...]
) -> None:
    exported = export(run, seeded)
    before = rows_of(seeded)
    path = tmp_path / "timeline.json"
    path.write_bytes(exported)
    if backend == "postgresql":
        reset_postgres(seeded)  # an empty database: no schema at all
        target = seeded
    else:
        target = str(tmp_path / "new.db")
    result = run("--db", target, "import", *reading, str(path))
    assert result.stdout.startswith(f"{Database.open(target).name}: imported ")
    assert result.stderr == ""  # no "creating it and loading the seed": an import does not seed
    assert export(run, target) == exported
    assert rows_of(target) == before  # the same ids, the same values
    assert "schema at revision" in run("--db", target, "init").stdout


def test_sqlite_to_postgresql_to_sqlite(
    run: Callable[..., Result], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if "postgresql" not in BACKENDS:
        pytest.skip("TIMELINE_TEST_BACKENDS leaves PostgreSQL out")
    postgres = request.getfixturevalue("postgres_url")
    reset_postgres(postgres)
    source = str(tmp_path / "source.db")
    run("--db", source, "init")
    run("--db", source, "seed")
    first = tmp_path / "first.json"
    first.write_bytes(export(run, source))

    run("--db", postgres, "import", str(first))
    second = tmp_path / "second.json"
    second.write_bytes(export(run, postgres))
    assert second.read_bytes() == first.read_bytes()

    back = str(tmp_path / "back.db")
    run("--db", back, "import", str(second))
    assert export(run, back) == first.read_bytes()

    # every other table format is the same from the copy on PostgreSQL as from the source
    for fmt, args in (("ndjson", ()), ("sql", ()), ("sql", ("--dialect", "postgresql"))):
        assert export(run, postgres, fmt, *args) == export(run, source, fmt, *args), fmt
    for name in ("pg", "sqlite"):
        run(
            "--db",
            postgres if name == "pg" else source,
            "export",
            "csv",
            "-o",
            str(tmp_path / name),
        )
    for path in sorted((tmp_path / "pg").iterdir()):
        assert path.read_bytes() == (tmp_path / "sqlite" / path.name).read_bytes(), path.name
    copies = []
    for name, url in (("pg.sqlite", postgres), ("sqlite.sqlite", source)):
        run("--db", url, "export", "sqlite", "-o", str(tmp_path / name))
        with sqlite3.connect(tmp_path / name) as connection:
            copies.append([line for line in connection.iterdump() if line.startswith("INSERT")])
    assert copies[0] == copies[1]

    # PostgreSQL's sequences were moved past the imported ids
    engine = sa.create_engine(postgres)
    with engine.connect() as connection:
        for table in ("events", "event_sources", "statutes"):
            top = connection.execute(sa.text(f"SELECT max(id) FROM {table}")).scalar_one()
            following = connection.execute(
                sa.text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))")
            ).scalar_one()
            assert following == top + 1, table
        connection.rollback()
    engine.dispose()


def test_an_empty_timeline_round_trips_and_stays_empty(
    db_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    source = str(tmp_path / "empty.db")
    run("--db", source, "init")
    exported = export(run, source)
    path = tmp_path / "empty.json"
    path.write_bytes(exported)
    assert run("--db", db_url, "import", str(path)).stdout.endswith(": imported 0 records\n")
    assert all(rows == [] for rows in rows_of(db_url).values())  # not seeded
    assert export(run, db_url) == exported


def test_import_reads_stdin(seed_export: bytes, db_url: str, run: Callable[..., Result]) -> None:
    result = CliRunner().invoke(main, ["--db", db_url, "import", "-"], input=seed_export)
    assert result.exit_code == 0, result.output
    assert export(run, db_url) == seed_export


def test_a_self_reference_to_a_later_row_is_set_after_the_table(
    seed_file: Path, db_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    document = json.loads(seed_file.read_text())
    renumber_statutes(document)
    path = write_document(tmp_path / "renumbered.json", document)
    run("--db", db_url, "import", str(path))
    exported = json.loads(export(run, db_url))
    assert exported["tables"]["statutes"]["rows"] == document["tables"]["statutes"]["rows"]
    assert exported["tables"]["statutes"]["rows"][0]["parent_id"] == 2


def renumber_statutes(document: dict[str, Any]) -> None:
    """The same statutes, numbered so that the section (id 1) comes before its act (id 2)."""
    tables = document["tables"]
    act, section = tables["statutes"]["rows"]
    assert (act["id"], section["id"], section["parent_id"]) == (1, 2, 1)
    act["id"], section["id"], section["parent_id"] = 2, 1, 2
    tables["statutes"]["rows"] = [section, act]
    for link in tables["event_statutes"]["rows"]:
        link["statute_id"] = 3 - link["statute_id"]
    tables["event_statutes"]["rows"].sort(
        key=lambda r: (r["event_id"], r["statute_id"], r["relation"])
    )


# --- merging ------------------------------------------------------------------------------------


def test_a_database_with_records_needs_merge(
    seeded: str, seed_file: Path, run: Callable[..., Result]
) -> None:
    before = dump(seeded)
    result = run("--db", seeded, "import", str(seed_file), expect=1)
    assert result.stderr.startswith("Error: database '")
    assert "already has records; use --merge" in result.stderr
    assert dump(seeded) == before


def test_merging_the_same_records_changes_nothing(
    seeded: str, run: Callable[..., Result], tmp_path: Path, reading: tuple[str, ...]
) -> None:
    path = tmp_path / "same.json"
    path.write_bytes(export(run, seeded))
    before = dump(seeded)
    result = run("--db", seeded, "import", "--merge", *reading, str(path))
    rows = sum(len(r) for r in rows_of(seeded).values())
    assert result.stdout.endswith(
        f": imported 0 records\nkept {rows} records the database already held unchanged\n"
    )
    assert dump(seeded) == before


def test_merge_adds_a_missing_record_with_new_ids_and_remapped_references(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "full.json"
    path.write_bytes(export(run, seeded))
    key = "1961-02-21-crab-meat-discussion"
    shown = run("--db", seeded, "show", key, "--format", "json").stdout
    original = json.loads(path.read_text())
    old_id = next(r["id"] for r in original["tables"]["events"]["rows"] if r["key"] == key)
    top = max(r["id"] for r in original["tables"]["events"]["rows"])
    assert old_id < top
    execute(seeded, f"DELETE FROM events WHERE key = '{key}'")  # its sources, actors cascade

    result = run("--db", seeded, "import", "--merge", str(path))
    assert "1 events" in result.stdout
    assert run("--db", seeded, "show", key, "--format", "json").stdout == shown
    merged = json.loads(export(run, seeded))
    new = next(r for r in merged["tables"]["events"]["rows"] if r["key"] == key)
    assert new["id"] == top + 1
    sources = [r for r in merged["tables"]["event_sources"]["rows"] if r["event_id"] == top + 1]
    before = [r for r in original["tables"]["event_sources"]["rows"] if r["event_id"] == old_id]
    assert [(r["quote"], r["document_id"]) for r in sources] == [
        (r["quote"], r["document_id"]) for r in before
    ]
    # merging again finds everything there
    assert (
        run("--db", seeded, "import", "--merge", str(path))
        .stdout.split("\n")[0]
        .endswith("imported 0 records")
    )


def test_merge_restores_statutes_with_their_act_remapped(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    document = json.loads(export(run, seeded))
    renumber_statutes(document)  # the section first: its act is a reference forward
    path = write_document(tmp_path / "statutes.json", document)
    shown = run("--db", seeded, "show", "tariff-act-1930-s307", "--format", "json").stdout
    execute(
        seeded,
        "DELETE FROM events WHERE id IN (SELECT event_id FROM event_statutes)",
        "UPDATE statutes SET parent_id = NULL",
        "DELETE FROM statutes",
    )
    run("--db", seeded, "import", "--merge", str(path))
    assert run("--db", seeded, "show", "tariff-act-1930-s307", "--format", "json").stdout == shown


def test_merge_refuses_a_key_with_other_content(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    document = json.loads(export(run, seeded))
    event = document["tables"]["events"]["rows"][3]
    event["title"] += " (edited)"
    path = write_document(tmp_path / "edited.json", document)
    before = dump(seeded)
    result = run("--db", seeded, "import", "--merge", str(path), expect=1)
    assert result.stderr == (
        f"Error: '{path}': conflicting key: events {event['key']!r} is already in the database "
        "with a different title\n"
    )
    assert dump(seeded) == before


def test_merge_refuses_a_key_whose_owned_rows_differ(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    document = json.loads(export(run, seeded))
    link = document["tables"]["event_actors"]["rows"][0]
    link["position"] += 10
    event = next(r for r in document["tables"]["events"]["rows"] if r["id"] == link["event_id"])
    path = write_document(tmp_path / "edited.json", document)
    before = dump(seeded)
    result = run("--db", seeded, "import", "--merge", str(path), expect=1)
    assert result.stderr == (
        f"Error: '{path}': conflicting key: events {event['key']!r} is already in the database "
        "with different event_actors rows\n"
    )
    assert dump(seeded) == before


def test_merge_into_an_empty_database_keeps_the_ids(
    seed_file: Path, db_url: str, run: Callable[..., Result], seed_export: bytes
) -> None:
    run("--db", db_url, "import", "--merge", str(seed_file))
    assert export(run, db_url) == seed_export


# --- bad files ----------------------------------------------------------------------------------


def _edit(change: Callable[[dict[str, Any]], Any]) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        document = json.loads(data)
        change(document)
        return json.dumps(document, ensure_ascii=False, indent=1).encode()

    return edit


def _rows(document: dict[str, Any], table: str) -> list[dict[str, Any]]:
    return document["tables"][table]["rows"]  # type: ignore[no-any-return]


def _set(table: str, index: int, column: str, value: Any) -> Callable[[bytes], bytes]:
    return _edit(lambda d: _rows(d, table)[index].__setitem__(column, value))


def _reorder_tables(document: dict[str, Any]) -> None:
    tables = document["tables"]
    document["tables"] = {"event_actors": tables.pop("event_actors"), **tables}


def _half(data: bytes) -> int:
    """About half-way, at a line's end: where the cut falls does not hang on the seed's size."""
    return data.rindex(b"\n", 0, len(data) // 2)


BAD_FILES: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "truncated": (
        lambda d: d[: _half(d)],
        "is truncated: it ends at byte {half}, in table 'documents', after record ",
    ),
    "cut before the end": (lambda d: d[:-3], "is truncated: it ends at byte"),
    "empty": (lambda d: b"", "is empty"),
    "not json": (lambda d: b"timeline export\n", "is not valid JSON at byte 0"),
    "a sqlite file": (
        lambda d: b"SQLite format 3\x00" + bytes(100),
        "is not valid JSON at byte 0",
    ),
    "trailing data": (
        lambda d: d + b"{}",
        "is not valid JSON: there is more data after the end of the document",
    ),
    "broken syntax": (
        lambda d: d.replace(b'"sort_name": ', b'"sort_name" ', 1),
        "is not valid JSON at byte {sort_name}",
    ),
    "not an object": (lambda d: b"[1, 2]", "is not a timeline json export (not an object)"),
    # More digits than int() takes (sys.get_int_max_str_digits): ijson's C parser raises
    # int()'s ValueError, in the header or in a record.
    "a number of 5,000 digits in the header": (
        lambda d: d.replace(b'"format_version": 1', b'"format_version": 1' + b"0" * 5000, 1),
        "holds a number of more than 4300 digits",
    ),
    "a number of 5,000 digits in a record": (
        lambda d: d.replace(b'"id": 1,', b'"id": 1' + b"0" * 5000 + b",", 1),
        "holds a number of more than 4300 digits",
    ),
    "another format": (
        _edit(lambda d: d.__setitem__("format", "frictionless")),
        "is not a timeline json export (format 'frictionless'; expected 'timeline'",
    ),
    "another format version": (
        _edit(lambda d: d.__setitem__("format_version", 2)),
        "is format version 2; this timeline reads version 1",
    ),
    "another schema revision": (
        _edit(lambda d: d.__setitem__("schema_revision", "0001")),
        "was exported at schema revision '0001', but this timeline is at revision",
    ),
    "unknown table": (
        _edit(lambda d: d["tables"].__setitem__("gossip", {"rows": []})),
        "unknown table 'gossip'",
    ),
    "tables out of order": (
        _edit(_reorder_tables),
        "table 'event_actors' comes before table 'events', which it refers to; tables must come "
        "in dependency order",
    ),
    "unknown column": (
        _set("actors", 2, "colour", "red"),
        "record 3 of table actors (key 'dillon', id 3): unknown column 'colour'",
    ),
    "missing required value": (
        _set("events", 0, "title", None),
        "record 1 of table events (key '1930-06-17-tariff-act-enacted', id 1): missing "
        "required value for 'title'",
    ),
    "wrong type": (
        _set("events", 1, "date_start", "1945-13-01"),
        "'date_start' should be a date (YYYY-MM-DD), not \"1945-13-01\"",
    ),
    "too long": (_set("actors", 0, "kind", "x" * 21), "'kind' is longer than 20 characters"),
    "broken reference": (
        _set("offices", 0, "document_id", 999),
        "broken reference: offices record (id 1) has document_id 999, but there is no "
        "documents record with id 999",
    ),
    "broken self-reference": (
        _set("statutes", 1, "parent_id", 99),
        "broken reference: statutes 'tariff-act-1930-s307' (id 2) has parent_id 99, but there "
        "is no statutes record with id 99",
    ),
    "duplicate key": (
        _set("actors", 1, "key", "rusk"),
        "conflicting key: actors 'rusk' (id 2): actors already has a record with key 'rusk'",
    ),
    "repeated primary key": (
        _set("actors", 1, "id", 1),
        "record 2 of table actors (key 'kennedy', id 1): repeats the primary key",
    ),
    "refused by a check": (
        _set("documents", 0, "page_count", 0),
        "documents 'frus1961-63v05-d37' (id 1) is refused by the database:",
    ),
}


def _expected(template: str, data: bytes) -> str:
    marker = data.index(b'"sort_name": ') + len(b'"sort_name" ')  # the value, not the colon
    return template.format(half=_half(data), size=len(data), sort_name=marker)


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_and_the_database_unchanged(
    case: str,
    seed_export: bytes,
    db_url: str,
    run: Callable[..., Result],
    tmp_path: Path,
    reading: tuple[str, ...],
) -> None:
    change, message = BAD_FILES[case]
    if case in ("duplicate key",):
        assert _rows(json.loads(seed_export), "actors")[0]["key"] == "rusk"
    path = tmp_path / "bad.json"
    path.write_bytes(change(seed_export))
    result = run("--db", db_url, "import", *reading, str(path), expect=1)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert _expected(message, seed_export) in result.stderr
    assert result.stderr.startswith(f"Error: '{path}'")  # every message names the file
    if db_url.endswith(".db"):
        assert not Path(db_url).exists()  # the import created it, and removed it again
        assert list(Path(db_url).parent.glob("timeline.db*")) == []
    else:
        assert dump(db_url) == {}  # not even the schema is left


@pytest.mark.parametrize("case", ["broken reference", "duplicate key", "refused by a check"])
def test_a_bad_file_merged_into_records_leaves_them_unchanged(
    case: str, seeded: str, run: Callable[..., Result], tmp_path: Path, reading: tuple[str, ...]
) -> None:
    exported = export(run, seeded)
    document = json.loads(exported)
    # new keys everywhere, so that the records are added (and then refused), not matched
    for table in ("external_sources", "documents", "actors", "statutes", "events"):
        for row in _rows(document, table):
            row["key"] += "-copy"
    for row in _rows(document, "actors"):
        row["frus_id"] = None
    for row in _rows(document, "actor_identifiers"):
        row["value"] += "-copy"
    change = {
        "broken reference": _set("offices", 0, "document_id", 999),
        "duplicate key": _set("actors", 1, "key", "rusk-copy"),
        "refused by a check": _set("documents", 0, "page_count", 0),
    }[case]
    path = tmp_path / "bad.json"
    path.write_bytes(change(json.dumps(document).encode()))
    before = dump(seeded)
    result = run("--db", seeded, "import", "--merge", *reading, str(path), expect=1)
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
    expected = {
        "broken reference": "broken reference: offices record (id 1) has document_id 999, but "
        "the file has no documents record with id 999",
        "duplicate key": "conflicting key: actors 'rusk-copy'",
        "refused by a check": "documents 'frus1961-63v05-d37-copy' (id ",
    }[case]
    assert expected in result.stderr
    assert dump(seeded) == before


def test_a_missing_file_or_a_directory_is_an_error(
    db_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    result = run("--db", db_url, "import", str(tmp_path / "nothing.json"), expect=1)
    assert (
        result.stderr
        == f"Error: cannot read '{tmp_path / 'nothing.json'}': No such file or directory\n"
    )
    result = run("--db", db_url, "import", str(tmp_path), expect=1)
    assert result.stderr == f"Error: cannot read '{tmp_path}': Is a directory\n"
    if db_url.endswith(".db"):
        assert not Path(db_url).exists()


def test_someone_elses_database_is_refused(
    seed_file: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    digest = file_digest(other)
    result = run("--db", str(other), "import", str(seed_file), expect=1)
    assert result.stderr == f"Error: database '{other}' is not a timeline database\n"
    assert file_digest(other) == digest


def test_import_help_has_examples(run: Callable[..., Result]) -> None:
    text = run("import", "--help").stdout
    assert "Examples:" in text and "--merge" in text
    assert head_revision()


# --- the evidence, not only the shape -----------------------------------------------------------


def _shift(table: str, by: int, start: str = "char_start", end: str = "char_end") -> Any:
    def change(document: dict[str, Any]) -> None:
        row = _rows(document, table)[0]
        row[start] += by
        row[end] += by

    return _edit(change)


def _alter_text(rehash: bool) -> Any:
    def change(document: dict[str, Any]) -> None:
        row = _rows(document, "documents")[0]
        row["text"] = row["text"].replace("Section 307", "Section 308")
        if rehash:
            row["text_sha256"] = hashlib.sha256(row["text"].encode()).hexdigest()

    return _edit(change)


def _escaped(table: str, column: str, value: Any) -> Callable[[bytes], bytes]:
    """Like _set, written with \\u escapes: a lone surrogate has no UTF-8 form of its own."""

    def edit(data: bytes) -> bytes:
        document = json.loads(data)
        _rows(document, table)[0][column] = value
        return json.dumps(document, ensure_ascii=True).encode()

    return edit


def _cycle(document: dict[str, Any]) -> None:
    _rows(document, "statutes")[0]["parent_id"] = 2


def _unquoted(document: dict[str, Any]) -> None:
    rows = _rows(document, "event_sources")
    document["tables"]["event_sources"]["rows"] = [r for r in rows if r["event_id"] != 1]


ES1 = "event_sources id 1 (event '1930-06-17-tariff-act-enacted')"
EVENT1 = "events '1930-06-17-tariff-act-enacted' (id 1)"
DOC1 = "documents 'frus1961-63v05-d37' (id 1)"

# each: the change, and the cause the one line must give after the record's name
ATTACKS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "quote differs": (
        _set("event_sources", 0, "quote", "Section 307 of the Tariff Act of 1931"),
        f"{ES1}: quote differs from the document's text at 1064–1101",
    ),
    "quote offsets shifted by one": (
        _shift("event_sources", 1),
        f"{ES1}: quote differs from the document's text at 1065–1102",
    ),
    "quote past the end": (
        _set("event_sources", 0, "char_end", 2659),
        f"{ES1}: char_start–char_end 1064–2659 runs past the end of the document's text "
        "(2658 characters)",
    ),
    "quote offset negative": (
        _set("event_sources", 0, "char_start", -1),
        f"{ES1}: char_start -1 is negative",
    ),
    "quote start at its end": (
        _set("event_sources", 0, "char_end", 1064),
        f"{ES1}: char_start 1064 is not before char_end 1064",
    ),
    "alias shifted": (
        _shift("actor_aliases", 1),
        "actor_aliases id 1 (actor 'rusk'): alias differs from the document's text at 21–44",
    ),
    "alias past the end": (
        _set("actor_aliases", 0, "char_end", 5000),
        "actor_aliases id 1 (actor 'rusk'): char_start–char_end 20–5000 runs past the end",
    ),
    "alias offsets without a document": (
        _set("actor_aliases", 0, "document_id", None),
        "actor_aliases id 1 (actor 'rusk'): char_start and char_end are given without a "
        "document_id",
    ),
    "alias start without end": (
        _set("actor_aliases", 0, "char_end", None),
        "actor_aliases id 1 (actor 'rusk'): char_start and char_end must both be given or both "
        "be empty",
    ),
    "reading shifted": (
        _shift("document_readings", -1),
        "document_readings id 1 (document 'frus1961-63v05-d37'): text differs from the "
        "document's text at 46–64",
    ),
    "note shifted": (
        _shift("document_notes", 1),
        "document_notes id 1 (document 'frus1961-63v05-d37'): text differs from the document's "
        "text at 2316–2441",
    ),
    "note marker past the end": (
        _set("document_notes", 0, "marker_end", 9000),
        "document_notes id 1 (document 'frus1961-63v05-d37'): marker_start–marker_end 64–9000 "
        "runs past the end",
    ),
    "note marker reversed": (
        _set("document_notes", 0, "marker_start", 70),
        "document_notes id 1 (document 'frus1961-63v05-d37'): marker_start 70 is not before "
        "marker_end 65",
    ),
    "text altered, quotes kept": (
        _alter_text(rehash=False),
        f"{DOC1}: text_sha256 7d6c1abf503c25d1125867d7f6cbc84d5629da4fb6d3cf29ec2b9a8b2a46e9f2 is "
        "not the SHA-256 of the text",
    ),
    "text altered and hashed again": (
        _alter_text(rehash=True),
        f"{ES1}: quote differs from the document's text at 1064–1101",
    ),
    "wrong hash": (
        _set("documents", 0, "text_sha256", "0" * 64),
        f"{DOC1}: text_sha256 {'0' * 64} is not the SHA-256 of the text (7d6c1abf",
    ),
    "impossible date": (
        _set("events", 0, "date_edtf", "2024-13-45"),
        f"{EVENT1}: date_edtf '2024-13-45' is not a date: '2024-13-45' has no month 13",
    ),
    "impossible document date": (
        _set("documents", 0, "date_edtf", "1961-02-30"),
        f"{DOC1}: date_edtf '1961-02-30' is not a date",
    ),
    "date bounds not the date's": (
        _set("events", 0, "date_end", "1930-06-18"),
        f"{EVENT1}: date_end '1930-06-18' does not agree with date_edtf '1930-06-17' (it gives "
        "'1930-06-17')",
    ),
    "date display not the date's": (
        _set("events", 0, "date_display", "soon"),
        f"{EVENT1}: date_display 'soon' does not agree with date_edtf '1930-06-17'",
    ),
    "date written loosely": (
        _set("events", 0, "date_edtf", " 1930-06-17"),
        f"{EVENT1}: date_edtf ' 1930-06-17' does not agree with date_edtf ' 1930-06-17' (it "
        "gives '1930-06-17')",
    ),
    "office term not a date": (
        _set("offices", 0, "term_edtf", "1961-01/1969-13"),
        "offices id 1 (actor 'rusk'): term_edtf '1961-01/1969-13' is not a date",
    ),
    "office term bounds": (
        _set("offices", 0, "term_end", "1969-01-30"),
        "offices id 1 (actor 'rusk'): term_end '1969-01-30' does not agree with term_edtf",
    ),
    "empty key": (_set("actors", 0, "key", ""), "actors '' (id 1): key is empty"),
    "key with spaces": (
        _set("events", 0, "key", "1930-06-17-tariff-act-enacted "),
        "events '1930-06-17-tariff-act-enacted ' (id 1): key '1930-06-17-tariff-act-enacted ' "
        "begins or ends with white space",
    ),
    "unknown event kind": (
        _set("events", 0, "kind", "gossip"),
        f"{EVENT1}: kind 'gossip' is not one of assessment, assistance, ban,",
    ),
    "unknown actor kind": (
        _set("actors", 0, "kind", "alien"),
        "actors 'rusk' (id 1): kind 'alien' is not one of government, group, office,",
    ),
    "unknown event role": (
        _set("event_actors", 0, "role", "bystander"),
        "role 'bystander' is not one of advising, agency,",
    ),
    "unknown document role": (
        _set("document_actors", 0, "role", "reader"),
        "role 'reader' is not one of author, cc,",
    ),
    "unknown statute relation": (
        _set("event_statutes", 0, "relation", "admired"),
        "relation 'admired' is not one of applied, cited,",
    ),
    "statute cycle": (
        _edit(_cycle),
        "statutes 'tariff-act-1930' (id 1): its parents run in a cycle: 'tariff-act-1930' → "
        "'tariff-act-1930-s307' → 'tariff-act-1930'",
    ),
    "statute its own parent": (
        _set("statutes", 1, "parent_id", 2),
        "statutes 'tariff-act-1930-s307' (id 2): statute is its own parent",
    ),
    "event without a quote": (
        _edit(_unquoted),
        f"{EVENT1}: has no event_sources: every event cites a passage of a document",
    ),
    "lone surrogate": (
        _escaped("events", "title", "Tariff \ud800 Act"),
        "the lone surrogate \\ud800 at byte ",
    ),
    "lone low surrogate": (
        _escaped("events", "title", "Tariff \udc00\ud83d\ude00 Act"),
        "the lone surrogate \\udc00 at byte ",
    ),
    "NUL character": (
        _escaped("documents", "title", "Memo\x00randum"),
        "record 1 of table documents (key 'frus1961-63v05-d37', id 1): title holds a NUL "
        "character at 4",
    ),
    "int64 overflow": (
        _set("event_sources", 0, "position", 2**63),
        "record 1 of table event_sources (id 1): position 9223372036854775808 is outside the "
        "integer range (-2147483648 to 2147483647)",
    ),
    "integer too large for PostgreSQL": (
        _set("event_sources", 0, "char_end", 2**40),
        "record 1 of table event_sources (id 1): char_end 1099511627776 is outside the integer "
        "range",
    ),
}


@pytest.mark.parametrize("case", list(ATTACKS))
def test_an_inconsistent_record_is_refused_and_the_database_unchanged(
    case: str,
    seed_export: bytes,
    db_url: str,
    run: Callable[..., Result],
    tmp_path: Path,
    reading: tuple[str, ...],
) -> None:
    change, message = ATTACKS[case]
    path = tmp_path / "bad.json"
    path.write_bytes(change(seed_export))
    result = run("--db", db_url, "import", *reading, str(path), expect=1)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"Error: '{path}': ")
    assert message in result.stderr, result.stderr
    if db_url.endswith(".db"):
        assert not Path(db_url).exists()
    else:
        assert dump(db_url) == {}


def test_an_inconsistent_record_merged_names_the_files_record(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    document = json.loads(export(run, seeded))
    events = _rows(document, "events")
    for row in events:
        row["key"] += "-copy"  # new events, with new ids, citing the documents already there
    source = _rows(document, "event_sources")[5]
    source["char_start"] += 1
    event = next(r for r in events if r["id"] == source["event_id"])
    path = write_document(tmp_path / "bad.json", document)
    before = dump(seeded)
    result = run("--db", seeded, "import", "--merge", str(path), expect=1)
    assert result.stderr == (
        f"Error: '{path}': event_sources id 6 (event {event['key']!r}): quote differs from "
        f"the document's text at {source['char_start']}–{source['char_end']}\n"
    )
    assert dump(seeded) == before


def test_an_export_of_a_revision_with_the_same_tables_imports(
    seed_export: bytes, db_url: str, run: Callable[..., Result]
) -> None:
    """0007 to 0011 added indexes: an export written at 0006 to 0010 imports as it is."""
    # the first imports into a new database; the others merge, and add nothing
    later = (b"0007", b"0008", b"0009", b"0010")
    merges = [(b"0006", [])] + [(revision, ["--merge"]) for revision in later]
    for revision, merge in merges:
        older = seed_export.replace(
            b'"schema_revision": "0011"', b'"schema_revision": "' + revision + b'"', 1
        )
        assert older != seed_export
        result = CliRunner().invoke(main, ["--db", db_url, "import", *merge, "-"], input=older)
        assert result.exit_code == 0, result.output
        assert export(run, db_url) == seed_export
