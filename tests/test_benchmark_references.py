"""The benchmark's references (benchmarks/references.py) do the job timeline does, on the same
rows: a ratio against a reference that did less, or something else, would say nothing. No
timings here."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from conftest import benchmark_module, reset_postgres


def _export(run: Callable[..., Result], db: str, fmt: str, path: Path) -> None:
    run("--db", db, "export", fmt, "-o", str(path))


def _key(row: dict[str, object]) -> str:
    return json.dumps(row, sort_keys=True)


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_the_streaming_dump_writes_the_rows_the_export_writes(
    fmt: str, tmp_path: Path, run: Callable[..., Result]
) -> None:
    db = str(tmp_path / "seeded.db")
    run("--db", db, "seed")
    _export(run, db, fmt, tmp_path / f"ours.{fmt}")
    benchmark_module("references").dump(db, str(tmp_path / f"ref.{fmt}"), ndjson=fmt == "ndjson")
    ours_text = (tmp_path / f"ours.{fmt}").read_text(encoding="utf-8")
    ref_text = (tmp_path / f"ref.{fmt}").read_text(encoding="utf-8")
    if fmt == "json":
        ours = {t: v["rows"] for t, v in json.loads(ours_text)["tables"].items()}
        ref = json.loads(ref_text)["tables"]
    else:
        ours, ref = {}, {}
        for text, rows in ((ours_text, ours), (ref_text, ref)):
            for line in text.splitlines():
                record = json.loads(line)
                if "row" in record:
                    rows.setdefault(record["table"], []).append(record["row"])
    ours = {table: rows for table, rows in ours.items() if rows}
    assert sorted(ref) == sorted(ours)
    for table, rows in ours.items():
        # SQLite gives booleans as 0 and 1, the export true and false; the dump takes each
        # table in its stored order, the export in primary-key order
        expected = [{k: int(v) if isinstance(v, bool) else v for k, v in r.items()} for r in rows]
        assert sorted(map(_key, ref[table])) == sorted(map(_key, expected)), table
    if fmt == "json":  # a row a line, as the export writes them
        row_lines = [line for line in ref_text.splitlines() if line.startswith("    {")]
        assert len(row_lines) == sum(len(rows) for rows in ours.values())


def _index(url: str) -> list[tuple[int, str]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT sid, tsv::text FROM search_index ORDER BY sid"))
        found = [(sid, tsv) for sid, tsv in rows]
        disabled = connection.execute(
            sa.text(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'search%' AND tgenabled = 'D'"
            )
        ).scalar()
    engine.dispose()
    assert disabled == 0  # the triggers are on again
    return found


def _rows(url: str, tables: list[str]) -> dict[str, list[tuple[object, ...]]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = {
            table: [tuple(row) for row in connection.execute(sa.text(f"SELECT * FROM {table}"))]
            for table in tables
        }
    engine.dispose()
    return {table: sorted(rows, key=repr) for table, rows in found.items()}


def test_the_copy_reference_loads_and_indexes_what_the_import_does(
    tmp_path: Path, postgres_url: str, run: Callable[..., Result]
) -> None:
    """benchmarks/run.py's COPY reference, as the benchmark runs it: PostgreSQL's CSV of the
    rows timeline imported, loaded by COPY into a schema made anew, indexed by the same SQL."""
    if shutil.which("psql") is None:
        pytest.skip("no psql here (scripts/postgres-setup installs it with the server)")
    db = tmp_path / "seeded.db"
    run("--db", str(db), "seed")
    _export(run, str(db), "json", tmp_path / "seed.json")
    tables = list(json.loads((tmp_path / "seed.json").read_text(encoding="utf-8"))["tables"])
    reset_postgres(postgres_url)
    run("--db", postgres_url, "import", str(tmp_path / "seed.json"))
    imported, imported_rows = _index(postgres_url), _rows(postgres_url, tables)

    work = tmp_path / "work"
    work.mkdir()
    benchmark_module("run")._copy_reference(postgres_url, work, tables)

    assert _index(postgres_url) == imported
    assert len(imported) > 20
    assert _rows(postgres_url, tables) == imported_rows
    assert sum(map(len, imported_rows.values())) > 500
    assert not (work / "copy").exists()  # the CSV files are removed once loaded


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_a_reports_second_reference_reads_the_rows_it_prints(
    fmt: str, tmp_path: Path, run: Callable[..., Result]
) -> None:
    """The second reference of a report (benchmarks/run.py, second_reference): the view's
    events, the window's, and each source the report prints with --sources, in its order."""
    bench = benchmark_module("run")
    db = str(tmp_path / "seeded.db")
    run("--db", db, "seed")
    records = json.loads(run("--db", db, "report", *bench.WINDOW, "--format", "json").output)
    rows, _label = bench.second_reference(fmt)
    with sqlite3.connect(db) as connection:
        view, sources, *documents = [connection.execute(query).fetchall() for query in rows]
    assert len(documents) == (4 if fmt == "markdown" else 0)
    assert sorted(row[0] for row in view) == sorted(record["key"] for record in records)
    quotes = [source["quote"] for record in records for source in record["sources"]]
    assert [row[0] for row in sources] == quotes
    assert len(quotes) > 20
    if fmt == "markdown":
        cited = {source["document"] for record in records for source in record["sources"]}
        assert sorted(row[1] for row in documents[0]) == sorted(cited)  # key, after the id


def test_a_reference_is_measured_once_a_run_however_many_steps_compare_with_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every report is compared with the chronology view: the view's query is run beside the
    first, and its median reused for the others; a step's own command runs every time."""
    run = benchmark_module("run")
    monkeypatch.setattr(run, "_REFERENCE_SECONDS", {})
    ran: list[str] = []
    seconds = {"view": 2.0, "quotes": 3.0}

    def measure(command: list[str], *, cwd: Path) -> tuple[float, int]:
        ran.append(command[0])
        return seconds.get(command[0], 1.0), 10

    monkeypatch.setattr(run, "measure", measure)
    first = run.paired(["table"], ["view"], cwd=tmp_path, repeat=3)
    second = run.paired(["csv"], ["view"], cwd=tmp_path, repeat=3)
    measured = run.Measure("sqlite", 1, "csv", 1.0, 10)
    for _ in range(2):
        assert (
            run.also(measured, "quotes", ["quotes"], cwd=tmp_path, repeat=3).reference_seconds
            == 3.0
        )
    assert first == second == (1.0, 10, 2.0)
    assert ran == ["table", "view"] * 3 + ["csv"] * 3 + ["quotes"] * 3
