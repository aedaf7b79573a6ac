"""`timeline sql` on PostgreSQL: no server file read or written, no program run, whatever the role.

Every attack runs twice, with the plain role the test database belongs to and with the superuser
scripts/postgres-setup creates (a superuser's query runs as the role timeline_reader).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from conftest import dump, reset_postgres
from test_errors import one_line_error

from timeline import readonly_role
from timeline.cli import main
from timeline.db import Database
from timeline.readonly_role import READER_ROLE
from timeline.sql import NO_ROWS, run_query

CHRONOLOGY = "SELECT * FROM chronology ORDER BY sort_date, date_end, sequence, event_key"


@pytest.fixture(scope="module")
def timeline_pg(postgres_url: str) -> str:
    """The PostgreSQL test database, migrated and seeded once for this module (nothing here
    writes to it: every test checks that)."""
    reset_postgres(postgres_url)
    for command in ("init", "seed"):
        result = CliRunner().invoke(main, ["--db", postgres_url, command])
        assert result.exit_code == 0, result.output
    return postgres_url


@pytest.fixture(params=["plain", "superuser"])
def role_url(request: pytest.FixtureRequest, timeline_pg: str) -> str:
    if request.param == "plain":
        return timeline_pg
    return request.getfixturevalue("postgres_superuser_url")


@pytest.fixture
def server_dir() -> Iterator[Path]:
    """A directory the server's OS user could write to: a file appearing here was written."""
    path = Path(tempfile.mkdtemp(prefix="timeline-sql-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def admin_engine(superuser_url: str) -> sa.Engine:
    return sa.create_engine(superuser_url, isolation_level="AUTOCOMMIT")


ATTACKS = [
    ("SELECT pg_read_file('/etc/passwd')", "permission denied for function pg_read_file"),
    (
        "SELECT pg_read_binary_file('/etc/passwd')",
        "permission denied for function pg_read_binary_file",
    ),
    ("SELECT pg_ls_dir('/etc')", "permission denied for function pg_ls_dir"),
    ("SELECT * FROM pg_stat_file('/etc/passwd')", "permission denied for function pg_stat_file"),
    ("SELECT lo_import('/etc/passwd')", "permission denied for function lo_import"),
    ("SELECT lo_export(lo_create(0), '{dir}/lo')", "permission denied for function lo_export"),
    ("COPY (SELECT 1) TO '{dir}/copy'", "pg_write_server_files role to COPY to a file"),
    ("COPY (SELECT 1) TO PROGRAM 'id > {dir}/program'", "pg_execute_server_program role to COPY"),
    ("COPY events FROM '/etc/passwd'", "pg_read_server_files role to COPY from a file"),
    ("SELECT pg_reload_conf()", "permission denied for function pg_reload_conf"),
    ("SELECT * FROM pg_ls_waldir()", "permission denied for function pg_ls_waldir"),
    ("SELECT set_config('role', 'postgres', false)", 'permission denied to set role "postgres"'),
    ("SET ROLE postgres", 'permission denied to set role "postgres"'),
    (
        "SELECT set_config('session_authorization', 'postgres', false)",
        "permission denied to set session authorization",
    ),
    ("SET TRANSACTION READ WRITE", NO_ROWS),
    (
        "SELECT set_config('transaction_read_only', 'off', false)",
        "read-write mode must be set before any query",
    ),
    ("WITH d AS (DELETE FROM events RETURNING key) SELECT * FROM d", "read-only transaction"),
    (
        "SELECT query_to_xml('SELECT pg_read_file(''/etc/passwd'')', true, false, '')",
        "permission denied for function pg_read_file",
    ),
    (
        "DO $$BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''id > {dir}/do'''; END$$",
        "pg_execute_server_program role to COPY",
    ),
    ("LOAD 'plpgsql'", 'access to library "plpgsql" is not allowed'),
    ("COPY (SELECT 1) TO STDOUT", NO_ROWS),
    ("DO $$BEGIN RAISE NOTICE 'hello'; END$$", NO_ROWS),
]


@pytest.mark.parametrize(("attack", "expected"), ATTACKS)
def test_no_server_file_or_program_for_any_role(
    role_url: str,
    run: Callable[..., Result],
    server_dir: Path,
    attack: str,
    expected: str,
) -> None:
    before = dump(role_url)
    result = run("--db", role_url, "sql", attack.format(dir=server_dir), expect=None)
    line = one_line_error(result, 1)
    assert expected in line, line
    assert "root:" not in result.stdout
    assert list(server_dir.iterdir()) == []
    assert dump(role_url) == before


def test_another_session_cannot_be_terminated(
    role_url: str, postgres_superuser_url: str, run: Callable[..., Result]
) -> None:
    engine = admin_engine(postgres_superuser_url)
    try:
        with engine.connect() as bystander:
            pid = bystander.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            line = one_line_error(
                run("--db", role_url, "sql", f"SELECT pg_terminate_backend({pid})", expect=None),
                1,
            )
            assert "must be a superuser to terminate superuser process" in line, line
            assert bystander.execute(sa.text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_a_superuser_reads_what_the_plain_role_reads(
    timeline_pg: str, postgres_superuser_url: str, run: Callable[..., Result]
) -> None:
    plain = run("--db", timeline_pg, "sql", CHRONOLOGY, "-f", "json").stdout
    assert run("--db", postgres_superuser_url, "sql", CHRONOLOGY, "-f", "json").stdout == plain
    query = "SELECT event_key FROM chronology WHERE date_start >= :start AND kind = :kind"
    args = ("sql", query, "-p", "start", "1961-01-01", "-p", "kind", "meeting", "-f", "csv")
    out = run("--db", postgres_superuser_url, *args).stdout
    assert out == "event_key\n1961-02-21-crab-meat-discussion\n"
    assert run("--db", timeline_pg, *args).stdout == out


def test_a_superusers_query_runs_as_the_reader(
    role_url: str, timeline_pg: str, run: Callable[..., Result]
) -> None:
    who = run("--db", role_url, "sql", "SELECT session_user AS s, current_user AS c", "-f", "csv")
    expected = "timeline" if role_url == timeline_pg else READER_ROLE
    assert who.stdout == f"s,c\n{expected},{expected}\n"


def test_the_reader_holds_select_and_nothing_else(
    timeline_pg: str, postgres_superuser_url: str, run: Callable[..., Result]
) -> None:
    run("--db", postgres_superuser_url, "sql", "SELECT 1")
    engine = admin_engine(postgres_superuser_url)
    try:
        with engine.connect() as admin:
            role = admin.execute(
                sa.text(
                    "SELECT rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolreplication, "
                    "rolbypassrls, rolcanlogin, rolpassword IS NULL FROM pg_authid "
                    "WHERE rolname = :r"
                ),
                {"r": READER_ROLE},
            ).one()
            # Logs in, but only with the password each run sets and then removes.
            assert tuple(role) == (False, False, False, False, False, False, True, True)
            members = admin.execute(
                sa.text(
                    "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                    "WHERE r.rolname = :r"
                ),
                {"r": READER_ROLE},
            ).scalar_one()
            assert members == 0
            rights = admin.execute(
                sa.text(
                    "SELECT has_table_privilege(:r, 'events', 'SELECT'), "
                    "has_table_privilege(:r, 'chronology', 'SELECT'), "
                    "has_table_privilege(:r, 'events', 'INSERT, UPDATE, DELETE, TRUNCATE'), "
                    "has_schema_privilege(:r, 'public', 'CREATE'), "
                    "has_database_privilege(:r, current_database(), 'CREATE')"
                ),
                {"r": READER_ROLE},
            ).one()
            assert tuple(rights) == (True, True, False, False, False)
    finally:
        engine.dispose()


def test_a_reader_given_rights_is_reset_before_it_runs_anything(
    timeline_pg: str,
    postgres_superuser_url: str,
    run: Callable[..., Result],
    server_dir: Path,
) -> None:
    run("--db", postgres_superuser_url, "sql", "SELECT 1")  # the role exists
    engine = admin_engine(postgres_superuser_url)
    try:
        with engine.connect() as admin:
            admin.execute(sa.text(f"ALTER ROLE {READER_ROLE} SUPERUSER INHERIT"))
            admin.execute(sa.text(f"GRANT pg_execute_server_program TO {READER_ROLE}"))
        attack = f"COPY (SELECT 1) TO PROGRAM 'id > {server_dir}/program'"
        line = one_line_error(run("--db", postgres_superuser_url, "sql", attack, expect=None), 1)
        assert "pg_execute_server_program role to COPY" in line, line
        assert list(server_dir.iterdir()) == []
    finally:
        with engine.connect() as admin:
            admin.execute(sa.text(f"ALTER ROLE {READER_ROLE} NOSUPERUSER NOINHERIT"))
            admin.execute(sa.text(f"REVOKE pg_execute_server_program FROM {READER_ROLE}"))
        engine.dispose()


FILE_ROLE = "timeline_fileprogram"


@pytest.fixture
def file_program_url(timeline_pg: str, postgres_superuser_url: str) -> Iterator[str]:
    """A role that is no superuser but a NOINHERIT member of pg_execute_server_program: its rights
    are dormant until a query switches to that role, which one DO statement can do."""
    engine = admin_engine(postgres_superuser_url)
    with engine.connect() as admin:
        admin.execute(sa.text(f"DROP ROLE IF EXISTS {FILE_ROLE}"))
        admin.execute(sa.text(f"CREATE ROLE {FILE_ROLE} LOGIN NOINHERIT PASSWORD '{FILE_ROLE}'"))
        admin.execute(sa.text(f"GRANT pg_execute_server_program TO {FILE_ROLE}"))
        admin.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {FILE_ROLE}"))
        admin.execute(sa.text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {FILE_ROLE}"))
    try:
        url = sa.make_url(timeline_pg).set(username=FILE_ROLE, password=FILE_ROLE)
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as admin:
            admin.execute(sa.text(f"DROP OWNED BY {FILE_ROLE}"))
            admin.execute(sa.text(f"DROP ROLE {FILE_ROLE}"))
        engine.dispose()


def test_a_dormant_member_of_a_file_role_is_refused(
    file_program_url: str, run: Callable[..., Result], server_dir: Path
) -> None:
    attack = (
        "DO $$BEGIN PERFORM set_config('role', 'pg_execute_server_program', false); "
        f"EXECUTE 'COPY (SELECT 1) TO PROGRAM ''id > {server_dir}/program'''; END$$"
    )
    line = one_line_error(run("--db", file_program_url, "sql", attack, expect=None), 1)
    assert line.startswith(
        f"Error: role '{FILE_ROLE}' is a member of pg_execute_server_program, so timeline sql "
        f"runs queries as the role {READER_ROLE}, which could not be set up ("
    ), line
    assert line.endswith(
        "; connect with a role that can only SELECT (README: 'Asking your own questions in SQL')"
    ), line
    assert list(server_dir.iterdir()) == []


def test_a_reader_that_cannot_log_in_is_one_line(
    postgres_superuser_url: str, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As when pg_hba.conf lets the reader in by no method that takes a password."""
    connect = readonly_role._connect
    monkeypatch.setattr(readonly_role, "_connect", lambda url, _password: connect(url, "wrong"))
    line = one_line_error(run("--db", postgres_superuser_url, "sql", "SELECT 1", expect=None), 1)
    assert line.startswith(
        f"Error: role 'timeline_super' is a superuser, so timeline sql runs queries as the role "
        f"{READER_ROLE}, which could not log in (password authentication failed"
    ), line


def test_a_superusers_runaway_query_is_stopped(
    postgres_superuser_url: str, run: Callable[..., Result]
) -> None:
    forever = "SELECT count(*) FROM generate_series(1, 1000000000)"
    args = ("sql", forever, "--timeout", "0.3")
    line = one_line_error(run("--db", postgres_superuser_url, *args, expect=None), 1)
    assert line.startswith("Error: the query was stopped after 0.3 s")


def test_concurrent_superuser_queries_all_log_in(
    timeline_pg: str, postgres_superuser_url: str
) -> None:
    """Each run sets the reader's password; the advisory lock keeps them from crossing."""
    answers: list[object] = []

    def ask() -> None:
        database = Database.open(postgres_superuser_url)
        try:
            with run_query(database, "SELECT count(*) FROM events") as result:
                answers.extend(row[0] for row in result.rows)
        except Exception as exc:
            answers.append(exc)
        finally:
            database.dispose()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [17, 17, 17, 17]
