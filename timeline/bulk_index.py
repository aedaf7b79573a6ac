"""SQLite's full-text index built once after a load into a new database, not row by row.

Migration 0003 keeps ``search_index`` current with triggers: each inserted document, event or
quote indexes itself, and each reading re-indexes its document and the quotes it overlaps. For a
load of a whole database that per-row work is most of the time (42 s of triggers against 4 s of
building the index once, at 100,000 events). So a load into a new database drops the triggers,
inserts the rows, indexes every row with each insert trigger's own statement (its ``WHERE t.id =
NEW.id`` left out: the statements stay whatever the schema's migrations made them) and puts the
triggers back, all inside the load's one transaction: if the load fails, SQLite rolls the
triggers back with everything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

_ONE_ROW = " WHERE t.id = NEW.id;"
_BODY = re.compile(r"\bBEGIN\n(.*)\nEND\s*$", re.DOTALL)


@contextmanager
def index_once(connection: Connection) -> Iterator[None]:
    """Inside it, rows go in without touching the index; on leaving, every row is indexed."""
    if connection.dialect.name != "sqlite":
        yield
        return
    triggers = connection.execute(
        text(
            "SELECT name, tbl_name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND name LIKE 'search\\_%' ESCAPE '\\' ORDER BY name"
        )
    ).all()
    statements = []
    for name, table, sql in triggers:
        if name == f"search_{table}_insert" and table != "document_readings":
            body = _BODY.search(sql)
            if body is None or not body.group(1).rstrip().endswith(_ONE_ROW):
                raise RuntimeError(f"unexpected full-text trigger {name}")  # a new schema
            statements.append(body.group(1).rstrip().removesuffix(_ONE_ROW))
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for statement in statements:
        connection.exec_driver_sql(statement)
    for _, _, sql in triggers:
        connection.exec_driver_sql(sql)
