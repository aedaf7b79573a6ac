"""`import_file`: the checks, the transaction and the sink (fresh or merge) around the reader."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, BinaryIO

from alembic import command
from sqlalchemy import bindparam, literal, select
from sqlalchemy.engine import Connection

from timeline.bulk_index import index_once
from timeline.checks import RowVerifier, table_problems
from timeline.db import Database, SchemaState, alembic_config
from timeline.errors import ImportFileError
from timeline.export.tables import (
    TableInfo,
    tables,
)
from timeline.importing.copying import bulk_loader
from timeline.importing.loader import (
    ImportSummary,
    Loader,
    Row,
    Tick,
    reset_sequences,
)
from timeline.importing.merge import MergeSink
from timeline.importing.reader import CountingReader, Reader, Sink
from timeline.importing.reading_process import RemoteReader, reading_process, reads_apart
from timeline.planner_statistics import analyze_all

# --- the two ways in -----------------------------------------------------------------------------


# A new database's checks fetch the texts of TEXT_WINDOW documents in one query and keep
# TEXTS_CACHED, of TEXT_CHARACTERS_CACHED characters at most. Measured on the benchmark's
# 10,000 events: 3,583 queries moving 28,636 texts, where one text a query and eight kept
# made 30,430 queries; at 50,008 events the 416,138 texts asked for took 1.5-1.7 s with
# windows of 64, against 3.1-3.3 s with windows of 8 (and 64 kept).
TEXT_WINDOW = 64
TEXTS_CACHED = 256
TEXT_CHARACTERS_CACHED = 16_000_000


class WindowVerifier(RowVerifier):
    """A :class:`RowVerifier` for a load into a new database, which fetches texts a window at
    a time: the rows that point into texts (quotes, readings, notes, page breaks) come in
    batches that name a few neighbouring documents, and one query for the next
    ``TEXT_WINDOW`` documents replaces a query for each (most of the import's round trips).
    A window stays small: rows that name documents far apart fetch a few texts too many."""

    typed = True  # every row comes from the reader's Converter, as the file has it

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.settle: Callable[[], None] = lambda: None  # the loader's: rows still being written
        self.characters = 0  # of the texts kept
        documents = self.documents
        # built once: a statement built for every window cost more than running it
        self.window = (
            select(documents.c.id, documents.c.text)
            .where(documents.c.id >= bindparam("first"))
            .order_by(documents.c.id)
            .limit(TEXT_WINDOW)
        )

    def text(self, document_id: Any) -> str | None:
        if document_id in self.texts:
            self.texts.move_to_end(document_id)
            return self.texts[document_id]
        self.settle()  # the connection is the loader's until its COPY is done
        texts = self.texts
        found = self.connection.execute(self.window, {"first": document_id})
        for found_id, text in found:
            if isinstance(text, str):
                self.characters += len(text) - len(texts.get(found_id) or "")
                texts[found_id] = text
            else:
                texts.setdefault(found_id, None)
        texts.setdefault(document_id, None)
        texts.move_to_end(document_id)
        wanted = texts[document_id]
        while len(texts) > TEXTS_CACHED or (
            self.characters > TEXT_CHARACTERS_CACHED and len(texts) > 1
        ):
            self.characters -= len(texts.popitem(last=False)[1] or "")
        return wanted


class FreshSink(Sink):
    """Into an empty database: every row as it is, ids kept."""

    def __init__(self, connection: Connection, summary: ImportSummary) -> None:
        self.connection = connection
        self.summary = summary
        self.verifier = WindowVerifier(connection)
        self.loader: Loader | None = None

    def begin_table(self, info: TableInfo) -> None:
        self.loader = bulk_loader(self.connection, info, verifier=self.verifier)
        self.verifier.settle = self.loader.settle

    def row(self, row: Row) -> None:
        assert self.loader is not None
        self.loader.add(row)

    def checked_rows(self, names: Sequence[str], batch: list[tuple[Any, ...]]) -> None:
        assert self.loader is not None and list(names) == self.loader.info.column_names
        self.loader.add_checked(batch)

    def end_table(self) -> None:
        assert self.loader is not None
        self.summary.inserted[self.loader.info.name] += self.loader.finish()
        self.loader = None

    def settle(self) -> None:
        """Wait for the rows still being written; raises the database's refusal of one."""
        if self.loader is not None:
            self.loader.settle()


def _has_rows(connection: Connection) -> bool:
    for info in tables():
        if connection.execute(select(literal(1)).select_from(info.table).limit(1)).first():
            return True
    return False


@contextlib.contextmanager
def _open_source(source: Path | BinaryIO) -> Iterator[tuple[IO[bytes], str]]:
    if isinstance(source, Path):
        try:
            handle = source.open("rb")
        except OSError as exc:
            raise ImportFileError(f"cannot read '{source}': {exc.strerror or exc}") from exc
        with handle:
            yield handle, str(source)
        return
    name = getattr(source, "name", None)
    yield source, name if isinstance(name, str) and name != "<stdin>" else "-"


@contextlib.contextmanager
def _reading(
    source: Path | BinaryIO, raw: IO[bytes], name: str, jobs: int | None
) -> Iterator[RemoteReader | None]:
    """The worker that reads the file, started before the schema is made; None: read here."""
    if not reads_apart(source if isinstance(source, Path) else raw, jobs):
        yield None
        return
    with reading_process(source if isinstance(source, Path) else raw, name) as reader:
        yield reader


def file_size(source: Path | BinaryIO) -> int | None:
    """The size of an import file in bytes (progress is counted in bytes read), if known."""
    if isinstance(source, Path):
        try:
            return source.stat().st_size
        except OSError:
            return None
    return None


def import_file(
    database: Database,
    source: Path | BinaryIO,
    *,
    merge: bool = False,
    tick: Tick | None = None,
    jobs: int | None = None,
) -> ImportSummary:
    """Load a `json` export into ``database`` in one transaction (see the module's doc); the
    file is read in a second process by default when it is large (``jobs``:
    :func:`~timeline.importing.reading_process.reads_apart`)."""
    state = database.state()
    if state not in (SchemaState.CURRENT, SchemaState.MISSING, SchemaState.EMPTY):
        database.require_current(state)  # older, newer, half-made or foreign: say which
    created = state is SchemaState.MISSING and database.sqlite_path is not None
    try:
        with (
            _open_source(source) as (raw, name),
            _reading(source, raw, name, jobs) as reader,
            database.write_transaction() as connection,
        ):
            fresh = state in (SchemaState.MISSING, SchemaState.EMPTY)
            if fresh:
                command.upgrade(alembic_config(connection), "head")
            elif _has_rows(connection):
                if not merge:
                    raise ImportFileError(
                        f"database '{database.name}' already has records; use --merge to add "
                        "the records whose keys it does not hold, or import into an empty "
                        "database"
                    )
            else:
                fresh = True
            summary = ImportSummary(database.name, merged=not fresh)
            sink = FreshSink(connection, summary) if fresh else MergeSink(connection, summary)
            # A new database gets its full-text index built once, after the rows (SQLite).
            with index_once(connection) if fresh else contextlib.nullcontext():
                if reader is None:
                    Reader(CountingReader(raw, tick, name), name).read(sink)
                else:
                    reader.read(sink, tick)
            analyze_all(connection)  # the planner knows the new rows as they commit
            _verify_tables(connection, name)
            reset_sequences(connection)
    except BaseException:
        if created:
            database.dispose()
            _remove_sqlite(database.sqlite_path)
        raise
    return summary


def _verify_tables(connection: Connection, name: str) -> None:
    """What only whole tables show (a cycle of statute parents, an event without a quote)."""
    for info in tables():
        for problem in table_problems(connection, info):
            raise ImportFileError(f"'{name}': {problem}")


def _remove_sqlite(path: Path | None) -> None:
    if path is None:
        return
    for candidate in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(OSError):
            candidate.unlink()
