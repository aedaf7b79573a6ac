"""An import into a new SQLite database builds the full-text index once, after the rows: the
index, the triggers and what search finds are the same as the row-by-row triggers make them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

INDEX = "SELECT rowid, title, body, readings FROM search_index ORDER BY rowid"
TRIGGERS = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
TRIGRAM_TABLES = (
    "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%trigram%' ORDER BY name"
)


def _rows(path: Path, query: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def test_import_indexes_as_the_triggers_do(run: Callable[..., Result], tmp_path: Path) -> None:
    seeded, imported = tmp_path / "seeded.db", tmp_path / "imported.db"
    run("--db", str(seeded), "seed")
    run("--db", str(seeded), "export", "json", "-o", str(tmp_path / "export.json"))
    run("--db", str(imported), "import", str(tmp_path / "export.json"))
    assert _rows(imported, INDEX) == _rows(seeded, INDEX)
    assert len(_rows(imported, INDEX)) > 0
    assert _rows(imported, TRIGGERS) == _rows(seeded, TRIGGERS)
    for database in (seeded, imported):
        assert "Treasury" in run("--db", str(database), "search", "Treasury", "-f", "csv").output
        found = run("--db", str(database), "search", "R001500070028", "-f", "csv").output
        assert "CIA-RDP88B00443R001500070028-8" in found  # through a trigram table (0009)
        connection = sqlite3.connect(database)
        for (name,) in connection.execute(TRIGRAM_TABLES).fetchall():  # rebuilt after the rows
            connection.execute(f"INSERT INTO {name} ({name}) VALUES ('integrity-check')")
            assert connection.execute(f"SELECT count(*) FROM {name}_idx").fetchone()[0] > 0
        connection.close()
    # the triggers work again after the load: a new event is indexed as it is added
    connection = sqlite3.connect(imported)
    with connection:
        connection.execute("UPDATE events SET title = title || ' zyzzyva' WHERE id = 1")
    connection.close()
    assert "zyzzyva" in run("--db", str(imported), "search", "zyzzyva", "-f", "csv").output


def test_a_failed_import_keeps_the_triggers(run: Callable[..., Result], tmp_path: Path) -> None:
    """A load that fails after the triggers were dropped rolls their dropping back too."""
    seeded, empty = tmp_path / "seeded.db", tmp_path / "empty.db"
    run("--db", str(seeded), "seed")
    text = run("--db", str(seeded), "export", "json").output
    head, tail = text.rsplit('"quote": "', 1)  # the last quote: loaded after everything else
    broken = tmp_path / "broken.json"
    broken.write_text(head + '"quote": "not in the stored text ' + tail, encoding="utf-8")
    run("--db", str(empty), "init")
    before = _rows(empty, TRIGGERS)
    assert any(name.startswith("search_") for name, _ in before)
    result = run("--db", str(empty), "import", str(broken), expect=1)
    assert "quote" in result.output + (result.stderr if result.stderr_bytes else "")
    assert _rows(empty, TRIGGERS) == before
    assert _rows(empty, "SELECT count(*) FROM events") == [(0,)]
