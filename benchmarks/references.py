"""The reference side of the benchmark: each step done by the engine's own tools, no timeline.

Run as ``python benchmarks/references.py WHAT ARGS``; benchmarks/run.py times each in its own
process, as it times timeline's.

- ``dump-json DB OUT`` / ``dump-ndjson DB OUT``: every table streamed with the standard library
  (``sqlite3`` and ``json``), one row at a time, each an object on its own line as timeline's
  exports write them: the plain streaming dump.
- ``bulk-load-csv DIR DB TABLE...``: the engine's bulk path for ``import``: DB holds the empty
  schema (``timeline init``); every row, read from ``DIR/TABLE.csv`` (``sqlite3 -csv`` of the
  imported database, the files PostgreSQL's COPY reference reads too), is inserted with
  ``executemany`` in one transaction, with the full-text triggers off, and the full-text index
  built once at the end by the same statements migration 0003 indexes existing rows with.
- ``postgres-copy-script DIR TABLE...``: prints the same for PostgreSQL, a psql script: ``\\copy``
  of each ``DIR/TABLE.csv``, its full-text triggers disabled and the index built at the end.
- ``bulk-load EXPORT DB``: the same from the json export, read table by table with ijson (its
  reading costs many times the inserting: kept to show that, not as the reference).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sqlite3
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import ijson

ROOT = Path(__file__).resolve().parent.parent


def _tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'search_index%' AND name <> 'alembic_version' ORDER BY name"
    )
    return [name for (name,) in rows]


def dump(db: str, out: str, ndjson: bool) -> None:
    """Each row as one object on its own line, as timeline's exports write rows: in ndjson with
    its table named (``{"table": "t", "row": {…}}``), in json inside its table's array
    (``{"tables": {"t": [rows], …}}``)."""
    connection = sqlite3.connect(db)
    with open(out, "w", encoding="utf-8") as stream:
        stream.write("" if ndjson else '{"tables": {')
        for number, table in enumerate(_tables(connection)):
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            columns = [c[0] for c in cursor.description]
            if not ndjson:
                stream.write(f"{',' if number else ''}\n  {json.dumps(table)}: [")
            separator = "\n    "
            for row in cursor:
                record = dict(zip(columns, row, strict=True))
                if ndjson:
                    line = json.dumps({"table": table, "row": record}, ensure_ascii=False)
                    stream.write(line + "\n")
                else:
                    stream.write(separator + json.dumps(record, ensure_ascii=False))
                    separator = ",\n    "
            if not ndjson:
                stream.write("\n  ]")
        stream.write("" if ndjson else "\n}}\n")


def _migration_0003() -> Any:
    path = ROOT / "migrations" / "versions" / "0003_search.py"
    spec = importlib.util.spec_from_file_location("migration_0003", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(path: str, table: str) -> Iterator[tuple[list[str], Iterator[list[Any]]]]:
    with open(path, "rb") as stream:
        columns = next(ijson.items(stream, f"tables.{table}.columns"))
    with open(path, "rb") as stream:
        rows = ijson.items(stream, f"tables.{table}.rows.item", use_float=True)
        yield columns, ([row[c] for c in columns] for row in rows)


def _bulk(db: str, tables: Iterator[tuple[str, list[str], Iterator[list[Any]]]]) -> None:
    """Each table's rows inserted with ``executemany`` in one transaction, the full-text
    triggers off, and the index built once at the end as migration 0003 builds it (and the
    record search's trigram tables rebuilt, as timeline's import does)."""
    migration = _migration_0003()
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("BEGIN")
    triggers = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND (name LIKE 'search_%' OR name LIKE 'records_%')"
    ).fetchall()
    for name, _ in triggers:
        connection.execute(f'DROP TRIGGER "{name}"')
    for table, columns, rows in tables:
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        statement = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
        while batch := list(islice(rows, 5000)):
            connection.executemany(statement, batch)
    for code, table, _ in migration.SOURCES:
        connection.execute(migration._sqlite_index(code, table))
    for (index,) in connection.execute(  # the record search's trigram tables (migration 0009)
        "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%trigram%'"
    ).fetchall():
        connection.execute(f"INSERT INTO {index} ({index}) VALUES ('rebuild')")
    for _, sql in triggers:
        connection.execute(sql)
    connection.execute("COMMIT")


def bulk_load(export: str, db: str) -> None:
    with open(export, "rb") as stream:
        order = [name for name, _ in ijson.kvitems(stream, "tables")]
    _bulk(db, ((t, columns, rows) for t in order for columns, rows in _rows(export, t)))


def _csv_tables(
    directory: str, tables: list[str]
) -> Iterator[tuple[str, list[str], Iterator[list[Any]]]]:
    csv.field_size_limit(sys.maxsize)
    for table in tables:
        with open(Path(directory) / f"{table}.csv", newline="", encoding="utf-8") as stream:
            reader = csv.reader(stream)
            columns = next(reader)
            yield table, columns, ([None if v == "" else v for v in row] for row in reader)


def bulk_load_csv(directory: str, db: str, tables: list[str]) -> None:
    """The same rows as ``bulk_load``, read from ``sqlite3 -csv`` files (``TABLE.csv`` in
    ``directory``, with a header) by the C csv reader, in one pass over each file: the JSON
    export is read per table by ijson, at many times the cost of inserting its rows. An empty
    field is NULL (the timeline holds no empty strings); SQLite's column affinity turns the
    numbers' text into numbers, as it would the values of any text source."""
    _bulk(db, _csv_tables(directory, tables))


def postgres_copy_script(directory: str, tables: list[str]) -> str:
    """The psql script of PostgreSQL's bulk path for ``import``, as the SQLite one does it: in one
    transaction, the full-text triggers disabled, every row of ``DIR/TABLE.csv`` loaded with
    ``\\copy``, the index built once at the end, and the triggers enabled again. The index is
    built by the SQL timeline's import builds it with (:mod:`timeline.bulk_index`): the
    statements of migration 0003's ``search_index_refresh()`` for every row, the vectors of
    plain columns computed first by a ``CREATE TABLE … AS`` PostgreSQL may run in parallel.
    Both loads then index alike, and the ratio tells of the loading. (Until 2026-12-03 the
    reference called ``search_index_refresh()`` once a row.)"""
    from timeline.bulk_index import parallel_steps, postgresql_index_statements

    migration = _migration_0003()
    synced = migration._PG_TRIGGER_TABLES
    source = migration._refresh_function()
    lines = ["BEGIN;"]
    lines += [f"ALTER TABLE {t} DISABLE TRIGGER search_index_sync;" for t in synced]
    lines += [
        f"\\copy {t} FROM '{Path(directory) / t}.csv' WITH (FORMAT csv, HEADER true)"
        for t in tables
    ]
    lines += [
        f"{step};"
        for statement in postgresql_index_statements(source)
        for step in parallel_steps(statement)
    ]
    lines += [f"ALTER TABLE {t} ENABLE TRIGGER search_index_sync;" for t in synced]
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def main() -> None:
    what, *args = sys.argv[1:]
    if what == "postgres-copy-script":
        print(postgres_copy_script(args[0], args[1:]), end="")
    elif what in ("dump-json", "dump-ndjson"):
        dump(args[0], args[1], ndjson=what == "dump-ndjson")
    elif what == "bulk-load":
        bulk_load(args[0], args[1])
    elif what == "bulk-load-csv":
        bulk_load_csv(args[0], args[1], args[2:])
    else:
        raise SystemExit(f"unknown reference {what}")


if __name__ == "__main__":
    main()
