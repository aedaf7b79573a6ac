"""Opening a timeline database (SQLite file or PostgreSQL URL), its schema state, and migrations."""

from __future__ import annotations

import contextlib
import enum
import functools
import os
import re
import sqlite3
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import NullPool

from timeline.errors import DatabaseError
from timeline.paths import DEFAULT_DB, ENV_VAR, migrations_dir

if TYPE_CHECKING:  # Alembic is imported only to migrate: most commands never need it.
    from alembic.config import Config
    from sqlalchemy.orm import Session  # the ORM: only for the commands that use sessions

__all__ = ["DEFAULT_DB", "ENV_VAR", "Database", "SchemaState", "head_revision"]

SQLITE_HEADER = b"SQLite format 3\x00"
# Files SQLite keeps beside a database; a -journal or -wal may hold an interrupted transaction.
SQLITE_COMPANIONS = ("-journal", "-wal", "-shm")


def resolve_url(value: str | None = None) -> URL:
    """Turn ``--db`` (a path or a URL), else ``$TIMELINE_DB``, else ``timeline.db`` into a URL."""
    raw = value or os.environ.get(ENV_VAR) or DEFAULT_DB
    if "://" not in raw and not raw.startswith("sqlite:"):
        return URL.create("sqlite", database=str(Path(raw).expanduser().absolute()))
    # People paste libpq URLs; SQLAlchemy would pick psycopg2, which we do not ship.
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            raw = "postgresql+psycopg://" + raw[len(prefix) :]
    try:
        return make_url(raw)
    except (sa_exc.ArgumentError, ValueError) as exc:
        # ValueError: a port that is not a number, as in an unclosed "[::1" or a password
        # with an unencoded ":" or "@" in it.
        raise DatabaseError(
            f"'{_hide_password(raw)}' is not a database path or URL "
            "(percent-encode @ : / ? # [ ] in a user name or password)"
        ) from exc


def _hide_password(raw: str) -> str:
    scheme, sep, rest = raw.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return raw
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"


def display_url(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        # A path's bytes that are not UTF-8 (surrogate-escaped by Python) shown as \x escapes.
        return (
            os.fsencode(url.database).decode("utf-8", "backslashreplace")
            if url.database
            else ":memory:"
        )
    return url.render_as_string(hide_password=True)


class SchemaState(enum.Enum):
    MISSING = "missing"  # a SQLite file that does not exist yet
    EMPTY = "empty"  # a database with no tables
    CURRENT = "current"  # at the migrations' head
    OUTDATED = "outdated"  # a timeline database at an older revision
    NEWER = "newer"  # at a revision these migrations do not know: a newer timeline made it
    PARTIAL = "partial"  # a first migration that did not finish: empty tables, no revision
    FOREIGN = "foreign"  # has tables, but is not a timeline database


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _postgresql_on_connect(dbapi_connection: Any, _record: object) -> None:
    """No JIT compilation for this connection's queries. PostgreSQL compiles a query whose
    estimated cost passes ``jit_above_cost``, each time it runs: the reports' correlated
    subqueries and the citations' batches (a query for every 500 documents) pass it, and
    compiling took longer than running them (a million events' Markdown report: 57.5 s with
    JIT, 48.9 s without; the other reports 0.5 s less, exports the same). Set outside a
    transaction, as SQLAlchemy's documentation sets a search path on connect, so that no
    rollback undoes it."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.autocommit = autocommit


@dataclass
class Database:
    """One database, opened lazily; every error on the way in becomes a ``DatabaseError``."""

    url: URL
    _engine: Engine | None = field(default=None, init=False, repr=False)

    @classmethod
    def open(cls, value: str | None = None) -> Database:
        return cls(resolve_url(value))

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def name(self) -> str:
        return display_url(self.url)

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite or self.url.database in (None, "", ":memory:"):
            return None
        return Path(self.url.database)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._check_sqlite_path()
            try:
                self._engine = create_engine(self.url)
            except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError, ValueError) as exc:
                raise DatabaseError(f"cannot use '{self.name}': {exc}") from exc
            if self.is_sqlite:
                event.listen(self._engine, "connect", _sqlite_on_connect)
            elif self.url.get_backend_name() == "postgresql":
                event.listen(self._engine, "connect", _postgresql_on_connect)
        return self._engine

    def _check_sqlite_path(self) -> None:
        path = self.sqlite_path
        if path is None:
            return
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            mode = None
        except OSError as exc:
            raise DatabaseError(f"cannot open database '{path}': {exc.strerror}") from exc
        except ValueError as exc:  # a NUL in the path
            raise DatabaseError(f"cannot open database '{self.name}': {exc}") from exc
        if mode is not None and stat.S_ISDIR(mode):
            raise DatabaseError(f"cannot open database '{path}': it is a directory")
        if mode is not None and not stat.S_ISREG(mode):
            # A FIFO would block the open forever; a device is nobody's database.
            raise DatabaseError(f"cannot open database '{path}': it is not a regular file")
        if not path.parent.is_dir():
            raise DatabaseError(
                f"cannot open database '{path}': directory '{path.parent}' does not exist"
            )
        if mode is None:
            return
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise DatabaseError(f"cannot open database '{path}': {exc.strerror}") from exc
        if header and header != SQLITE_HEADER and not _has_hot_journal(path):
            raise DatabaseError(f"'{path}' is not a SQLite database")

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """Translate driver errors into one-line ``DatabaseError``s that name this database."""
        try:
            yield
        except sa_exc.OperationalError as exc:
            raise DatabaseError(f"cannot use database '{self.name}': {first_line(exc)}") from exc
        except sa_exc.DatabaseError as exc:
            if "file is not a database" in str(exc.orig):
                raise DatabaseError(f"'{self.name}' is not a SQLite database") from exc
            raise DatabaseError(f"database error in '{self.name}': {first_line(exc)}") from exc
        except UnicodeError as exc:
            if isinstance(exc, UnicodeEncodeError | UnicodeDecodeError):
                raise
            # The idna codec, resolving a host name: "a..b", a label over 63 characters.
            raise DatabaseError(
                f"cannot use database '{self.name}': the host name is not valid ({exc})"
            ) from exc
        except _unwrapped_driver_errors() as exc:
            # psycopg's own, where timeline speaks to it without SQLAlchemy (the csv export's
            # COPY): a server that stops answering part way, say
            raise DatabaseError(f"cannot use database '{self.name}': {first_line(exc)}") from exc

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.errors(), self.engine.connect() as connection:
            yield connection

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        from sqlalchemy.orm import sessionmaker

        maker = sessionmaker(self.engine, expire_on_commit=False)
        with self.errors(), maker.begin() as session:
            yield session

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        from sqlalchemy.orm import Session

        with self.errors(), Session(self.engine) as session:
            yield session

    def state(self) -> SchemaState:
        self._check_sqlite_path()
        path = self.sqlite_path
        if path is not None and not path.exists():
            return SchemaState.MISSING
        with self.connect() as connection:
            return _schema_state(connection)

    def revision(self) -> str | None:
        """The revision in ``alembic_version``, or None when there is none."""
        with self.connect() as connection:
            if "alembic_version" not in inspect(connection).get_table_names():
                return None
            return _stored_revision(connection)

    def check_creatable(self) -> None:
        """Refuse, before a first run says or makes anything, a database it could not create:
        SQLite in memory (each connection a new, empty one) or in a directory it cannot write
        to (its journal is a file beside it, even for an empty file that exists)."""
        path = self.sqlite_path
        if self.is_sqlite and path is None:
            raise DatabaseError(
                f"cannot keep a timeline in '{self.name}': an in-memory database is empty at "
                "each connection; give a file path"
            )
        if path is not None and not os.access(path.parent, os.W_OK | os.X_OK):
            raise DatabaseError(
                f"cannot create database '{path}': directory '{path.parent}' is not writable"
            )

    @contextlib.contextmanager
    def creating(self) -> Iterator[None]:
        """Around a first run: a SQLite file that did not exist before is removed on failure.

        A failed or interrupted first ``report`` or ``seed`` leaves no file behind, rather than
        one that holds a schema without its data.
        """
        path = self.sqlite_path
        created = path is not None and not path.exists() and not _has_hot_journal(path)
        try:
            yield
        except BaseException:
            if created and path is not None:
                self.dispose()
                remove_sqlite_file(path)
            raise

    def upgrade(self, revision: str = "head") -> None:
        """Create or upgrade the schema with the shipped migrations, in one transaction.

        On SQLite the transaction spans the DDL too (the sqlite3 module would commit each
        CREATE TABLE on its own), so a migration that fails or is killed leaves nothing done.
        A schema a failed first migration half-made (empty tables, no revision) is rebuilt.
        """
        from alembic import command

        state = self.state()
        if state in (SchemaState.FOREIGN, SchemaState.NEWER):
            self.require_current(state)
        with self.write_transaction(foreign_keys=False) as connection:
            if state is SchemaState.PARTIAL:
                _drop_everything(connection)
            command.upgrade(alembic_config(connection), revision)

    def downgrade(self, revision: str = "base") -> None:
        from alembic import command

        self.require_known()
        with self.write_transaction(foreign_keys=False) as connection:
            config = alembic_config(connection)
            config.attributes["force_downgrade"] = True  # see migrations/env.py
            command.downgrade(config, revision)

    def require_known(self) -> None:
        state = self.state()
        if state is SchemaState.NEWER:
            self.require_current(state)

    @contextlib.contextmanager
    def write_transaction(self, *, foreign_keys: bool = True) -> Iterator[Connection]:
        """One transaction for schema and rows, with savepoints that work on SQLite too.

        On SQLite the connection is the transaction's own: SQLAlchemy, not the sqlite3 module,
        says where it begins (``BEGIN IMMEDIATE``), so DDL, DML and SAVEPOINTs all live in it,
        and ``PRAGMA foreign_keys`` (a no-op inside a transaction) is set as it opens. The
        migrations turn foreign keys off: batch mode copies and drops tables that other rows
        point at (Alembic's batch docs).
        """
        engine = self.engine  # checks a SQLite path before anything is created
        if self.is_sqlite:
            engine = create_engine(self.url, poolclass=NullPool)
            connect = _sqlite_write_connect if foreign_keys else _sqlite_migration_connect
            event.listen(engine, "connect", connect)
            event.listen(engine, "begin", _sqlite_begin)
        try:
            with self.errors(), engine.begin() as connection:
                yield connection
        finally:
            if engine is not self._engine:
                engine.dispose()

    def require_current(self, state: SchemaState | None = None) -> None:
        """Raise unless the schema is at head; pass ``state`` when the caller has it already."""
        state = state or self.state()
        if state is SchemaState.CURRENT:
            return
        if state is SchemaState.NEWER:  # asks the database, so only in this case
            hint = (
                f"was made by a newer version of timeline (revision {self._revision_text()}); "
                "upgrade timeline to use it"
            )
        else:
            hint = {
                SchemaState.MISSING: "does not exist; run 'timeline init' and 'timeline seed'",
                SchemaState.EMPTY: "has no timeline schema; "
                "run 'timeline init' and 'timeline seed'",
                SchemaState.OUTDATED: "has an older schema; run 'timeline init' to upgrade it",
                SchemaState.PARTIAL: "holds a schema whose creation did not finish; "
                "run 'timeline init' to finish it",
                SchemaState.FOREIGN: "is not a timeline database",
            }[state]
        raise DatabaseError(f"database '{self.name}' {hint}")

    def _revision_text(self) -> str:
        try:
            return self.revision() or "unknown"
        except DatabaseError:
            return "unknown"

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def _sqlite_write_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # BEGIN is SQLAlchemy's: see write_transaction
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def _sqlite_migration_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys = OFF")


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _stored_revision(connection: Connection) -> str | None:
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def _schema_state(connection: Connection) -> SchemaState:
    tables = set(inspect(connection).get_table_names())
    if not tables:
        return SchemaState.EMPTY
    if "alembic_version" not in tables:
        return SchemaState.FOREIGN
    current = _stored_revision(connection)
    if current is None and tables == {"alembic_version"}:  # what `downgrade base` leaves
        return SchemaState.OUTDATED
    if current == head_revision():
        return SchemaState.CURRENT
    if current in known_revisions():
        return SchemaState.OUTDATED
    if current is not None:
        return SchemaState.NEWER
    return SchemaState.PARTIAL if _half_made(connection, tables) else SchemaState.FOREIGN


def _our_table(name: str) -> bool:
    from timeline.models import Base
    from timeline.search import is_search_table

    return name == "alembic_version" or name in Base.metadata.tables or is_search_table(name)


def _half_made(connection: Connection, tables: set[str]) -> bool:
    """Only our tables, none with a row: what an interrupted first migration leaves.

    Only on SQLite, where the sqlite3 module used to commit each CREATE TABLE on its own;
    PostgreSQL's DDL was always transactional (and a rebuild would meet 0003's functions).
    """
    from timeline.models import Base

    if connection.dialect.name != "sqlite":
        return False
    if not all(_our_table(name) for name in tables):
        return False
    return all(
        connection.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is None
        for name in tables
        if name in Base.metadata.tables
    )


def _drop_everything(connection: Connection) -> None:
    inspector = inspect(connection)
    for view in inspector.get_view_names():
        connection.exec_driver_sql(f'DROP VIEW IF EXISTS "{view}"')
    from timeline.search import is_search_table

    # The FTS5 table first (its name is the shortest): dropping it drops its shadow tables.
    names = inspector.get_table_names()
    for name in sorted(names, key=lambda n: (not is_search_table(n), len(n), n)):
        connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')


def _has_hot_journal(path: Path) -> bool:
    """A -journal or -wal beside ``path`` with content: SQLite rolls it back on the next open."""
    for suffix in ("-journal", "-wal"):
        with contextlib.suppress(OSError):
            if path.with_name(path.name + suffix).stat().st_size > 0:
                return True
    return False


def remove_sqlite_file(path: Path) -> None:
    """Remove a SQLite database and the files SQLite keeps beside it."""
    for candidate in (path, *(path.with_name(path.name + s) for s in SQLITE_COMPANIONS)):
        with contextlib.suppress(OSError):
            candidate.unlink()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the shipped migrations; a passed connection is used as it is."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


_REVISION_RE = re.compile(
    r"^(down_revision|revision)(?:: [^=]+)? = (None|\"[^\"]*\"|'[^']*')$", re.MULTILINE
)


@functools.cache
def _revision_graph() -> dict[str, str | None]:
    """Each shipped revision and the one it revises, read from the migration files' text.

    Reading the text, rather than loading Alembic's ScriptDirectory (which imports every
    migration), keeps "is this database current?" cheap; a test checks both agree.
    """
    graph: dict[str, str | None] = {}
    for path in sorted((migrations_dir() / "versions").glob("*.py")):
        found = dict(m.groups() for m in _REVISION_RE.finditer(path.read_text(encoding="utf-8")))
        if "revision" in found:
            down = found.get("down_revision", "None")
            graph[found["revision"][1:-1]] = None if down == "None" else down[1:-1]
    return graph


def known_revisions() -> frozenset[str]:
    return frozenset(_revision_graph())


def head_revision() -> str | None:
    """The newest shipped revision: the one no other revises."""
    graph = _revision_graph()
    heads = set(graph) - set(graph.values())
    return next(iter(heads)) if len(heads) == 1 else None


def _unwrapped_driver_errors() -> tuple[type[BaseException], ...]:
    """psycopg's base error, where psycopg is loaded (only PostgreSQL loads it)."""
    psycopg = sys.modules.get("psycopg")
    return (psycopg.Error,) if psycopg is not None else ()


def first_line(exc: BaseException) -> str:
    """A driver error's first line (the wrapped driver error's, when SQLAlchemy wrapped it)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first.removeprefix("connection failed: ")
