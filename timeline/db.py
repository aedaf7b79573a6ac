"""Opening a timeline database (SQLite file or PostgreSQL URL), its schema state, and migrations."""

from __future__ import annotations

import contextlib
import enum
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

from timeline.errors import DatabaseError
from timeline.paths import migrations_dir

DEFAULT_DB = "timeline.db"
ENV_VAR = "TIMELINE_DB"


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
    except sa_exc.ArgumentError as exc:
        raise DatabaseError(f"'{raw}' is not a database path or URL") from exc


def display_url(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


class SchemaState(enum.Enum):
    MISSING = "missing"  # a SQLite file that does not exist yet
    EMPTY = "empty"  # a database with no tables
    CURRENT = "current"  # at the migrations' head
    OUTDATED = "outdated"  # a timeline database at an older revision
    FOREIGN = "foreign"  # has tables, but is not a timeline database


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


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
            except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as exc:
                raise DatabaseError(f"cannot use '{self.name}': {exc}") from exc
            if self.is_sqlite:
                event.listen(self._engine, "connect", _sqlite_on_connect)
        return self._engine

    def _check_sqlite_path(self) -> None:
        path = self.sqlite_path
        if path is None:
            return
        if path.is_dir():
            raise DatabaseError(f"cannot open database '{path}': it is a directory")
        if not path.parent.is_dir():
            raise DatabaseError(
                f"cannot open database '{path}': directory '{path.parent}' does not exist"
            )
        if path.exists():
            with path.open("rb") as handle:
                header = handle.read(16)
            if header and header != b"SQLite format 3\x00":
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

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.errors(), self.engine.connect() as connection:
            yield connection

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        maker = sessionmaker(self.engine, expire_on_commit=False)
        with self.errors(), maker.begin() as session:
            yield session

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        with self.errors(), Session(self.engine) as session:
            yield session

    def state(self) -> SchemaState:
        self._check_sqlite_path()
        path = self.sqlite_path
        if path is not None and not path.exists():
            return SchemaState.MISSING
        with self.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            if not tables:
                return SchemaState.EMPTY
            if "alembic_version" not in tables:
                return SchemaState.FOREIGN
            current = MigrationContext.configure(connection).get_current_revision()
        if current == head_revision():
            return SchemaState.CURRENT
        return SchemaState.OUTDATED

    def upgrade(self, revision: str = "head") -> None:
        """Create or upgrade the schema with the shipped migrations, in one transaction."""
        if self.state() is SchemaState.FOREIGN:
            raise DatabaseError(
                f"'{self.name}' already holds tables that are not a timeline database; "
                "use an empty database"
            )
        try:
            with self.errors(), self.engine.begin() as connection:
                command.upgrade(alembic_config(connection), revision)
        finally:
            self._discard_migration_connections()

    def downgrade(self, revision: str = "base") -> None:
        try:
            with self.errors(), self.engine.begin() as connection:
                config = alembic_config(connection)
                config.attributes["force_downgrade"] = True  # see migrations/env.py
                command.downgrade(config, revision)
        finally:
            self._discard_migration_connections()

    def _discard_migration_connections(self) -> None:
        # On SQLite, migrations run with foreign keys off (see migrations/env.py); new
        # connections turn them on again.
        if self.is_sqlite and self._engine is not None:
            self._engine.dispose()

    def require_current(self, state: SchemaState | None = None) -> None:
        """Raise unless the schema is at head; pass ``state`` when the caller has it already."""
        state = state or self.state()
        if state is SchemaState.CURRENT:
            return
        hint = {
            SchemaState.MISSING: "does not exist; run 'timeline init' and 'timeline seed'",
            SchemaState.EMPTY: "has no timeline schema; run 'timeline init' and 'timeline seed'",
            SchemaState.OUTDATED: "has an older schema; run 'timeline init' to upgrade it",
            SchemaState.FOREIGN: "is not a timeline database",
        }[state]
        raise DatabaseError(f"database '{self.name}' {hint}")

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the shipped migrations; a passed connection is used as it is."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def first_line(exc: BaseException) -> str:
    """A driver error's first line (the wrapped driver error's, when SQLAlchemy wrapped it)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first.removeprefix("connection failed: ")
