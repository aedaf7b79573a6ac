"""`timeline import` reading its file in a worker process: from a pipe, its progress, and a
worker that fails or is no longer wanted. (Every bad file of test_import.py is also refused
through the worker, with the same line.)"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from conftest import dump

from timeline.cli import main
from timeline.db import Database
from timeline.importing import import_file, importer, reading_process
from timeline.importing.reading_process import reads_apart


@pytest.fixture(scope="module")
def seed_export(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    db = str(tmp_path_factory.mktemp("seed") / "seed.db")
    runner = CliRunner()
    for args in (["init"], ["seed"], ["export", "json"]):
        result = runner.invoke(main, ["--db", db, *args])
        assert result.exit_code == 0, result.output
    return result.stdout_bytes


def _timeline(*args: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    """The installed command as a shell runs it: stdin a real pipe."""
    return subprocess.run(
        [sys.executable, "-m", "timeline", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "TIMELINE_DB"},
    )


def test_a_pipe_is_read_by_a_worker_and_loads_every_row(
    seed_export: bytes, db_url: str, run: Callable[..., Result]
) -> None:
    done = _timeline("--db", db_url, "import", "--jobs", "2", "-", stdin=seed_export)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith(f"{Database.open(db_url).name}: imported ")
    assert run("--db", db_url, "export", "json").stdout_bytes == seed_export


def test_a_truncated_pipe_is_one_line_and_no_database(seed_export: bytes, tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    done = _timeline("--db", str(db), "import", "--jobs", "2", "-", stdin=seed_export[:-2000])
    assert done.returncode == 1
    assert done.stdout == b""
    line = done.stderr.decode()
    assert line.startswith("Error: '-' is truncated: it ends at byte "), line
    assert line.count("\n") == 1 and "Traceback" not in line
    assert list(tmp_path.iterdir()) == []


def test_progress_counts_every_byte_of_the_file_once(
    seed_export: bytes, tmp_path: Path, db_url: str
) -> None:
    path = tmp_path / "seed.json"
    path.write_bytes(seed_export)
    ticks: list[int] = []
    import_file(Database.open(db_url), path, tick=ticks.append, jobs=2)
    assert sum(ticks) == len(seed_export)
    assert all(tick > 0 for tick in ticks)


def test_a_worker_that_dies_is_one_line_and_the_database_as_it_was(
    seed_export: bytes,
    db_url: str,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "seed.json"
    path.write_bytes(seed_export)
    died = [sys.executable, "-c", "import sys; sys.exit('MemoryError: the worker fell over')"]
    monkeypatch.setattr(reading_process, "WORKER", died)
    result = run("--db", db_url, "import", "--jobs", "2", str(path), expect=1)
    assert result.stderr == (
        f"Error: '{path}': the process reading the file stopped (no more messages): "
        "MemoryError: the worker fell over\n"
    )
    if db_url.endswith(".db"):
        assert not Path(db_url).exists()
    else:
        assert dump(db_url) == {}


def test_a_worker_that_cannot_start_is_one_line(
    seed_export: bytes, tmp_path: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "seed.json"
    path.write_bytes(seed_export)
    monkeypatch.setattr(reading_process, "WORKER", [str(tmp_path / "no-such-python")])
    result = run("--db", str(tmp_path / "new.db"), "import", "--jobs", "2", str(path), expect=1)
    assert result.stderr == (
        f"Error: cannot start the process that reads '{path}': No such file or directory "
        "(--jobs 1 reads it in this process)\n"
    )
    assert not (tmp_path / "new.db").exists()


def test_the_worker_is_stopped_when_the_import_fails_before_it_has_read_the_file(
    seed_export: bytes,
    tmp_path: Path,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A broken reference in an early table, found by this process; after it, more rows than
    # the pipe and its buffers hold, which the worker is still sending when the import fails.
    document = json.loads(seed_export)
    tables = document["tables"]
    tables["offices"]["rows"][0]["document_id"] = 999
    last = tables[list(tables)[-1]]["rows"]
    for _ in range(200_000):
        last.append({**last[-1], "id": last[-1]["id"] + 1})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    assert path.stat().st_size > 8 * reading_process.PIPE_BUFFER
    started: list[subprocess.Popen[bytes]] = []

    class Recorded(subprocess.Popen):  # type: ignore[type-arg]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            started.append(self)

    monkeypatch.setattr(reading_process.subprocess, "Popen", Recorded)
    result = run("--db", str(tmp_path / "new.db"), "import", "--jobs", "2", str(path), expect=1)
    assert "broken reference" in result.stderr and result.stderr.count("\n") == 1
    assert len(started) == 1
    assert started[0].returncode == -signal.SIGKILL  # stopped, and waited for
    assert started[0].stdout is not None and started[0].stdout.closed


def test_which_imports_read_in_a_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    small.write_bytes(b"{}")
    large.write_bytes(b" " * 64)
    monkeypatch.setattr(reading_process, "READ_APART_FROM", 64)
    monkeypatch.setattr(reading_process, "_cpus", lambda: 2)
    assert not reads_apart(small, None)
    assert reads_apart(large, None)
    assert not reads_apart(large, 1)
    assert reads_apart(small, 2)
    assert not reads_apart(io.BytesIO(b"{}"), 2)  # no descriptor to hand on
    read, write = os.pipe()
    try:
        with os.fdopen(read, "rb", closefd=False) as pipe:
            assert reads_apart(pipe, None)  # a pipe's size is unknown
            monkeypatch.setattr(reading_process, "_cpus", lambda: 1)
            assert not reads_apart(pipe, None)
            assert reads_apart(pipe, 2)
    finally:
        os.close(read)
        os.close(write)


@pytest.mark.parametrize(("window", "kept", "characters"), [(4, 3, 10**9), (64, 256, 20_000)])
def test_the_checks_text_window_gives_every_text_and_keeps_within_its_limits(
    seeded: str, monkeypatch: pytest.MonkeyPatch, window: int, kept: int, characters: int
) -> None:
    monkeypatch.setattr(importer, "TEXT_WINDOW", window)
    monkeypatch.setattr(importer, "TEXTS_CACHED", kept)
    monkeypatch.setattr(importer, "TEXT_CHARACTERS_CACHED", characters)
    database = Database.open(seeded)
    with database.connect() as connection:
        texts = dict(connection.execute(sa.text("SELECT id, text FROM documents")).all())
        # the limit under test binds: more texts than kept, or more characters
        assert len(texts) > kept or sum(map(len, texts.values())) > 2 * characters
        verifier = importer.WindowVerifier(connection)
        order = [*sorted(texts), *sorted(texts, reverse=True), 10**6]  # and one that is not
        for document_id in order:
            assert verifier.text(document_id) == texts.get(document_id)
            assert len(verifier.texts) <= kept
            kept_characters = sum(len(text or "") for text in verifier.texts.values())
            assert verifier.characters == kept_characters
            assert kept_characters <= characters or len(verifier.texts) == 1
    database.dispose()
