"""A new PostgreSQL database is loaded with COPY, and a row COPY's batch refuses is still named.

The refused row sits in the middle of a batch of many: the whole COPY is rolled back to its
savepoint, the batch is replayed row by row, and the import fails naming the record, with the
database as it was. On SQLite the same file gives the same message through INSERTs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from conftest import planner_sizes, reset_postgres

from timeline.bulk_index import index_once
from timeline.db import Database
from timeline.export.tables import table_map
from timeline.importing import copying
from timeline.importing.copying import CopyLoader, bulk_loader


def test_postgresql_loads_with_copy_and_sqlite_with_inserts(
    db_url: str, run: Callable[..., Result]
) -> None:
    run("--db", db_url, "init")
    database = Database.open(db_url)
    with database.connect() as connection:
        loader = bulk_loader(connection, table_map()["events"])
    database.dispose()
    assert isinstance(loader, CopyLoader) == db_url.startswith("postgresql")


def test_a_row_copy_refuses_is_named_and_the_database_unchanged(
    db_url: str, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(copying, "COPY_BATCH", 4)  # the bad row inside one of several batches
    source = tmp_path / "seed.db"
    run("--db", str(source), "seed")
    export = tmp_path / "seed.json"
    run("--db", str(source), "export", "json", "-o", str(export))
    document = json.loads(export.read_text(encoding="utf-8"))
    sources = document["tables"]["event_sources"]
    column = (
        sources["columns"].index("document_id") if isinstance(sources["rows"][0], list) else None
    )
    row = sources["rows"][5]
    if column is None:
        row["document_id"] = 99999
    else:
        row[column] = 99999
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = run("--db", db_url, "import", str(bad), expect=1)
    assert "broken reference: event_sources" in result.output
    assert "document_id 99999, but there is no documents record with id 99999" in result.output
    if db_url.startswith("postgresql"):
        engine = sa.create_engine(db_url)
        with engine.connect() as connection:
            assert sa.inspect(connection).get_table_names() == []
        engine.dispose()
    else:
        assert not Path(db_url).exists()


def _set(table: dict[str, object], number: int, column: str, value: object) -> None:
    row = table["rows"][number]  # type: ignore[index]
    if isinstance(row, list):
        row[table["columns"].index(column)] = value  # type: ignore[attr-defined]
    else:
        row[column] = value


@pytest.mark.parametrize(
    ("column", "value"),
    [("char_start", "twelve"), ("quote", "not the stored text")],
    ids=["a value of the wrong type", "a quote the text does not hold"],
)
def test_a_refused_batch_is_named_before_an_error_in_a_later_row(
    postgres_url: str,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    column: str,
    value: object,
) -> None:
    """The batch COPY refuses is written while later rows are read and checked; its refusal,
    the first error in the file, is the one reported, as when each batch was written first.
    (PostgreSQL: on SQLite the INSERT loader's batch of 500 holds both rows.)"""
    reset_postgres(postgres_url)
    monkeypatch.setattr(copying, "COPY_BATCH", 4)
    source = tmp_path / "seed.db"
    run("--db", str(source), "seed")
    export = tmp_path / "seed.json"
    run("--db", str(source), "export", "json", "-o", str(export))
    document = json.loads(export.read_text(encoding="utf-8"))
    sources = document["tables"]["event_sources"]
    _set(sources, 1, "document_id", 99999)  # in the first batch of four
    _set(sources, 6, column, value)  # read while the first batch is in flight
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = run("--db", postgres_url, "import", str(bad), expect=1)
    assert result.output == (
        f"Error: '{bad}': broken reference: event_sources record (id 2) has document_id "
        "99999, but there is no documents record with id 99999\n"
    )
    assert column not in result.output
    engine = sa.create_engine(postgres_url)
    with engine.connect() as connection:
        assert sa.inspect(connection).get_table_names() == []
    engine.dispose()


INDEX = "SELECT sid, tsv::text FROM search_index ORDER BY sid"
TRIGGERS = (
    "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger "
    "WHERE NOT tgisinternal ORDER BY 1, 2"
)


def _seeded_export(url: str, run: Callable[..., Result], tmp_path: Path) -> Path:
    """The seed, made in the emptied database at ``url`` (left there), exported as json."""
    reset_postgres(url)
    run("--db", url, "seed")
    export = tmp_path / "seed.json"
    run("--db", url, "export", "json", "-o", str(export))
    return export


def test_postgresql_import_indexes_once_as_the_triggers_do(
    postgres_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    """Into a new PostgreSQL database the index is built once, after the rows, with the
    triggers off meanwhile; the index and the triggers end as the row-by-row triggers make them."""
    export = _seeded_export(postgres_url, run, tmp_path)
    engine = sa.create_engine(postgres_url)
    with engine.connect() as connection:
        seeded = (
            connection.execute(sa.text(INDEX)).all(),
            connection.execute(sa.text(TRIGGERS)).all(),
        )
    reset_postgres(postgres_url)
    run("--db", postgres_url, "import", str(export))
    with engine.connect() as connection:
        imported = (
            connection.execute(sa.text(INDEX)).all(),
            connection.execute(sa.text(TRIGGERS)).all(),
        )
    assert imported == seeded
    assert len(seeded[0]) > 0 and {row[2] for row in seeded[1]} == {"O"}
    # while the rows go in, the triggers that index them are off
    reset_postgres(postgres_url)
    run("--db", postgres_url, "init")
    with engine.begin() as connection:
        with index_once(connection):
            during = connection.execute(sa.text(TRIGGERS)).all()
        after = connection.execute(sa.text(TRIGGERS)).all()
    engine.dispose()
    assert {(table, state) for table, name, state in during if name == "search_index_sync"} == {
        (table, "D") for table in ("document_readings", "documents", "event_sources", "events")
    }
    assert after == seeded[1]


def _import_statements(run: Callable[..., Result], url: str, export: Path) -> list[str]:
    """The statements an import runs, as PostgreSQL's driver is given them."""
    said: list[str] = []

    def heard(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        said.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", heard)
    try:
        run("--db", url, "import", str(export))
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", heard)
    return said


def test_the_index_is_built_from_vectors_computed_first_unless_the_role_may_not(
    postgres_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    """Into a new PostgreSQL database the vectors of plain columns (a document's text) are
    computed first by CREATE TEMP TABLE … AS, which PostgreSQL may run in parallel, and the
    index reads them there; a role that may not create temporary tables runs the schema's
    statements as they are. Both make the index the row-by-row triggers make."""
    export = _seeded_export(postgres_url, run, tmp_path)
    engine = sa.create_engine(postgres_url)
    with engine.connect() as connection:
        seeded = connection.execute(sa.text(INDEX)).all()
        database = connection.execute(sa.text("SELECT current_database()")).scalar_one()
    reset_postgres(postgres_url)
    said = _import_statements(run, postgres_url, export)
    computed = [s for s in said if s.startswith("CREATE TEMP TABLE search_index_vectors")]
    assert [s.rsplit(" FROM ", 1)[1] for s in computed] == [
        "documents t",
        "events t",
        "event_sources t",
    ]
    assert "search_vector(t.text, 'D') AS v0" in computed[0]
    with engine.connect() as connection:
        assert connection.execute(sa.text(INDEX)).all() == seeded
    reset_postgres(postgres_url)
    revoke = f'REVOKE TEMPORARY ON DATABASE "{database}" FROM PUBLIC, CURRENT_USER'
    with engine.begin() as connection:
        connection.execute(sa.text(revoke))
    try:
        said = _import_statements(run, postgres_url, export)
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'GRANT TEMPORARY ON DATABASE "{database}" TO PUBLIC'))
            connection.execute(sa.text(f'GRANT ALL ON DATABASE "{database}" TO CURRENT_USER'))
    assert not any("TEMP TABLE" in statement for statement in said)
    assert any(s.startswith("INSERT INTO search_index (sid, tsv)") for s in said)
    with engine.connect() as connection:
        assert connection.execute(sa.text(INDEX)).all() == seeded
    engine.dispose()


def test_a_postgresql_import_brings_its_statistics(
    postgres_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    """The planner knows the tables' sizes as soon as the import commits, not only once
    autovacuum has sampled them: a new table is never analyzed (reltuples -1) before that."""
    export = _seeded_export(postgres_url, run, tmp_path)
    reset_postgres(postgres_url)
    run("--db", postgres_url, "import", str(export))
    names = ["events", "documents", "event_sources", "actor_aliases", "search_index"]
    counted, known = planner_sizes(postgres_url, names)
    assert all(rows > 0 for rows in counted.values())
    assert known == counted
