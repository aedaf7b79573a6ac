"""The full-text index built once after a load into a new database, not row by row.

Migration 0003 keeps ``search_index`` current with triggers: each inserted document, event or
quote indexes itself, and each reading re-indexes its document and the quotes it overlaps. For a
load of a whole database that per-row work is most of the time (42 s of triggers against 4 s of
building the index once, at 100,000 events on SQLite; on PostgreSQL the triggers were most of a
COPY's time). So a load into a new database turns the triggers off, inserts the rows, indexes
every row with the schema's own statements (their one-row condition left out: the statements
stay whatever the schema's migrations made them) and turns the triggers on again, all inside the
load's one transaction: if the load fails, the database rolls the triggers back with everything
else.

- SQLite: the triggers are dropped and created again; each insert trigger's statement, without
  its ``WHERE t.id = NEW.id``, indexes the table. The record search's trigram tables (migration
  0009: ``search_index_<table>``, their triggers ``records_<table>_*``) read their table's rows
  themselves: each is rebuilt (FTS5's ``'rebuild'``).
- PostgreSQL: the triggers are disabled (``ALTER TABLE … DISABLE TRIGGER``, which only the
  tables' owner may do: a load by another role keeps the triggers); the three statements of
  ``search_index_refresh()``, without their ``WHERE t.id = row_id``, index the tables. An
  ``INSERT … SELECT`` runs in one process, and most of its time is ``search_vector`` over the
  documents' texts (27 of 33 s at 100,000 events). So each vector of a plain column
  (``search_vector(t.text, 'D')``) is computed first by ``CREATE TEMP TABLE … AS SELECT``,
  which PostgreSQL may run with parallel workers (14 s on two cores), and the statement reads
  it from there: the same function of the same values, computed elsewhere
  (:func:`parallel_steps`). A role that may not create temporary tables runs the
  statements as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

_ONE_ROW = " WHERE t.id = NEW.id;"
_BODY = re.compile(r"\bBEGIN\n(.*)\nEND\s*$", re.DOTALL)

# PostgreSQL: the per-row INSERTs of search_index_refresh(code, row_id), one per kind of entry.
_PG_ONE_ROW = " WHERE t.id = row_id;"
_PG_INSERT = re.compile(r"INSERT INTO search_index \(sid, tsv\).*?;", re.DOTALL)
_PG_KINDS = 3  # documents, events, quotes
# In such a statement: a vector of one of the row's own columns, and the table the row is from.
_PG_PLAIN_VECTOR = re.compile(r"search_vector\(t\.([a-z_]+), '([A-D])'\)")
_PG_FROM = re.compile(r"\bFROM ([a-z_]+) t$")
_PG_VECTORS = "search_index_vectors"  # the temporary table of the vectors computed first


@contextmanager
def index_once(connection: Connection) -> Iterator[None]:
    """Inside it, rows go in without touching the index; on leaving, every row is indexed."""
    if connection.dialect.name == "postgresql":
        with _postgresql_index_once(connection):
            yield
        return
    if connection.dialect.name != "sqlite":
        yield
        return
    triggers = connection.execute(
        text(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND (name LIKE 'search\\_%' ESCAPE '\\' OR name LIKE 'records\\_%' ESCAPE '\\') "
            "ORDER BY name"
        )
    ).all()
    statements = []
    for name, table, sql in triggers:
        if name == f"search_{table}_insert" and table != "document_readings":
            body = _BODY.search(sql)
            if body is None or not body.group(1).rstrip().endswith(_ONE_ROW):
                raise RuntimeError(f"unexpected full-text trigger {name}")  # a new schema
            statements.append(body.group(1).rstrip().removesuffix(_ONE_ROW))
        elif name == f"records_{table}_insert":  # a trigram table over the table's own rows
            index = f"search_index_{table}"
            statements.append(f'INSERT INTO "{index}" ("{index}") VALUES (\'rebuild\')')
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for statement in statements:
        connection.exec_driver_sql(statement)
    for _, _, sql in triggers:
        connection.exec_driver_sql(sql)


@contextmanager
def _postgresql_index_once(connection: Connection) -> Iterator[None]:
    # The row triggers that write the index (not the TRUNCATE ones), on tables this role owns.
    triggers = connection.execute(
        text(
            "SELECT c.relname, t.tgname, pg_has_role(c.relowner, 'USAGE') "
            "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal "
            "AND t.tgenabled <> 'D' "
            "AND p.proname IN ('search_index_sync', 'search_index_sync_reading') "
            "ORDER BY c.relname, t.tgname"
        )
    ).all()
    source = connection.execute(
        text(
            "SELECT prosrc FROM pg_proc "
            "WHERE proname = 'search_index_refresh' "
            "AND pronamespace = current_schema()::regnamespace"
        )
    ).scalar()
    if not triggers or source is None or not all(owned for _, _, owned in triggers):
        yield  # no index, or not ours to change: the triggers index each row
        return
    statements = postgresql_index_statements(source)
    for table, trigger, _ in triggers:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"')
    yield
    # A new database's index is empty; the refresh's DELETE of the row's old entry is not needed.
    temporary = connection.execute(
        text("SELECT has_database_privilege(current_database(), 'TEMPORARY')")
    ).scalar()
    for statement in statements:
        for step in parallel_steps(statement) if temporary else [statement]:
            connection.exec_driver_sql(step)
    for table, trigger, _ in triggers:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER "{trigger}"')


def postgresql_index_statements(source: str) -> list[str]:
    """The statements that index every row of the three tables: those of
    ``search_index_refresh()`` (its ``source``), without their ``WHERE t.id = row_id``."""
    statements = [found.group(0) for found in _PG_INSERT.finditer(source)]
    if len(statements) != _PG_KINDS or not all(s.endswith(_PG_ONE_ROW) for s in statements):
        raise RuntimeError("unexpected full-text function search_index_refresh")  # a new schema
    return [statement.removesuffix(_PG_ONE_ROW) for statement in statements]


def parallel_steps(statement: str) -> list[str]:
    """An ``INSERT INTO search_index … SELECT … FROM table t`` of every row, as statements
    PostgreSQL can run partly in parallel: the vectors of the row's plain columns computed by a
    ``CREATE TEMP TABLE … AS``, then the statement, reading them there, then the table dropped.
    A statement without such a vector is left as it is."""
    source = _PG_FROM.search(statement)
    vectors = list(dict.fromkeys(_PG_PLAIN_VECTOR.findall(statement)))
    if source is None or not vectors:
        return [statement]
    computed = ", ".join(
        f"search_vector(t.{column}, '{weight}') AS v{number}"
        for number, (column, weight) in enumerate(vectors)
    )
    reading = statement[: source.start()]
    for number, (column, weight) in enumerate(vectors):
        vector = f"search_vector(t.{column}, '{weight}')"
        reading = reading.replace(vector, f"{_PG_VECTORS}.v{number}")
    return [
        f"CREATE TEMP TABLE {_PG_VECTORS} ON COMMIT DROP AS "
        f"SELECT t.id, {computed} FROM {source.group(1)} t",
        f"{reading}FROM {source.group(1)} t JOIN pg_temp.{_PG_VECTORS} ON {_PG_VECTORS}.id = t.id",
        f"DROP TABLE pg_temp.{_PG_VECTORS}",
    ]
