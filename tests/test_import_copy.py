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
