"""`import --merge`: records matched by key, kept when the same, added with new ids when new."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, func, literal, select
from sqlalchemy.engine import Connection

from timeline.checks import RowVerifier
from timeline.errors import ImportFileError
from timeline.export.tables import (
    ROW_ENCODER,
    Link,
    TableInfo,
    describe_record,
    stream_rows,
    table_map,
)
from timeline.importing.loader import BATCH, Deferred, ImportSummary, Loader, Row
from timeline.importing.reader import Sink


def _content_hash(info: TableInfo, row: Row, skip: str | None) -> str:
    values = [row[name] for name in info.column_names if name != skip]
    return hashlib.sha256(ROW_ENCODER.encode(values).encode()).hexdigest()


class MergeSink(Sink):
    """Into a database that has records: match keyed records by key, add what is new.

    Every table with a unique ``key`` column is matched by key. A row of another table belongs
    to the keyed record its first non-null, cascading reference names (an event's sources and
    actors, a document's notes, an actor's aliases and offices); the rows a kept record owns
    must be the same in the file and the database. Rows of a table that belongs to no keyed
    record are kept when an identical row exists, else added.
    """

    def __init__(self, connection: Connection, summary: ImportSummary) -> None:
        self.connection = connection
        self.summary = summary
        self.verifier = RowVerifier(connection)
        self.infos = table_map()
        self.keyed = {name for name, info in self.infos.items() if info.key_column}
        self.ids: dict[str, dict[Any, Any]] = defaultdict(dict)  # file id -> database id
        self.kept: dict[str, set[Any]] = defaultdict(set)  # database ids of kept records
        self.next_id: dict[str, int] = {}
        self.info: TableInfo | None = None
        self.loader: Loader | None = None
        self.batch: list[Row] = []
        self.owner: Link | None = None
        self.children: dict[Any, list[tuple[str, Any]]] = defaultdict(list)
        self.self_checks: list[tuple[Row, str, Any, str]] = []  # kept row, column, file id, who
        self.later: list[Deferred] = []  # self-references of new rows, still as file ids

    # helpers

    def _new_id(self, info: TableInfo) -> int:
        name = info.name
        if name not in self.next_id:
            column = info.table.c[info.surrogate]
            top = self.connection.execute(select(func.max(column))).scalar()
            self.next_id[name] = (top or 0) + 1
        value = self.next_id[name]
        self.next_id[name] += 1
        return value

    def _map(self, info: TableInfo, row: Row) -> tuple[Row, list[tuple[str, Any]]]:
        """The row with references turned into database ids; self-references not yet known
        are returned apart, to be set when the table is complete."""
        mapped = dict(row)
        later: list[tuple[str, Any]] = []
        for link in info.links:
            value = row[link.column]
            target = self.infos[link.target]
            if value is None or link.target_column != target.surrogate:
                continue
            found = self.ids[link.target].get(value)
            if found is None:
                if link.target == info.name:
                    later.append((link.column, value))
                    mapped[link.column] = None
                    continue
                raise ImportFileError(
                    f"broken reference: {describe_record(info, row)} has {link.column} "
                    f"{value!r}, but the file has no {link.target} record with "
                    f"{link.target_column} {value!r}"
                )
            mapped[link.column] = found
        return mapped, later

    def _owner_link(self, info: TableInfo) -> Link | None:
        candidates = [
            link
            for link in info.links
            if link.target in self.keyed
            and link.target != info.name
            and not info.table.c[link.column].nullable
        ]
        cascading = [link for link in candidates if link.cascade]
        return (cascading or candidates or [None])[0]

    def _key_of(self, table: str, database_id: Any) -> Any:
        info = self.infos[table]
        assert info.key_column is not None and info.surrogate is not None
        return self.connection.execute(
            select(info.table.c[info.key_column]).where(info.table.c[info.surrogate] == database_id)
        ).scalar()

    # the sink

    def begin_table(self, info: TableInfo) -> None:
        self.info = info
        self.loader = Loader(self.connection, info, verifier=self.verifier)
        self.batch = []
        self.owner = None if info.key_column else self._owner_link(info)
        self.children = defaultdict(list)
        self.self_checks = []
        self.later = []

    def row(self, row: Row) -> None:
        self.batch.append(row)
        if len(self.batch) >= BATCH:
            self._process()

    def _process(self) -> None:
        info, batch = self.info, self.batch
        assert info is not None
        self.batch = []
        if info.key_column:
            self._keyed(info, batch)
        elif self.owner is not None:
            self._owned(info, batch, self.owner)
        else:
            for row in batch:
                self._loose(info, row)

    def _insert(self, info: TableInfo, row: Row, mapped: Row, later: list[tuple[str, Any]]) -> None:
        assert self.loader is not None
        if info.surrogate is not None:
            mapped[info.surrogate] = self._new_id(info)
            self.ids[info.name][row[info.surrogate]] = mapped[info.surrogate]
        for column, value in later:
            key = {name: mapped[name] for name in info.primary_key}
            self.later.append(Deferred(key, column, value, describe_record(info, row)))
        self.loader.add(mapped, row)
        self.summary.inserted[info.name] += 1

    def _keyed(self, info: TableInfo, batch: list[Row]) -> None:
        key_name = info.key_column
        assert key_name is not None and info.surrogate is not None
        key_column = info.table.c[key_name]
        keys = [row[key_name] for row in batch]
        existing = {
            found._mapping[key_name]: dict(found._mapping)
            for found in self.connection.execute(select(info.table).where(key_column.in_(keys)))
        }
        for row in batch:
            mapped, later = self._map(info, row)
            old = existing.get(row[key_name])
            if old is None:
                self._insert(info, row, mapped, later)
                continue
            skip = {info.surrogate} | {column for column, _ in later}
            differ = [
                name for name in info.column_names if name not in skip and mapped[name] != old[name]
            ]
            if differ:
                raise ImportFileError(
                    f"conflicting key: {info.name} {row[key_name]!r} is already in the database "
                    f"with a different {', '.join(differ)}"
                )
            self.ids[info.name][row[info.surrogate]] = old[info.surrogate]
            self.kept[info.name].add(old[info.surrogate])
            self.summary.kept[info.name] += 1
            for column, value in later:
                self.self_checks.append((old, column, value, f"{info.name} {row[key_name]!r}"))

    def _owned(self, info: TableInfo, batch: list[Row], owner: Link) -> None:
        kept = self.kept[owner.target]
        for row in batch:
            mapped, later = self._map(info, row)
            if mapped[owner.column] in kept:
                digest = _content_hash(info, mapped, info.surrogate)
                file_id = row[info.surrogate] if info.surrogate else None
                self.children[mapped[owner.column]].append((digest, file_id))
            else:
                self._insert(info, row, mapped, later)

    def _loose(self, info: TableInfo, row: Row) -> None:
        mapped, later = self._map(info, row)
        table = info.table
        same = [
            table.c[n].is_(None) if mapped[n] is None else table.c[n] == mapped[n]
            for n in info.column_names
            if n != info.surrogate
        ]
        pick = table.c[info.surrogate] if info.surrogate else literal(1)
        found = self.connection.execute(select(pick).where(and_(*same)).limit(1)).first()
        if found is None:
            self._insert(info, row, mapped, later)
            return
        if info.surrogate:
            self.ids[info.name][row[info.surrogate]] = found[0]
        self.summary.kept[info.name] += 1

    def end_table(self) -> None:
        info, loader = self.info, self.loader
        assert info is not None and loader is not None
        self._process()
        own_ids = self.ids[info.name]
        for item in self.later:  # self-references of new rows: file ids to database ids
            found = own_ids.get(item.value)
            if found is None:
                raise ImportFileError(
                    f"broken reference: {item.described} has {item.column} {item.value!r}, "
                    f"but the file has no {info.name} record with that id"
                )
            item.value = found
            loader.deferred.append(item)
        loader.finish()
        for old, column, value, who in self.self_checks:
            if own_ids.get(value) != old[column]:
                raise ImportFileError(
                    f"conflicting key: {who} is already in the database with a different {column}"
                )
        if self.owner is not None:
            self._compare_children(info, self.owner)
        self.info = self.loader = None

    def _compare_children(self, info: TableInfo, owner: Link) -> None:
        """The rows of kept records must be the same rows in the file and in the database."""
        kept = self.kept[owner.target]
        if not kept:
            return
        stored: dict[Any, list[tuple[str, Any]]] = defaultdict(list)
        names = info.column_names
        for values in stream_rows(self.connection, info):
            row = dict(zip(names, values, strict=True))
            if row[owner.column] in kept:
                database_id = row[info.surrogate] if info.surrogate else None
                stored[row[owner.column]].append(
                    (_content_hash(info, row, info.surrogate), database_id)
                )
        for parent in sorted(kept):
            mine, theirs = sorted(self.children.get(parent, [])), sorted(stored.get(parent, []))
            if [d for d, _ in mine] != [d for d, _ in theirs]:
                raise ImportFileError(
                    f"conflicting key: {owner.target} {self._key_of(owner.target, parent)!r} is "
                    f"already in the database with different {info.name} rows"
                )
            if info.surrogate:
                for (_, file_id), (_, database_id) in zip(mine, theirs, strict=True):
                    self.ids[info.name][file_id] = database_id
            self.summary.kept[info.name] += len(mine)


# --- entry point ---------------------------------------------------------------------------------
