"""The PostgreSQL role `timeline sql` runs analysts' queries as, when the user's own role could
read or write server files or run programs.

A read-only transaction does not stop a superuser's ``pg_read_file`` or ``COPY ... TO PROGRAM``,
and ``SET ROLE`` inside such a session is no boundary (``set_config('role', ...)`` undoes it).
So a query from a privileged role runs on a second connection that *logged in* as
``timeline_reader``: granted CONNECT on the database, USAGE on the schema and SELECT on its tables
and views, and nothing else. Its password is random, set just before it logs in and removed just
after, so no one else can use it.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Iterator

from sqlalchemy import Connection, create_engine, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from timeline.db import Database, first_line
from timeline.errors import QueryError

READER_ROLE = "timeline_reader"
# Predefined roles whose members may touch the server's files or run programs as its OS user.
SERVER_FILE_ROLES = ("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program")
# Serialises two `timeline sql` runs that set the reader's password on the same database.
ADVISORY_LOCK_KEY = 7_346_201_884_120_417
# Concurrent runs on *other* databases of the cluster can still change the password between
# our ALTER ROLE and our login (advisory locks are per database); such a run is tried again.
LOGIN_ATTEMPTS = 3
SETUP_LOCK_TIMEOUT = "10s"
HOW_TO = "connect with a role that can only SELECT (README: 'Asking your own questions in SQL')"

# MEMBER, not USAGE: a NOINHERIT member holds no rights until it runs
# set_config('role', 'pg_read_server_files', ...), which one SELECT can do.
_RIGHTS = text(
    "SELECT r.rolname, r.rolsuper, "
    + ", ".join(f"pg_has_role(r.oid, '{name}', 'MEMBER')" for name in SERVER_FILE_ROLES)
    + " FROM pg_roles r WHERE r.rolname IN (session_user, current_user) "
    "ORDER BY r.rolname = session_user DESC"
)


def server_rights(connection: Connection) -> str | None:
    """Why this connection's role could reach the server's files or programs, or None.

    The session user counts as well as the current one: a query may switch back to it.
    """
    for name, superuser, *memberships in connection.execute(_RIGHTS):
        if superuser:
            return f"role '{name}' is a superuser"
        for right, held in zip(SERVER_FILE_ROLES, memberships, strict=True):
            if held:
                return f"role '{name}' is a member of {right}"
    return None


@contextlib.contextmanager
def query_connection(database: Database) -> Iterator[Connection]:
    """A connection whose role cannot touch server files: the user's own, or the reader's."""
    with contextlib.ExitStack() as stack:
        connection = stack.enter_context(database.engine.connect())
        reason = server_rights(connection)
        connection.rollback()  # the query opens its own (read-only) transaction
        if reason is None:
            yield connection
            return
        reader = _log_in_as_reader(database, connection, reason)
        stack.close()  # the privileged connection goes back to the pool before the query runs
        engine = reader.engine
        try:
            with reader:
                if server_rights(reader) is not None or _session_user(reader) != READER_ROLE:
                    raise QueryError(
                        f"{reason}, and the role timeline sql logged in as instead is not the "
                        f"unprivileged {READER_ROLE}; {HOW_TO}"
                    )
                reader.rollback()
                yield reader
        finally:
            engine.dispose()


def _session_user(connection: Connection) -> str:
    return str(connection.execute(text("SELECT session_user")).scalar_one())


class _LoginFailed(Exception):
    """The reader's login failed (libpq gives such errors no SQLSTATE)."""


def _log_in_as_reader(database: Database, admin: Connection, reason: str) -> Connection:
    for attempt in range(1, LOGIN_ATTEMPTS + 1):
        try:
            return _attempt_login(database, admin)
        except (_LoginFailed, sa_exc.DBAPIError) as exc:
            admin.rollback()
            cause = exc.__cause__ if isinstance(exc, _LoginFailed) else exc
            sqlstate = getattr(getattr(cause, "orig", None), "sqlstate", None)
            # A run on another database may have reset the password before we logged in, or
            # created the role (42710, 23505) before we did: try again.
            if attempt < LOGIN_ATTEMPTS and (
                isinstance(exc, _LoginFailed) or sqlstate in ("42710", "23505")
            ):
                time.sleep(0.05 * attempt)
                continue
            failed = "could not log in" if isinstance(exc, _LoginFailed) else "could not be set up"
            message = first_line(cause or exc).rpartition("FATAL:")[2].strip()
            raise QueryError(
                f"{reason}, so timeline sql runs queries as the role {READER_ROLE}, which "
                f"{failed} ({message}); {HOW_TO}"
            ) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _attempt_login(database: Database, admin: Connection) -> Connection:
    """Under the advisory lock: reset the reader, log in as it, take its password away."""
    _set_lock_timeout(admin)
    admin.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
    admin.commit()
    try:
        _set_lock_timeout(admin)
        password = prepare_reader(admin)
        admin.commit()
        try:
            return _connect(database.url, password)
        except sa_exc.DBAPIError as exc:
            raise _LoginFailed from exc
        finally:
            _set_lock_timeout(admin)
            admin.exec_driver_sql(f'ALTER ROLE "{READER_ROLE}" PASSWORD NULL')
            admin.commit()
    finally:
        admin.rollback()
        admin.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
        admin.commit()


def _set_lock_timeout(admin: Connection) -> None:
    # Local to the transaction, so the pooled connection keeps the user's setting.
    admin.exec_driver_sql(f"SET LOCAL lock_timeout = '{SETUP_LOCK_TIMEOUT}'")


def _connect(url: URL, password: str) -> Connection:
    """A connection to the same server and database, logged in as the reader."""
    # Connection parameters in the URL's query string would override the user name we set.
    query = {k: v for k, v in url.query.items() if k not in ("user", "password", "passfile")}
    reader_url = url.set(username=READER_ROLE, password=password, query=query)
    engine = create_engine(reader_url, poolclass=NullPool)
    try:
        return engine.connect()
    except BaseException:
        engine.dispose()
        raise


# Statements built from identifiers go through exec_driver_sql: text() would read a ':' in a
# quoted name as a placeholder.


def prepare_reader(admin: Connection) -> str:
    """Create or reset the reader role, grant it SELECT on this schema's relations, and give it a
    fresh password, which is returned. Runs in the caller's transaction; needs a superuser (or
    CREATEROLE and ownership of the tables)."""
    superuser = admin.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
    is_superuser = bool(superuser.scalar())
    exists = admin.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": READER_ROLE})
    if exists.first() is None:
        admin.exec_driver_sql(f'CREATE ROLE "{READER_ROLE}"')
    # Letters, digits, - and _ only: it is inlined, since ALTER ROLE takes no parameters.
    password = secrets.token_urlsafe(32)
    attributes = "LOGIN NOCREATEDB NOCREATEROLE NOINHERIT CONNECTION LIMIT -1"
    attributes += " VALID UNTIL 'infinity'"
    if is_superuser:  # only a superuser may name these, even to switch them off
        attributes += " NOSUPERUSER NOREPLICATION NOBYPASSRLS"
    admin.exec_driver_sql(f"ALTER ROLE \"{READER_ROLE}\" {attributes} PASSWORD '{password}'")
    admin.exec_driver_sql(f'ALTER ROLE "{READER_ROLE}" RESET ALL')
    database = _quote(admin, admin.execute(text("SELECT current_database()")).scalar_one())
    admin.exec_driver_sql(f'ALTER ROLE "{READER_ROLE}" IN DATABASE {database} RESET ALL')
    for (granted,) in admin.execute(
        text(
            "SELECT m.roleid::regrole::text FROM pg_auth_members m "
            "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :r"
        ),
        {"r": READER_ROLE},
    ).all():
        admin.exec_driver_sql(f'REVOKE {granted} FROM "{READER_ROLE}"')
    _grant(admin, database)
    return password


def _grant(admin: Connection, database: str) -> None:
    """CONNECT, USAGE on the timeline's schema, SELECT on its tables and views: only what lacks."""
    role = f'"{READER_ROLE}"'
    checks = admin.execute(
        text(
            "SELECT has_database_privilege(:r, current_database(), 'CONNECT'), "
            "has_schema_privilege(:r, current_schema(), 'USAGE'), current_schema()"
        ),
        {"r": READER_ROLE},
    ).one()
    schema = _quote(admin, checks[2])
    if not checks[0]:
        admin.exec_driver_sql(f"GRANT CONNECT ON DATABASE {database} TO {role}")
    if not checks[1]:
        admin.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    # Tables, views, materialized views, partitioned tables; never foreign tables, which may
    # read files (file_fdw) with the rights of whoever set them up.
    relations = admin.execute(
        text(
            "SELECT c.relname, c.relkind = 'f' FROM pg_class c "
            "WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relkind IN ('r', 'v', 'm', 'p', 'f') "
            "AND has_table_privilege(:r, c.oid, 'SELECT') = (c.relkind = 'f')"
        ),
        {"r": READER_ROLE},
    ).all()
    for name, foreign in relations:
        target = f"{schema}.{_quote(admin, name)}"
        if foreign:
            admin.exec_driver_sql(f"REVOKE SELECT ON {target} FROM {role}")
        else:
            admin.exec_driver_sql(f"GRANT SELECT ON {target} TO {role}")


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)
