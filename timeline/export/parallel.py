"""Tables exported side by side, by worker processes that read the export's own snapshot.

The `csv` export writes a file per table, each independent of the others, and on SQLite its
time is Python's (fetching rows, making lines): one core, while a machine has several. With
``jobs`` above 1 the export starts ``jobs - 1`` workers (:data:`WORKER`: new interpreters of
this module, for SQLite forbids carrying a connection across ``fork()``), and it and they take
the tables one at a time from one shared list until none is left.

Every worker reads the state the export reads, however long it runs:

- PostgreSQL: the export's REPEATABLE READ transaction exports its snapshot
  (``pg_export_snapshot()``), and each worker's transaction opens with ``SET TRANSACTION
  SNAPSHOT``, as ``pg_dump --jobs`` does.
- SQLite with a rollback journal: the export's read transaction holds its SHARED lock until it
  ends, so no writer can commit meanwhile, and each worker's read transaction sees the same
  state. With a write-ahead log a writer could commit between two workers' reads, so such a
  database (and an in-memory one) is exported by one process (:func:`snapshot_token` says so).

A worker speaks a line protocol on its stdin and stdout. It reads the database URL, the snapshot
and the directory (one JSON line), then asks ``next`` for each table and is told its name (an
empty line: none left); it reports ``tick N`` as rows are written, and ``error {json}`` for the
one-line errors the export would raise itself. Anything else ends it with a traceback on its
stderr, which the export reports in one line. The export stops every worker on its first error
or an interrupt, before its temporary directory is removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import Connection, make_url

from timeline import collector
from timeline.errors import DatabaseError, ExportError, TimelineError

Tick = Callable[[int], None]
# Writes one table (by name) of the snapshot ``connection`` reads into ``directory``.
WriteTable = Callable[[Connection, str, Path, Tick], None]

# The worker imports this very package: from the directory it was imported from here (whether
# installed, or a checkout run with `python -m timeline`), and not (-P) from the working
# directory, where a folder named "timeline" would come first.
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); from timeline.export.parallel import main; main()"
)
WORKER = [sys.executable, "-P", "-c", _BOOT, str(Path(__file__).resolve().parents[2])]
PARALLEL_FROM = 32 * 2**20  # bytes of data below which one process exports faster than several
MAX_JOBS = 4  # worker processes by default at most (the rows of every table come from one file)
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(?:-[0-9A-Fa-f]+)+")  # what pg_export_snapshot() returns


def default_jobs(connection: Connection) -> int:
    """Processes for an export by default: the CPUs this process may use (at most
    :data:`MAX_JOBS`) for a database of :data:`PARALLEL_FROM` bytes or more, else one."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    if cpus < 2 or _data_bytes(connection) < PARALLEL_FROM:
        return 1
    return min(cpus, MAX_JOBS)


def _data_bytes(connection: Connection) -> int:
    if connection.dialect.name == "postgresql":
        query = (
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
        )
        return int(connection.exec_driver_sql(query).scalar_one())
    pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
    size = connection.exec_driver_sql("PRAGMA page_size").scalar_one()
    return int(pages) * int(size)


def snapshot_token(connection: Connection) -> str | None:
    """What lets another connection read the snapshot ``connection``'s open transaction reads:
    a PostgreSQL snapshot id, or ``"sqlite"`` (this transaction now holds its SHARED lock);
    None where no other connection can (a write-ahead log, an in-memory database)."""
    if connection.dialect.name == "postgresql":
        if connection.exec_driver_sql("SELECT pg_is_in_recovery()").scalar_one():
            return None  # a standby exports no snapshot
        token = str(connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
        return token if _SNAPSHOT_ID.fullmatch(token) else None
    mode = str(connection.exec_driver_sql("PRAGMA journal_mode").scalar_one()).lower()
    if mode not in ("delete", "truncate", "persist"):
        return None
    files = connection.exec_driver_sql("PRAGMA database_list").all()
    if not any(name == "main" and path for _seq, name, path in files):
        return None  # a temporary database: no file another process could open
    connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()  # SHARED
    return "sqlite"


def write_tables(
    connection: Connection,
    names: Sequence[str],
    directory: Path,
    write: WriteTable,
    tick: Tick,
    *,
    jobs: int | None = None,
    job: dict[str, Any] | None = None,
    worker: str = "an export worker",
) -> None:
    """``write`` every table of ``names`` into ``directory`` from the snapshot ``connection``'s
    open transaction reads: here, and on ``jobs - 1`` workers reading the same (None:
    :func:`default_jobs`); all here where no other connection can read it.

    ``job``: what a worker writes, where it is not the `csv` export's tables (:func:`_writer`);
    ``worker``: what the errors call one."""
    jobs = jobs if jobs is not None else default_jobs(connection)
    token = snapshot_token(connection) if jobs > 1 and len(names) > 1 else None
    workers = min(jobs, len(names)) - 1 if token is not None and sys.executable else 0
    if workers < 1:
        for name in names:
            write(connection, name, directory, tick)
        return
    url = connection.engine.url.render_as_string(hide_password=False)
    setup = {"url": url, "snapshot": token, "directory": str(directory), "job": job}
    tasks = _Tasks(names)
    with _Workers(workers, setup, tasks, worker) as pool:
        while (name := tasks.take()) is not None:
            write(connection, name, directory, pool.relaying(tick))
        pool.finish(tick)


class _Tasks:
    """The tables not yet taken, shared by the export and its workers' threads, and the table
    each worker is writing (taken, and not yet followed by its asking for the next)."""

    def __init__(self, names: Sequence[str]) -> None:
        self._names = list(reversed(names))
        self._lock = threading.Lock()
        self._writing: dict[object, str] = {}

    def take(self, worker: object = None) -> str | None:
        with self._lock:
            name = self._names.pop() if self._names else None
            if worker is not None and name is not None:
                self._writing[worker] = name
            else:
                self._writing.pop(worker, None)
            return name

    def writing(self, worker: object = None) -> str | None:
        """The table ``worker`` is writing; any worker's with none given."""
        with self._lock:
            if worker is None:
                return next(iter(self._writing.values()), None)
            return self._writing.get(worker)

    def cancel(self) -> None:
        with self._lock:
            self._names.clear()


class _Workers:
    """The worker processes, and a thread each that answers it and passes on what it says."""

    def __init__(self, count: int, setup: dict[str, Any], tasks: _Tasks, worker: str) -> None:
        self.tasks = tasks
        self.worker = worker  # "an export worker": what the errors call one
        self.said: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self.processes: list[subprocess.Popen[str]] = []
        self.errors: list[IO[bytes]] = []  # each worker's stderr
        self.files = contextlib.ExitStack()
        self.threads: list[threading.Thread] = []
        self.setup = json.dumps(setup) + "\n"
        self.count = count

    def __enter__(self) -> _Workers:
        try:
            for _ in range(self.count):
                self._start()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _start(self) -> None:
        # closed with the others when the workers are stopped (self.files)
        stderr = self.files.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
        self.errors.append(stderr)
        try:
            process = subprocess.Popen(
                WORKER,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                encoding="utf-8",
            )
        except OSError as exc:
            raise ExportError(f"cannot start {self.worker}: {exc.strerror or exc}") from exc
        self.processes.append(process)
        thread = threading.Thread(target=self._serve, args=(process,), daemon=True)
        self.threads.append(thread)
        thread.start()

    def _serve(self, process: subprocess.Popen[str]) -> None:
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(self.setup)
            process.stdin.flush()
            for line in process.stdout:
                verb, _, rest = line.rstrip("\n").partition(" ")
                if verb == "next":  # the table it was given (if any) is written
                    name = self.tasks.take(process)
                    process.stdin.write((name or "") + "\n")
                    process.stdin.flush()
                    if name is None:  # done: finish() need not wait for it to exit
                        self.said.put(("done", process))
                elif verb == "tick":
                    self.said.put(("tick", int(rest)))
                elif verb == "error":
                    self.said.put(("error", _error(json.loads(rest))))
        except OSError:  # its pipes closed: it ended, and its exit tells how
            pass
        except ValueError as exc:  # not the protocol (nor UTF-8): not a worker to wait for
            message = f"{self.worker} said what cannot be read ({exc})"
            self.said.put(("error", ExportError(message)))
            process.kill()
        self.said.put(("exit", process))

    def relaying(self, tick: Tick) -> Tick:
        """``tick``, also passing on what the workers said meanwhile (and raising an error)."""

        def relay(count: int) -> None:
            tick(count)
            self._drain(tick, wait=False)

        return relay

    def finish(self, tick: Tick) -> None:
        """Wait until no worker is writing a table, passing on the ticks; raise the first
        error. The workers are left to exit, or stopped with the others: one still starting
        when the export took the last table has nothing to do."""
        while self.tasks.writing() is not None:
            self._drain(tick, wait=True)
        self._drain(tick, wait=False)

    def _drain(self, tick: Tick, *, wait: bool) -> None:
        """Act on what the workers said: all of it so far, or (``wait``) the next thing."""
        while True:
            try:
                kind, value = self.said.get(block=wait)
            except queue.Empty:
                return
            if kind == "tick":
                tick(value)
            elif kind == "error":
                raise value
            elif kind == "exit":
                self._check_exit(value)
            if wait:
                return

    def _check_exit(self, process: subprocess.Popen[str]) -> None:
        status = process.wait()
        if status < 0:
            raise ExportError(f"{self.worker} was stopped by signal {-status}")
        if status > 0:
            stderr = self.errors[self.processes.index(process)]
            stderr.seek(0)
            lines = stderr.read().decode("utf-8", "replace").strip().splitlines()
            last = lines[-1] if lines else "no message"
            raise ExportError(f"{self.worker} failed (exit status {status}): {last}")
        unwritten = self.tasks.writing(process)
        if unwritten is not None:
            raise ExportError(f"{self.worker} ended before it had written {unwritten}")

    def _stop(self) -> None:
        self.tasks.cancel()
        for process in self.processes:
            if process.poll() is None:
                process.kill()
        for process in self.processes:
            process.wait()
        for thread in self.threads:
            thread.join()
        self.files.close()


def _error(said: dict[str, Any]) -> Exception:
    """The exception a worker reported, as the export would have raised it itself."""
    if said.get("type") == "OSError":
        return OSError(said.get("errno"), said.get("strerror"), said.get("filename"))
    kinds: dict[str, type[TimelineError]] = {"DatabaseError": DatabaseError}
    return kinds.get(str(said.get("type")), ExportError)(str(said.get("message")))


def _said(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, OSError):
        return {
            "type": "OSError",
            "errno": exc.errno,
            "strerror": exc.strerror or str(exc),  # OSError("text") has no strerror
            "filename": None if exc.filename is None else os.fsdecode(exc.filename),
        }
    return {"type": type(exc).__name__, "message": str(exc)}


def _writer(job: dict[str, Any] | None) -> WriteTable:
    """What a worker writes: parts of a report (:mod:`timeline.report_parts`), or the `csv`
    export's tables."""
    if job is not None and job.get("kind") == "report":
        from timeline.report_parts import part_writer

        return part_writer(job)
    from timeline.export.csvpkg import write_table_csv

    return write_table_csv


def _serve(stdin: IO[str], stdout: IO[str]) -> None:
    """A worker: tables (or parts) of the snapshot it is given, written until none is left."""
    from timeline.db import Database
    from timeline.export.tables import snapshot

    setup = json.loads(stdin.readline() or "null")
    if not isinstance(setup, dict):
        return  # the export ended before it started
    token = str(setup["snapshot"])
    if token != "sqlite" and not _SNAPSHOT_ID.fullmatch(token):
        raise ExportError(f"not a snapshot id: {token!r}")
    database = Database(make_url(setup["url"]))
    directory = Path(setup["directory"])
    write = _writer(setup.get("job"))

    def tick(count: int) -> None:
        stdout.write(f"tick {count}\n")
        stdout.flush()

    try:
        with snapshot(database, joining=token) as connection:
            while True:
                stdout.write("next\n")
                stdout.flush()
                name = stdin.readline().strip()
                if not name:
                    break
                write(connection, name, directory, tick)
    except (TimelineError, OSError) as exc:
        with contextlib.suppress(OSError):
            stdout.write("error " + json.dumps(_said(exc)) + "\n")
            stdout.flush()
        raise SystemExit(1) from None
    finally:
        database.dispose()


def main() -> None:
    # Ctrl-C reaches the whole process group: the export stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    collector.for_streaming()

    _serve(sys.stdin, sys.stdout)
