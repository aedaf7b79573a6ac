"""Writing rows: the batched loader that names a refused record, and the id sequences moved
past the loaded ids, in the transaction of :meth:`timeline.db.Database.write_transaction`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, literal, select, text, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from timeline.checks import RowVerifier, record_name
from timeline.db import first_line
from timeline.errors import ImportFileError
from timeline.export.tables import (
    TableInfo,
    describe_record,
    table_map,
    tables,
)
from timeline.integrity import CheckedRow

Row = dict[str, Any]
Tick = Callable[[int], None]

BATCH = 500


@dataclass
class ImportSummary:
    """What an import added, and (with ``merge``) what it found already there."""

    database: str
    merged: bool
    inserted: Counter[str] = field(default_factory=Counter)
    kept: Counter[str] = field(default_factory=Counter)


def reset_sequences(connection: Connection) -> None:
    """PostgreSQL: move each id sequence past the largest id, so new records get fresh ids."""
    if connection.dialect.name != "postgresql":
        return
    for info in tables():
        if info.surrogate is None:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE((SELECT MAX("{info.surrogate}") FROM "{info.name}"), 0) + 1, false)'
            ),
            {"table": info.name, "column": info.surrogate},
        )


# --- loading rows --------------------------------------------------------------------------------


def explain_refusal(connection: Connection, info: TableInfo, row: Row, exc: Exception) -> str:
    """Why the database refused ``row``: the reference that points nowhere, the key it already
    holds, else the database's own words."""
    described = describe_record(info, row)
    all_tables = table_map()
    for link in info.links:
        value = row.get(link.column)
        if value is None:
            continue
        target = all_tables[link.target].table
        found = connection.execute(
            select(literal(1)).select_from(target).where(target.c[link.target_column] == value)
        ).first()
        if found is None:
            return (
                f"broken reference: {described} has {link.column} {value!r}, "
                f"but there is no {link.target} record with {link.target_column} {value!r}"
            )
    for names in info.unique_sets:
        values = [row.get(name) for name in names]
        if any(v is None for v in values):
            continue
        found = connection.execute(
            select(literal(1))
            .select_from(info.table)
            .where(and_(*(info.table.c[n] == v for n, v in zip(names, values, strict=True))))
        ).first()
        if found is not None:
            shown = ", ".join(f"{n} {v!r}" for n, v in zip(names, values, strict=True))
            return f"conflicting key: {described}: {info.name} already has a record with {shown}"
    return f"{described} is refused by the database: {first_line(exc)}"


@dataclass
class Deferred:
    """A self-reference set after the table is loaded (the row it names comes later)."""

    key: Row
    column: str
    value: Any
    described: str


class Loader:
    """Inserts one table's rows in batches, each batch in a savepoint.

    When the database refuses a batch, the rows are tried one by one to find the record to
    name (:func:`explain_refusal`). A reference to a row of the same table that comes later in
    primary-key order (a statute's act, numbered after its section) is inserted as NULL and set
    when the table is complete.

    With a ``verifier``, every row is first held to the rules of :mod:`timeline.integrity`
    (its spans against its document's text, stored by then): the first row that breaks one
    stops the load with an error that names it, before the database sees it.
    """

    def __init__(
        self,
        connection: Connection,
        info: TableInfo,
        *,
        batch: int = BATCH,
        verifier: RowVerifier | None = None,
    ) -> None:
        self.connection = connection
        self.info = info
        self.batch_size = batch
        self.verifier = verifier
        self.pending: list[Row] = []
        self.deferred: list[Deferred] = []
        self.count = 0
        single = info.primary_key[0] if len(info.primary_key) == 1 else None
        # A self-reference to the primary key can point backwards (already inserted) or
        # forwards; to any other column, it is always set afterwards.
        self._self_links = [(link.column, link.target_column == single) for link in info.self_links]

    def add(self, row: Row, shown: Row | None = None) -> None:
        """Queue ``row``; ``shown`` is how the file has it, when a merge changed its ids."""
        if self.verifier is not None:
            self._verify(row, row if shown is None else shown)
        for column, by_key in self._self_links:
            value = row.get(column)
            if value is None:
                continue
            own = row[self.info.primary_key[0]] if by_key else None
            if not by_key or own is None or value >= own:
                self.defer(row, column, value)
                row = {**row, column: None}
        self.pending.append(row)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def add_checked(self, batch: list[tuple[Any, ...]]) -> None:
        """Queue rows that passed :func:`~timeline.integrity.row_problems` where they were
        read, as value tuples in column order."""
        names = self.info.column_names
        for values in batch:
            self.add(CheckedRow(zip(names, values)))  # noqa: B905

    def _verify(self, row: Row, shown: Row) -> None:
        assert self.verifier is not None
        causes = self.verifier.causes(self.info, row)
        if causes:
            self.settle()  # the rows before it first: a refusal of theirs is the first error
            name = record_name(self.connection, self.info, row, shown)
            raise ImportFileError(f"{name}: {causes[0]}")

    def defer(self, row: Row, column: str, value: Any) -> None:
        key = {name: row[name] for name in self.info.primary_key}
        self.deferred.append(Deferred(key, column, value, describe_record(self.info, row)))

    def settle(self) -> None:
        """Wait for rows still being written (a :class:`CopyLoader`'s COPY in its thread)."""

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        savepoint = self.connection.begin_nested()
        try:
            self._insert(rows)
        except (sa_exc.IntegrityError, sa_exc.DataError) as exc:
            savepoint.rollback()
            self._find_refused(rows, exc)
        else:
            savepoint.commit()
        self.count += len(rows)

    def _insert(self, rows: list[Row]) -> None:
        """One batch, in the savepoint :meth:`flush` opened."""
        self.connection.execute(self.info.table.insert(), rows)

    def _find_refused(self, rows: list[Row], batch_error: Exception) -> None:
        statement = self.info.table.insert()
        for row in rows:
            savepoint = self.connection.begin_nested()
            try:
                self.connection.execute(statement, row)
            except (sa_exc.IntegrityError, sa_exc.DataError) as exc:
                savepoint.rollback()
                raise ImportFileError(
                    explain_refusal(self.connection, self.info, row, exc)
                ) from exc
            savepoint.commit()
        raise ImportFileError(
            f"table {self.info.name}: the database refused a batch of rows: "
            f"{first_line(batch_error)}"
        ) from batch_error

    def finish(self) -> int:
        """Flush the last batch and set the deferred self-references; returns rows inserted."""
        self.flush()
        table = self.info.table
        for item in self.deferred:
            condition = and_(*(table.c[n] == v for n, v in item.key.items()))
            savepoint = self.connection.begin_nested()
            try:
                self.connection.execute(
                    update(table).where(condition).values({item.column: item.value})
                )
            except (sa_exc.IntegrityError, sa_exc.DataError) as exc:
                savepoint.rollback()
                row = {**item.key, item.column: item.value}
                message = explain_refusal(self.connection, self.info, row, exc)
                raise ImportFileError(
                    message.replace(describe_record(self.info, row), item.described, 1)
                ) from exc
            savepoint.commit()
        self.deferred = []
        return self.count


def copy_rows(
    connection: Connection, info: TableInfo, rows: Iterable[Row], tick: Tick | None = None
) -> int:
    """Insert rows (typed values, primary-key order) into an empty table; returns how many."""
    loader = Loader(connection, info)
    pending = 0
    for row in rows:
        loader.add(row)
        pending += 1
        if tick is not None and pending == loader.batch_size:
            tick(pending)
            pending = 0
    count = loader.finish()
    if tick is not None and pending:
        tick(pending)
    return count


# --- reading the file ----------------------------------------------------------------------------
