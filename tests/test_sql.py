"""`timeline sql` and `timeline schema`: answers, formats, and every way of writing we tried."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import dump, file_digest, reset_postgres
from test_errors import one_line_error

import timeline.sql
from timeline.db import Database
from timeline.schema import ANALYST_VIEWS
from timeline.sql import NO_ROWS

CHRONOLOGY = "SELECT event_key FROM chronology ORDER BY sort_date, date_end, sequence, event_key"


def rows_of(result: Result) -> list[dict[str, object]]:
    return json.loads(result.stdout)


def test_the_chronology_view_has_the_report_order(seeded: str, run: Callable[..., Result]) -> None:
    from_view = [
        r["event_key"] for r in rows_of(run("--db", seeded, "sql", CHRONOLOGY, "-f", "json"))
    ]
    report = run("--db", seeded, "report", "--from", "0001", "--to", "9999", "--format", "json")
    assert from_view == [e["key"] for e in json.loads(report.stdout)]
    assert len(from_view) == 28


def test_view_rows_match_the_report(seeded: str, run: Callable[..., Result]) -> None:
    rows = rows_of(
        run(
            "--db",
            seeded,
            "sql",
            "SELECT date, actors, statutes, documents, source_count FROM chronology "
            "WHERE event_key = :k",
            "-p",
            "k",
            "1961-02-26-rusk-recommends-lifting-ban",
            "-f",
            "json",
        )
    )
    assert rows == [
        {
            "date": "26 Feb 1961",
            "actors": "Dean Rusk (author); John F. Kennedy (recipient); C. Douglas Dillon "
            "(concurring); Department of the Treasury (concurring); Department of State "
            "(advising)",
            "statutes": "tariff-act-1930-s307 (cited)",
            "documents": "frus1961-63v05-d37",
            "source_count": 7,  # issue 9: every claim on a quote
        }
    ]


@pytest.mark.parametrize("view", sorted(ANALYST_VIEWS))
def test_every_analyst_view_answers(seeded: str, run: Callable[..., Result], view: str) -> None:
    rows = rows_of(run("--db", seeded, "sql", f"SELECT * FROM {view}", "-f", "json"))
    assert rows, view


def test_the_views_in_the_database_are_the_documented_ones(seeded: str) -> None:
    database = Database.open(seeded)
    try:
        with database.connect() as connection:
            import sqlalchemy as sa

            assert set(sa.inspect(connection).get_view_names()) == set(ANALYST_VIEWS)
    finally:
        database.dispose()


def test_display_dates_are_stored_for_every_dated_row(
    seeded: str, run: Callable[..., Result]
) -> None:
    rows = rows_of(
        run(
            "--db",
            seeded,
            "sql",
            "SELECT date_edtf, date_display FROM events UNION "
            "SELECT date_edtf, date_display FROM documents ORDER BY 1",
            "-f",
            "json",
        )
    )
    shown = {r["date_edtf"]: r["date_display"] for r in rows}
    assert shown["../1951"] == "by 1951"
    assert shown["1961-02-26"] == "26 Feb 1961"
    assert shown["../1984-05-16"] == "by 16 May 1984"


QUESTION = "SELECT kind, count(*) AS n FROM events GROUP BY kind HAVING count(*) > 0 ORDER BY kind"


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "tsv", "json", "ndjson"])
def test_every_format(seeded: str, run: Callable[..., Result], fmt: str) -> None:
    out = run("--db", seeded, "sql", QUESTION, "-f", fmt).stdout
    if fmt == "json":
        assert json.loads(out)[0] == {"kind": "assessment", "n": 1}
    elif fmt == "ndjson":
        lines = out.splitlines()
        assert len(lines) == 17
        assert json.loads(lines[0]) == {"kind": "assessment", "n": 1}
    elif fmt in ("csv", "tsv"):
        table = list(csv.reader(io.StringIO(out), delimiter="\t" if fmt == "tsv" else ","))
        assert table[0] == ["kind", "n"]
        assert table[1] == ["assessment", "1"]
        assert len(table) == 18
    elif fmt == "markdown":
        assert out.splitlines()[:3] == ["| kind | n |", "|---|---|", "| assessment | 1 |"]
    else:
        assert "│ assessment" in out


def test_any_tabulate_style(seeded: str, run: Callable[..., Result]) -> None:
    out = run("--db", seeded, "sql", QUESTION, "--fmt", "github").stdout
    assert out.splitlines()[0].startswith("| kind")
    out = run("--db", seeded, "sql", QUESTION, "--fmt", "plain").stdout
    assert out.splitlines()[1].split() == ["assessment", "1"]


def test_markdown_escapes_pipes_and_newlines(seeded: str, run: Callable[..., Result]) -> None:
    out = run("--db", seeded, "sql", "SELECT 'a|b' AS x, 'one\ntwo' AS y", "-f", "markdown").stdout
    assert out.splitlines()[2] == "| a\\|b | one<br>two |"


def test_repeated_column_names_survive_json(seeded: str, run: Callable[..., Result]) -> None:
    rows = rows_of(run("--db", seeded, "sql", "SELECT 1 AS k, 2 AS k", "-f", "json"))
    assert rows == [{"k": 1, "k_2": 2}]


def test_an_empty_result_still_has_its_header(seeded: str, run: Callable[..., Result]) -> None:
    out = run("--db", seeded, "sql", "SELECT key, title FROM events WHERE 1 = 0", "-f", "csv")
    assert out.stdout == "key,title\n"
    assert (
        run("--db", seeded, "sql", "SELECT key FROM events WHERE 1 = 0", "-f", "json").stdout
        == "[]\n"
    )


def test_parameters(seeded: str, run: Callable[..., Result]) -> None:
    rows = rows_of(
        run(
            "--db",
            seeded,
            "sql",
            "SELECT event_key FROM chronology WHERE date_start >= :start AND kind = :kind",
            "-p",
            "start",
            "1961-01-01",
            "-p",
            "kind",
            "meeting",
            "-f",
            "json",
        )
    )
    # the Rusk–Kennedy talk of the seed, and the FRUS excerpt's memorandum of conversation
    assert rows == [
        {"event_key": "1961-02-21-crab-meat-discussion"},
        {"event_key": "frus1961-63v05-d36-event"},
    ]


def test_the_query_can_come_from_stdin(seeded: str, run: Callable[..., Result]) -> None:
    from click.testing import CliRunner

    from timeline.cli import main

    result = CliRunner().invoke(
        main, ["--db", seeded, "sql", "-", "-f", "csv"], input="SELECT count(*) AS n FROM documents"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "n\n17\n"


def test_a_missing_database_is_created_and_seeded_first(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    out = run(
        "--db", str(tmp_path / "new.db"), "sql", "SELECT count(*) AS n FROM events", "-f", "csv"
    )
    assert out.stdout == "n\n28\n"


WRITES = [
    ("DELETE FROM events", "read-only"),
    ("UPDATE events SET title = 'x'", "read-only"),
    ("INSERT INTO external_sources (key, citation) VALUES ('x', 'y')", "read-only"),
    ("DROP TABLE events", "read-only"),
    ("DROP VIEW chronology", "read-only"),
    ("CREATE TABLE z (x INTEGER)", "read-only"),
    ("CREATE TEMP TABLE z (x INTEGER)", "read-only"),
    ("CREATE INDEX ix_z ON events (title)", "read-only"),
    ("ALTER TABLE events ADD COLUMN z INTEGER", "read-only"),
    ("WITH d AS (DELETE FROM events RETURNING key) SELECT * FROM d", None),
    ("SELECT 1; DELETE FROM events", "one statement at a time"),
    ("SELECT 1; SELECT 2", "one statement at a time"),
]
SQLITE_WRITES = [
    ("ATTACH 'other.db' AS other", "ATTACH"),
    ("VACUUM INTO 'copy.db'", "VACUUM INTO"),
    ("VACUUM", "read-only"),
    ("PRAGMA query_only = OFF", "PRAGMA query_only is not allowed"),
    ("PRAGMA journal_mode = DELETE", "PRAGMA journal_mode is not allowed"),
    ("PRAGMA writable_schema = ON", "PRAGMA writable_schema is not allowed"),
    ("PRAGMA user_version = 7", "PRAGMA user_version is not allowed"),
    ("SELECT load_extension('mod_spatialite')", "load_extension() is not allowed"),
    ("REINDEX", "read-only"),
    ("ANALYZE", "read-only"),
]
POSTGRES_WRITES = [
    ("SELECT nextval('events_id_seq')", "read-only"),
    ("SELECT setval('events_id_seq', 1)", "read-only"),
    ("SET TRANSACTION READ WRITE", NO_ROWS),
    ("COPY events TO STDOUT", NO_ROWS),
    ("LOCK TABLE events", NO_ROWS),
    ("TRUNCATE events", "read-only"),
]


@pytest.mark.parametrize(("query", "expected"), WRITES)
def test_writes_are_refused_and_change_nothing(
    seeded: str, run: Callable[..., Result], tmp_path: Path, query: str, expected: str | None
) -> None:
    before = dump(seeded)
    line = one_line_error(run("--db", seeded, "sql", query, expect=None), 1)
    if expected:
        assert expected in line, line
    assert dump(seeded) == before


@pytest.mark.parametrize(("query", "expected"), SQLITE_WRITES)
def test_sqlite_writes_a_read_only_file_still_allows_are_refused(
    tmp_path: Path, run: Callable[..., Result], query: str, expected: str
) -> None:
    path = tmp_path / "timeline.db"
    run("--db", str(path), "init")
    run("--db", str(path), "seed")
    digest = file_digest(path)
    line = one_line_error(run("--db", str(path), "sql", query, expect=None), 1)
    assert expected in line, line
    assert file_digest(path) == digest
    assert not (tmp_path / "other.db").exists()
    assert not (tmp_path / "copy.db").exists()


def test_postgres_writes_are_refused(postgres_url: str, run: Callable[..., Result]) -> None:
    reset_postgres(postgres_url)
    seeded = postgres_url
    run("--db", seeded, "init")
    run("--db", seeded, "seed")
    before = dump(seeded)
    for query, expected in POSTGRES_WRITES:
        line = one_line_error(run("--db", seeded, "sql", query, expect=None), 1)
        if expected:
            assert expected in line, (query, line)
    assert dump(seeded) == before


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM events",
        "DELETE FROM documents",
        "DELETE FROM event_sources",
        "UPDATE events SET title = 'x'",
        "INSERT INTO search_index(search_index) VALUES ('rebuild')",
        "INSERT INTO search_index(search_index) VALUES ('optimize')",
    ],
)
def test_sqlite_writes_through_the_search_index_say_read_only(
    tmp_path: Path, run: Callable[..., Result], query: str
) -> None:
    """The full-text index's triggers read PRAGMA data_version; that is not the refusal."""
    path = tmp_path / "timeline.db"
    run("--db", str(path), "init")
    run("--db", str(path), "seed")
    digest = file_digest(path)
    line = one_line_error(run("--db", str(path), "sql", query, expect=None), 1)
    assert line == "Error: timeline sql is read-only: attempt to write a readonly database"
    assert file_digest(path) == digest


def test_a_statement_that_returns_no_rows_is_named(seeded: str, run: Callable[..., Result]) -> None:
    line = one_line_error(run("--db", seeded, "sql", "SAVEPOINT s", expect=None), 1)
    assert line == f"Error: {NO_ROWS}"


# A NUL in an argument is refused at the CLI's edge, for every command, as a usage error (2); a
# NUL that comes on stdin reaches the query's own check (below).
@pytest.mark.parametrize(
    ("args", "expected", "code"),
    [
        (["SELECT 1\x00; DELETE FROM events"], "contains a NUL character", 2),
        (["SELECT :a", "-p", "a", "x\x00y"], "argument 'x\\x00y' contains a NUL character", 2),
        (["SELECT '\udcff'"], "the query is not valid UTF-8; check the encoding", 1),
        (["SELECT :a", "-p", "a", "\udcfe"], "the value of -p a is not valid UTF-8", 1),
    ],
)
def test_nul_bytes_and_bad_utf8_are_refused_before_anything_runs(
    seeded: str, run: Callable[..., Result], args: list[str], expected: str, code: int
) -> None:
    before = dump(seeded)
    line = one_line_error(run("--db", seeded, "sql", *args, expect=None), code)
    assert expected in line, line
    assert dump(seeded) == before


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        (b"SELECT '\xff'", "Error: the query is not valid UTF-8; check the encoding"),
        (b"SELECT 1\x00; DELETE FROM events", "Error: the query contains a NUL byte"),
    ],
)
def test_a_query_from_stdin_is_checked_too(seeded: str, stdin: bytes, expected: str) -> None:
    from click.testing import CliRunner

    from timeline.cli import main

    before = dump(seeded)
    result = CliRunner().invoke(main, ["--db", seeded, "sql", "-"], input=stdin)
    assert one_line_error(result, 1).startswith(expected), result.stderr
    assert dump(seeded) == before


def test_introspection_pragmas_still_answer(tmp_path: Path, run: Callable[..., Result]) -> None:
    path = str(tmp_path / "timeline.db")
    run("--db", path, "init")
    out = run("--db", path, "sql", "PRAGMA table_info(events)", "-f", "csv").stdout
    assert out.splitlines()[0] == "cid,name,type,notnull,dflt_value,pk"
    assert (
        run("--db", path, "sql", "PRAGMA user_version", "-f", "csv").stdout == "user_version\n0\n"
    )


def test_a_runaway_query_is_stopped(seeded: str, run: Callable[..., Result]) -> None:
    forever = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
        "SELECT count(*) AS n FROM c"
    )
    line = one_line_error(run("--db", seeded, "sql", forever, "--timeout", "0.3", expect=None), 1)
    assert (
        line == "Error: the query was stopped after 0.3 s (--timeout); narrow it or allow more time"
    )


def test_infinities_are_null_in_json(seeded: str, run: Callable[..., Result]) -> None:
    if seeded.endswith(".db"):
        query = "SELECT 1e999 AS up, -1e999 AS down, 1.5 AS finite"
    else:
        query = "SELECT 'Infinity'::float8 AS up, '-Infinity'::numeric AS down, 1.5 AS finite"
    for fmt in ("json", "ndjson"):
        text = run("--db", seeded, "sql", query, "-f", fmt).stdout
        assert "Infinity" not in text  # what Python's encoder writes, and JSON parsers refuse
        rows = [json.loads(line) for line in text.splitlines()] if fmt == "ndjson" else None
        assert (rows or json.loads(text)) == [{"up": None, "down": None, "finite": 1.5}]


# sqlite3 hands the interrupt raised in its progress handler to sys.unraisablehook as well.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_ctrl_c_during_a_sqlite_query_is_not_the_timeout(
    db_url: str, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C lands in SQLite's progress handler (the only Python running), which SQLite then
    # reports as "interrupted", the word it has for the timeout too.
    if not db_url.endswith(".db"):
        pytest.skip("SQLite's progress handler")
    run("--db", db_url, "init")

    def interrupt(self: object) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(timeline.sql._Guard, "expired", interrupt)
    forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c"
    result = run("--db", db_url, "sql", forever, expect=1)
    assert result.stderr.strip() == "Aborted!"  # after the new line Click gives the ^C


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["SELECT :a"], "the query needs a value for :a (give it with -p)"),
        (["SELECT 1", "-p", "b", "2"], "the query has no parameter :b (given with -p)"),
        (["SELECT :a", "-p", "a", "1", "-p", "a", "2"], "-p a is given more than once"),
        (["   "], "the query is empty"),
        (["SELEC 1"], "syntax error"),
        (["SELECT * FROM nowhere"], "nowhere"),
        (["SELECT 1", "-f", "csv", "--fmt", "github"], "--fmt styles the table format"),
        (["SELECT 1", "--fmt", "nonesuch"], "'nonesuch' is not one of"),
        (["SELECT 1", "--timeout", "-1"], "-1"),
        (["SELECT 1", "--timeout", "nan"], "'--timeout': nan is not a number of seconds"),
        (["SELECT 1", "--timeout", "1e309"], "'--timeout': inf is not a number of seconds"),
    ],
)
def test_bad_queries_and_options(
    seeded: str, run: Callable[..., Result], args: list[str], expected: str
) -> None:
    result = run("--db", seeded, "sql", *args, expect=None)
    assert result.exit_code in (1, 2)
    assert expected in one_line_error(result, result.exit_code)


def test_schema_lists_tables_relations_and_views(seeded: str, run: Callable[..., Result]) -> None:
    out = run("--db", seeded, "schema").stdout
    assert out.startswith("TABLE external_sources\n")
    assert "TABLE events\n  Something that happened" in out
    assert "→ documents.id" in out
    for view in ANALYST_VIEWS:
        assert f"VIEW {view}\n" in out
    records = json.loads(run("--db", seeded, "schema", "-f", "json").stdout)
    names = [r["name"] for r in records]
    assert names.index("documents") < names.index("event_sources")
    sources = next(r for r in records if r["name"] == "event_sources")
    document_id = next(c for c in sources["columns"] if c["name"] == "document_id")
    assert document_id["references"] == "documents.id"
    chronology = next(r for r in records if r["name"] == "chronology")
    assert chronology["kind"] == "view"
    assert [c["name"] for c in chronology["columns"]][:3] == ["event_key", "date", "date_edtf"]
    markdown = run("--db", seeded, "schema", "-f", "markdown").stdout
    assert "## view `chronology`" in markdown


def test_sql_on_sqlite_opens_the_file_read_only(tmp_path: Path, run: Callable[..., Result]) -> None:
    path = tmp_path / "timeline.db"
    run("--db", str(path), "init")
    run("--db", str(path), "seed")
    path.chmod(0o444)
    try:
        out = run("--db", str(path), "sql", "SELECT count(*) AS n FROM actors", "-f", "csv")
        assert out.stdout == "n\n49\n"
    finally:
        path.chmod(0o644)
    assert sqlite3.connect(path).execute("SELECT count(*) FROM actors").fetchone() == (49,)


def test_upgrading_a_populated_database_fills_in_display_dates(db_url: str) -> None:
    """0002 copies `documents` and `events` on SQLite while other rows point at them."""
    import sqlalchemy as sa

    dated = {"start": dt.date(1956, 1, 1), "end": dt.date(1961, 2, 26), "t": True, "f": False}
    database = Database.open(db_url)
    try:
        database.upgrade("0001")
        with database.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO documents (id, key, title, doc_type, collection, citation, text, "
                    "text_sha256, date_edtf, date_start, date_end, date_precision, "
                    "date_approximate, date_uncertain) VALUES (1, 'd', 't', 'memo', 'FRUS', 'c', "
                    "'the text', :sha, '1956~/1961-02-26', :start, :end, 'day', :t, :f)"
                ),
                {**dated, "sha": "0" * 64},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO events (id, key, kind, title, description, sequence, date_edtf, "
                    "date_start, date_end, date_precision, date_approximate, date_uncertain) "
                    "VALUES (1, 'e', 'ban', 't', 'd', 0, '1956~/1961-02-26', :start, :end, "
                    "'day', :t, :f)"
                ),
                dated,
            )
            connection.execute(
                sa.text(
                    "INSERT INTO event_sources (event_id, document_id, quote, char_start, "
                    "char_end, position) VALUES (1, 1, 'the', 0, 3, 0)"
                )
            )
        database.upgrade()
        with database.connect() as connection:
            row = connection.execute(sa.text("SELECT date, documents FROM chronology")).one()
            assert tuple(row) == ("c. 1956 – 26 Feb 1961", "d")
            if database.is_sqlite:  # migrations switch them off; nothing after may run without
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        database.downgrade("0001")
        database.upgrade()
    finally:
        database.dispose()
