"""Alembic environment: the CLI and tests pass a connection in; `alembic` opens its own."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from timeline.db import Database
from timeline.models import Base
from timeline.search import is_search_index, is_search_table

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_arg() -> str | None:
    # `alembic -x db=URL-or-path ...`, else $TIMELINE_DB, else sqlalchemy.url, else timeline.db
    return context.get_x_argument(as_dictionary=True).get("db") or config.get_main_option(
        "sqlalchemy.url"
    )


def _include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    # The search index is kept by triggers, not by the models (see 0003_search); so are the
    # record search's trigram tables on SQLite and its trigram indexes on PostgreSQL (0009).
    if name is None:
        return True
    if type_ == "table":
        return not is_search_table(name)
    return not (type_ == "index" and is_search_index(name))


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        include_name=_include_name,
        **kwargs,
    )


# `timeline.db.Database.downgrade` sets this attribute; a user types `-x force=yes`.
FORCE_ATTRIBUTE = "force_downgrade"


def _is_downgrade(connection: Connection) -> bool:
    """Whether this run moves the schema back: to base, by -N, or to an older revision."""
    current = MigrationContext.configure(connection).get_current_revision()
    try:
        destination = context.get_revision_argument()
    except KeyError:  # `alembic check` and autogenerate have no destination
        return False
    if current is None or destination == current:
        return False
    if destination in (None, "base") or str(destination).startswith("-"):
        return True
    script = ScriptDirectory.from_config(config)
    try:
        target = script.get_revision(str(destination))
        older = {r.revision for r in script.iterate_revisions(current, "base")}
    except Exception:  # an unknown revision: Alembic itself says so, in its own words
        return False
    return target is not None and target.revision in older


def _refuse_to_drop_data(connection: Connection) -> None:
    """A downgrade drops tables: refuse it while documents or events hold rows, unless forced."""
    forced = config.attributes.get(FORCE_ATTRIBUTE) or context.get_x_argument(
        as_dictionary=True
    ).get("force", "").lower() in ("yes", "true", "1")
    if forced or not _is_downgrade(connection):
        return
    tables = set(inspect(connection).get_table_names()) & {"documents", "events"}
    rows = sum(connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables)
    if rows:
        raise CommandError(
            f"refusing to downgrade: the database holds {rows} documents and events, and a "
            "downgrade drops tables; export it first, or add -x force=yes"
        )


def _run(connection: Connection) -> None:
    _refuse_to_drop_data(connection)
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode copies a table, drops the original and renames the copy; with foreign keys
        # enforced the drop fails while other rows point at the table (Alembic's batch docs).
        # The pragma takes effect only outside a transaction, which sqlite3 has not begun yet:
        # it begins one before the first INSERT, UPDATE or DELETE.
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
            if broken is not None:
                raise RuntimeError(f"migration left a broken reference in {broken[0]}")
    # The connection goes back to its pool with foreign keys off (the pragma cannot be set
    # inside the transaction the caller commits); timeline.db.Database discards it.


def run_migrations_offline() -> None:
    url = Database.open(_database_arg()).url
    _configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    database = Database.open(_database_arg())
    with database.errors(), database.engine.begin() as connection:
        _run(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
