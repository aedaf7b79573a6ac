"""Rows written by their stable keys, the generic half of the one loader: upsert by key,
child collections made exactly what a plan wants, new rows inserted many at a time.

:class:`timeline.loading.writer.PlanWriter` builds on it; what it counts (rows touched, inserted
in bulk) is what :func:`timeline.loading.load.load_plan` reports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, load_only, object_session, selectinload

from timeline.loading.plan import Row
from timeline.models import Base

M = TypeVar("M", bound=Base)
CHUNK = 5000  # keys or ids per IN (...): SQLite allows 32,766 parameters in a statement


def assign(obj: object, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


class _Values:
    """Attribute access to a dict, so one identity function serves rows and wanted values."""

    def __init__(self, values: Row) -> None:
        self.__dict__.update(values)


class RowWriter:
    """Upserts and collection syncs in ``session``, counted per table."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.touched: Counter[str] = Counter()
        self.fresh: set[int] = set()  # id() of the objects this run inserted in bulk
        self.queued: dict[type[Base], list[Row]] = {}  # new child rows, see sync()
        self.bulk_inserted: Counter[str] = Counter()

    def upsert(self, model: type[M], rows: Mapping[str, Row]) -> dict[str, M]:
        existing = {
            obj.key: obj  # type: ignore[attr-defined]
            for obj in self.session.scalars(
                select(model).where(model.key.in_(list(rows)))  # type: ignore[attr-defined]
            )
        }
        for key, values in rows.items():
            obj = existing.get(key)
            if obj is not None:
                assign(obj, values)
        new = [{**values, "key": key} for key, values in rows.items() if key not in existing]
        if new:
            # One INSERT for all, then one SELECT for their ids: an ORM object per row would be
            # inserted one row at a time on SQLite, and each attribute set through the ORM.
            self.insert_rows(model, new)
            keys = [row["key"] for row in new]
            for start in range(0, len(keys), CHUNK):
                # Only the id and key: the rest is what was just written (a volume's texts
                # read back would double them in memory); anything else loads if asked for.
                query = (
                    select(model)
                    .where(model.key.in_(keys[start : start + CHUNK]))  # type: ignore[attr-defined]
                    .options(load_only(model.id, model.key))  # type: ignore[attr-defined]
                )
                for obj in self.session.scalars(query):
                    existing[obj.key] = obj  # type: ignore[attr-defined]
                    self.fresh.add(id(obj))
        self.touched[model.__tablename__] += len(rows)
        # In the plan's order, not the order a backend returned them in: children are written
        # in this order, so their ids are the same on every backend.
        return {key: existing[key] for key in rows}

    def insert_rows(self, model: type[Base], rows: Sequence[Row]) -> None:
        """INSERT ``rows`` (column values) with executemany, rows of one shape at a time."""
        shapes: dict[tuple[str, ...], list[Row]] = {}
        for row in rows:
            shapes.setdefault(tuple(row), []).append(row)
        for same in shapes.values():
            self.session.execute(insert(model.__table__), same)
        self.bulk_inserted[model.__tablename__] += len(rows)

    def sync(
        self,
        collection: list[Any],
        factory: Callable[..., Any],
        wanted: Sequence[Row],
        identity: Callable[[Any], Hashable],
        scope: Callable[[Any], bool] = lambda _row: True,
        parent: tuple[str, int] | None = None,
    ) -> None:
        """Make the rows of a child collection within ``scope`` exactly ``wanted``.

        With ``parent`` (its foreign key column and id) and nothing stored, every wanted row is
        new: it is queued for one multi-row INSERT per table (:meth:`insert_queued`) instead of
        becoming an ORM object, which SQLite's driver would insert one row at a time.
        """
        if parent is not None and not collection:
            column, parent_id = parent
            self.queued.setdefault(factory, []).extend(
                {**values, column: parent_id} for values in wanted
            )
            self.touched[factory.__tablename__] += len(wanted)  # type: ignore[attr-defined]
            return
        current = {identity(row): row for row in collection if scope(row)}
        keep = set()
        for values in wanted:
            ident = identity(_Values(values))
            keep.add(ident)
            row = current.get(ident)
            if row is None:
                collection.append(factory(**values))
            else:
                assign(row, values)
        self.touched[factory.__tablename__] += len(wanted)  # type: ignore[attr-defined]
        for ident, row in current.items():
            if ident not in keep:
                collection.remove(row)
                session = object_session(row)
                if session is not None:  # counted as deleted now, not found an orphan at flush
                    session.delete(row)

    def insert_queued(self) -> None:
        """Write the rows :meth:`sync` queued, one executemany per table (parents first)."""
        for model, rows in self.queued.items():
            self.insert_rows(model, rows)
        self.queued.clear()

    def preload(self, model: type[M], objs: Sequence[M], *collections: Any) -> None:
        """Load the ``collections`` of ``objs`` in one query each, not one per object: a lazy
        load per object would also flush the session before each, which dominated a volume's
        load (thousands of queries and flushes)."""
        self.session.flush()  # new objects get their ids
        ids = [obj.id for obj in objs]  # type: ignore[attr-defined]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            self.session.scalars(
                select(model)
                .where(model.id.in_(chunk))  # type: ignore[attr-defined]
                .options(
                    load_only(model.id),  # type: ignore[attr-defined]
                    *(selectinload(c) for c in collections),
                )
            ).all()
