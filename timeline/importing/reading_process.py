"""Reading an import file in a second process while this one writes its rows.

A load into a new SQLite database spends about a third of its time in Python parsing the JSON
and typing and checking each value (:class:`~timeline.importing.reader.Reader`), and the rest
verifying spans, inserting and indexing, one core of two. With a second process the reader
runs beside the writer: the worker (:data:`WORKER`, a new interpreter of this module, for a
database connection must not cross ``fork()``) reads the file, converts every row exactly as
the reader does in-process, and sends each table's rows in batches, pickled, down its stdout;
this process feeds them to the same sink (:class:`~timeline.importing.importer.FreshSink` or
the merge) in the same order. The rows carry no less checking: what the reader checks, the
worker checks, and it holds each row to the rules the row alone shows
(:func:`~timeline.integrity.row_problems`: dates, vocabularies, a text's SHA-256); what needs
the database (spans against stored texts, references, keys) is checked here, as before. A
row that passed comes here as a :class:`~timeline.integrity.CheckedRow`, which the verifier
does not check again; a row that did not comes as it is, and is checked here, to be named as
an in-process import names it.

Errors keep their order and their words. The worker sends the rows it read before an error,
then the error's line: the rows are written and verified first (a refusal of one of them is
the first error), then the line is raised here, inside the table, as the reader raises it.
An error of this process (a refused row) stops the worker. The worker ignores an interrupt
(Ctrl-C reaches the whole process group): this process stops it when it stops.
"""

from __future__ import annotations

import contextlib
import operator
import os
import pickle
import signal
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from timeline import collector
from timeline.errors import ImportFileError
from timeline.export.tables import TableInfo, table_map
from timeline.importing.loader import Row, Tick
from timeline.importing.reader import CountingReader, Reader, Sink, table_errors
from timeline.integrity import row_problems

_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from timeline.importing.reading_process import main; main()"
)
# As timeline.export.parallel's workers: this very package, not a "timeline" folder in the
# working directory (-P).
WORKER = [sys.executable, "-P", "-c", _BOOT, str(Path(__file__).resolve().parents[2])]
# Bytes of file below which one process imports as fast (the worker's start-up is a few
# tenths of a second); a pipe, whose size is unknown, is read by a worker.
READ_APART_FROM = 16 * 2**20
BATCH_ROWS = 500  # rows a message carries (a message of documents, a few MB of text)
PIPE_BUFFER = 2**20  # bytes each side buffers, and the pipe holds (Linux)


def reads_apart(source: Path | IO[bytes], jobs: int | None) -> bool:
    """Whether the import of ``source`` reads it in a worker: never with ``jobs`` 1, nor for a
    source without a file descriptor (a test's bytes); always with 2 or more; by default on
    a machine with two CPUs, for a file of :data:`READ_APART_FROM` bytes or more, or a pipe."""
    if jobs == 1:
        return False
    if isinstance(source, Path):
        size: int | None = source.stat().st_size
    else:
        try:
            status = os.fstat(source.fileno())
        except (AttributeError, OSError, ValueError):
            return False  # no descriptor to hand to a worker
        size = status.st_size if stat.S_ISREG(status.st_mode) else None
    if jobs is not None:
        return True
    return _cpus() >= 2 and (size is None or size >= READ_APART_FROM)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def reading_process(source: Path | IO[bytes], name: str) -> Iterator[RemoteReader]:
    """A worker reading ``source`` (a path, or a stream with a descriptor: the worker's stdin),
    stopped when the block ends, however it ends."""
    if isinstance(source, Path):
        arguments, stdin = [name, str(source)], subprocess.DEVNULL
    else:
        arguments, stdin = [name, "-"], source.fileno()
    try:
        process = subprocess.Popen(
            [*WORKER, *arguments],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=PIPE_BUFFER,
        )
    except OSError as exc:
        raise ImportFileError(
            f"cannot start the process that reads '{name}': {exc.strerror or exc} "
            "(--jobs 1 reads it in this process)"
        ) from exc
    try:
        assert process.stdout is not None
        with contextlib.suppress(ImportError, AttributeError, OSError):  # Linux: run ahead
            import fcntl

            fcntl.fcntl(process.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BUFFER)
        yield RemoteReader(process, name)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


class RemoteReader:
    """This process's side: the worker's messages, given to the sink as the reader would."""

    def __init__(self, process: subprocess.Popen[bytes], name: str) -> None:
        self.process = process
        self.name = name
        self.offset = 0  # bytes of the file the worker has read, for the progress bar
        self.tick: Tick | None = None

    def read(self, sink: Sink, tick: Tick | None = None) -> None:
        self.tick = tick
        known = table_map()
        kind, payload = self._receive()
        while kind == "table":
            info = known[payload]
            with table_errors(self.name, sink):
                sink.begin_table(info)
                self._rows(info, sink)
            kind, payload = self._receive()
        if kind == "error":
            raise ImportFileError(payload)
        if kind != "done":
            raise self._broken(f"an unexpected message {kind!r}")

    def _rows(self, info: TableInfo, sink: Sink) -> None:
        names = info.column_names
        row = sink.row
        while True:
            kind, payload = self._receive()
            if kind == "rows":  # rows the worker held to row_problems
                sink.checked_rows(names, payload)
            elif kind == "suspect":  # one it found wrong: checked here, to name it
                row(dict(zip(names, payload)))  # noqa: B905
            elif kind == "end":
                sink.end_table()
                return
            elif kind == "error":
                raise ImportFileError(payload)
            else:
                raise self._broken(f"an unexpected message {kind!r}")

    def _receive(self) -> tuple[str, Any]:
        assert self.process.stdout is not None
        try:
            kind, offset, payload = pickle.load(self.process.stdout)
        except EOFError:
            raise self._broken("no more messages") from None
        if self.tick is not None and offset > self.offset:
            self.tick(offset - self.offset)
        self.offset = offset
        return kind, payload

    def _broken(self, what: str) -> ImportFileError:
        """The worker ended (or spoke) as it never does: its last words, on one line."""
        self.process.kill()
        self.process.wait()
        assert self.process.stderr is not None
        said = self.process.stderr.read().decode("utf-8", "replace").strip().splitlines()
        reason = said[-1] if said else f"exit status {self.process.returncode}"
        return ImportFileError(
            f"'{self.name}': the process reading the file stopped ({what}): {reason}"
        )


# --- the worker ----------------------------------------------------------------------------------


class PipeSink(Sink):
    """The worker's sink: each table's rows, as tuples in column order, a batch a message."""

    def __init__(self, out: IO[bytes], stream: CountingReader) -> None:
        self.out = out
        self.stream = stream
        self.rows: list[tuple[Any, ...]] = []
        self.info: TableInfo  # set by begin_table, before any row
        self.values: Callable[[Row], tuple[Any, ...]] = tuple

    def begin_table(self, info: TableInfo) -> None:
        self.info = info
        names = info.column_names
        getter = operator.itemgetter(*names)
        self.values = getter if len(names) > 1 else lambda row: (getter(row),)
        self.send("table", info.name)

    def row(self, row: Row) -> None:
        if next(row_problems(self.info, row, typed=True), None) is not None:
            self.settle()
            self.send("suspect", self.values(row))
            return
        self.rows.append(self.values(row))
        if len(self.rows) >= BATCH_ROWS:
            self.settle()

    def end_table(self) -> None:
        self.settle()
        self.send("end", None)

    def settle(self) -> None:
        """Send the rows held: before an error's line, the rows read before the error."""
        if self.rows:
            rows, self.rows = self.rows, []
            self.send("rows", rows)

    def send(self, kind: str, payload: Any) -> None:
        pickle.dump((kind, self.stream.offset, payload), self.out, protocol=pickle.HIGHEST_PROTOCOL)


def main() -> None:
    """The worker: ``argv`` is the package's directory, the file's name in messages, and its
    path (``-``: stdin). Its stdout is the pickled messages; a traceback on its stderr is a
    failure this process has no words for."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    collector.for_streaming()
    name, path = sys.argv[2], sys.argv[3]
    out = open(sys.stdout.fileno(), "wb", buffering=PIPE_BUFFER, closefd=False)  # noqa: SIM115
    try:
        raw = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        pickle.dump(("error", 0, f"cannot read '{name}': {exc.strerror or exc}"), out)
        out.flush()
        return
    stream = CountingReader(raw, None, name)
    sink = PipeSink(out, stream)
    try:
        Reader(stream, name).read(sink)
        message: tuple[str, Any] = ("done", None)
    except ImportFileError as exc:
        sink.settle()
        message = ("error", str(exc))
    except BrokenPipeError:  # this process stopped reading: it has stopped the import
        os._exit(0)
    try:
        sink.send(*message)
        out.flush()
    except BrokenPipeError:
        os._exit(0)
