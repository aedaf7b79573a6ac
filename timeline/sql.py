"""Analysts' SQL: one statement, read-only as the database enforces it, stopped by a timeout.

Nothing here inspects the SQL text to decide whether it writes. On SQLite the file is opened
read-only (``mode=ro``) with ``PRAGMA query_only``, and an authorizer refuses what a read-only
file still allows: ATTACH and ``VACUUM INTO`` (both create files), pragmas outside a list of
introspection pragmas, and ``load_extension``. On PostgreSQL the statement runs in a read-only
transaction, on a connection whose role cannot read or write the server's files or run programs
(see ``timeline.readonly_role``). A second statement is refused by the drivers (sqlite3 prepares
one statement; PostgreSQL's extended protocol takes one), and the timeout counts only the time the
database spends on the query, not the time a slow reader of the output takes.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import TextClause, create_engine, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import NullPool

from timeline.db import Database, first_line
from timeline.errors import QueryError
from timeline.readonly_role import query_connection

DEFAULT_TIMEOUT = 30.0
NO_ROWS = "the statement returns no rows; timeline sql runs queries only"
FETCH_SIZE = 500

Authorizer = Callable[[int, str | None, str | None, str | None, str | None], int]

# Pragmas that only report; a pragma that sets something is refused even where `mode=ro` would
# let it pass (query_only, for one, could be switched off).
INTROSPECTION_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "foreign_key_check",
        "integrity_check",
        "quick_check",
        "database_list",
        "collation_list",
        "function_list",
        "module_list",
        "pragma_list",
        "compile_options",
    }
)
# Settings that may be read, not set (SQLAlchemy reads read_uncommitted when it connects).
READABLE_SETTINGS = frozenset(
    {
        "user_version",
        "application_id",
        "encoding",
        "page_count",
        "page_size",
        "foreign_keys",
        "read_uncommitted",
        # FTS5 reads it when a statement would write to a full-text index (the triggers on
        # events, documents and event_sources do): refusing it hid the real, read-only refusal.
        "data_version",
    }
)


@dataclass
class QueryResult:
    """The columns of a query's result, and its rows as the database hands them over."""

    columns: list[str]
    rows: Iterator[tuple[Any, ...]]


@contextlib.contextmanager
def run_query(
    database: Database,
    sql: str,
    params: Mapping[str, str] | None = None,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Iterator[QueryResult]:
    """Run one read-only statement; rows stream while the context is open.

    ``params`` fill ``:name`` placeholders. ``timeout`` (seconds, None for none) stops a query
    that runs too long with a ``QueryError``; so does anything that would write.
    """
    params = dict(params or {})
    _check_text(sql, params)
    statement = text(sql)
    wanted = set(statement.compile().params)  # the :names, found as text() binds them
    unused = sorted(set(params) - wanted)
    if unused:
        raise QueryError(f"the query has no parameter :{unused[0]} (given with -p)")
    missing = sorted(wanted - set(params))
    if missing:
        raise QueryError(f"the query needs a value for :{missing[0]} (give it with -p)")

    guard = _Guard(timeout)
    opener = _sqlite_rows if database.is_sqlite else _postgres_rows
    with database.errors(), opener(database, statement, params, guard) as result:
        yield result


def _check_text(sql: str, params: dict[str, str]) -> None:
    """Refuse, before anything runs, text that a driver would truncate or choke on."""
    texts = [("the query", sql)]
    for name, value in params.items():
        shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        texts += [(f"the name -p {shown}", name), (f"the value of -p {shown}", value)]
    for what, value in texts:
        if "\x00" in value:
            # libpq ends a query at a NUL (a truncated query could still run); sqlite3 refuses it.
            raise QueryError(f"{what} contains a NUL byte (\\0); remove it")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:  # surrogate escapes: bytes that were not UTF-8
            raise QueryError(
                f"{what} is not valid UTF-8; check the encoding of the terminal or file"
            ) from exc
    if not sql.strip():
        raise QueryError("the query is empty")


class _Guard:
    """What stopped a query: the time budget, or a refusal; charged only while the DB works."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self.remaining = timeout
        self.started: float | None = None
        self.refused: str | None = None
        self.timed_out = False  # the guard stopped the query (not Ctrl-C, which SQLite also
        # reports as "interrupted": the interrupt is raised inside the progress handler)

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        self.started = time.monotonic()
        try:
            yield
        finally:
            if self.remaining is not None:
                self.remaining -= time.monotonic() - self.started
            self.started = None

    def expired(self) -> bool:
        if self.remaining is None or self.started is None:
            return False
        return time.monotonic() - self.started > self.remaining

    def stop_if_expired(self) -> int:
        """SQLite's progress handler: non-zero stops the query."""
        if self.expired():
            self.timed_out = True
            return 1
        return 0

    def timeout_message(self) -> str:
        return (
            f"the query was stopped after {self.timeout:g} s (--timeout); "
            "narrow it or allow more time"
        )


@contextlib.contextmanager
def _query_errors(guard: _Guard) -> Iterator[None]:
    """Driver errors, wrapped by SQLAlchemy or not, as one-line ``QueryError``s."""
    try:
        yield
    except sa_exc.DBAPIError as exc:
        _interrupted_by_user(exc.orig or exc, guard)
        raise QueryError(_explain(exc.orig or exc, guard)) from exc
    except sa_exc.StatementError as exc:  # a bind the driver cannot take
        raise QueryError(first_line(exc)) from exc
    except (sqlite3.Error, *_psycopg_errors()) as exc:
        _interrupted_by_user(exc, guard)
        raise QueryError(_explain(exc, guard)) from exc


def _interrupted_by_user(exc: BaseException, guard: _Guard) -> None:
    """Ctrl-C during a SQLite query ends it as "interrupted", as the timeout does: raised again
    as the interrupt it was, so the command ends as Ctrl-C ends every other."""
    interrupted = isinstance(exc, sqlite3.OperationalError) and str(exc) == "interrupted"
    if interrupted and not guard.timed_out:
        raise KeyboardInterrupt from exc


def _psycopg_errors() -> tuple[type[Exception], ...]:
    try:
        import psycopg
    except ImportError:  # only SQLite here
        return ()
    return (psycopg.Error,)


def _explain(exc: BaseException, guard: _Guard) -> str:
    message = first_line(exc)
    if guard.refused:
        return f"timeline sql is read-only: {guard.refused}"
    if message == "interrupted" or "statement timeout" in message:
        return guard.timeout_message()
    if "didn't produce a result" in message or "COPY cannot be used" in message:
        # psycopg's words for a statement that ran but returned a status, or COPY data, not rows
        return NO_ROWS
    if "one statement at a time" in message or "multiple commands" in message:
        return "timeline sql runs one statement at a time; send the others separately"
    if "readonly database" in message or "read-only transaction" in message:
        return f"timeline sql is read-only: {message}"
    return message


# --- SQLite -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _sqlite_rows(
    database: Database, statement: TextClause, params: dict[str, str], guard: _Guard
) -> Iterator[QueryResult]:
    path = database.sqlite_path
    if path is None:
        raise QueryError("timeline sql needs a database file, not an in-memory database")

    def connect() -> sqlite3.Connection:
        raw = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        raw.execute("PRAGMA query_only = ON")
        raw.set_authorizer(_authorizer(guard))
        raw.set_progress_handler(guard.stop_if_expired, 1000)
        return raw

    engine = create_engine("sqlite://", creator=connect, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            with _query_errors(guard), guard.running():
                result = connection.execute(statement, params)
            if not result.returns_rows:
                raise QueryError(NO_ROWS)

            def rows() -> Iterator[tuple[Any, ...]]:
                while True:
                    with _query_errors(guard), guard.running():
                        batch = result.fetchmany(FETCH_SIZE)
                    if not batch:
                        return
                    yield from (tuple(row) for row in batch)

            yield QueryResult(list(result.keys()), rows())
    finally:
        engine.dispose()


def _authorizer(
    guard: _Guard,
) -> Callable[[int, str | None, str | None, str | None, str | None], int]:
    def authorize(
        action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None
    ) -> int:
        refusal = None
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            refusal = "ATTACH, DETACH and VACUUM INTO are not allowed"
        elif action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if not (name in INTROSPECTION_PRAGMAS or (name in READABLE_SETTINGS and arg2 is None)):
                refusal = f"PRAGMA {name} is not allowed (only pragmas that report are)"
        elif action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() == "load_extension":
            refusal = "load_extension() is not allowed"
        if refusal is None:
            return sqlite3.SQLITE_OK
        guard.refused = refusal
        return sqlite3.SQLITE_DENY

    return authorize


# --- PostgreSQL -------------------------------------------------------------------------------


@contextlib.contextmanager
def _postgres_rows(
    database: Database, statement: TextClause, params: dict[str, str], guard: _Guard
) -> Iterator[QueryResult]:
    """A read-only transaction; rows come in libpq's single-row mode, so nothing piles up.

    (A server-side cursor would stream too, but ``DECLARE ... CURSOR FOR DELETE`` fails as a
    syntax error, where this way PostgreSQL says plainly that the transaction is read-only.)
    """
    from psycopg.pq import TransactionStatus  # the PostgreSQL driver, present on this path

    compiled = statement.compile(dialect=database.engine.dialect)
    query, values = str(compiled), compiled.construct_params(params)
    with query_connection(database) as connection:
        connection.execution_options(postgresql_readonly=True)
        # 0 means no limit, as in the server's own setting. Closing the connection rolls back.
        milliseconds = 0 if guard.timeout is None else max(1, round(guard.timeout * 1000))
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
        raw = connection.connection.driver_connection
        cursor = raw.cursor()
        stream = cursor.stream(query, values)
        try:
            with _query_errors(guard):
                first = next(stream, None)
                if cursor.description is None:
                    # Single-row mode describes no columns for an empty result; ask once more.
                    cursor = raw.cursor()
                    cursor.execute(query, values)
        except QueryError:
            if raw.info.transaction_status == TransactionStatus.ACTIVE:
                # COPY left the connection mid-protocol; it cannot even roll back. Drop it.
                connection.invalidate()
            raise
        if cursor.description is None:
            raise QueryError(NO_ROWS)

        def rows() -> Iterator[tuple[Any, ...]]:
            if first is None:
                return
            yield tuple(first)
            with _query_errors(guard):
                for row in stream:
                    yield tuple(row)

        try:
            yield QueryResult([column.name for column in cursor.description], rows())
        finally:
            # A half-read stream holds the connection's lock; closing it cancels the query,
            # so that the rollback on close does not wait for ever (`timeline sql ... | head`).
            stream.close()
