"""The table exports read rows through the driver's cursor and write CSV without csv.writer.

What they write must be what the SQLAlchemy rows and ``csv.writer`` wrote before, byte for byte:
checked here against that slow path, computed in the test, on both backends, on the seed with
rows made awkward (quotes, commas, CR, CRLF, tabs, non-BMP text, a true boolean) by the loader.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.export import csvcopy, csvlines, tables
from timeline.models import Base


def old_cell(value: Any) -> str:
    """The `csv` export's conversion before csvlines (csvpkg._cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def old_lines(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([old_cell(v) for v in row])
    return out.getvalue()


def new_lines(columns: list[sa.Column[Any]], rows: list[list[Any]]) -> str:
    lines = csvlines.line_maker(columns, [None] * len(columns))(rows)
    return "".join(line + "\r\n" for line in lines)


TEXT = st.text(alphabet=st.sampled_from(list("a ,\"\r\n\t\x00é\u2028\U0001d11e;'")), max_size=12)
VALUE = st.one_of(
    st.none(),
    TEXT,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.dates(),
    st.floats(allow_nan=False),
    st.binary(max_size=4),
)
KINDS = [sa.Integer(), sa.Text(), sa.String(20), sa.Boolean(), sa.Date(), sa.Float()]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_csv_lines_are_what_csv_writer_writes(data: st.DataObject) -> None:
    width = data.draw(st.integers(min_value=1, max_value=6))
    columns = [
        sa.Column(f"c{i}", data.draw(st.sampled_from(KINDS)), nullable=data.draw(st.booleans()))
        for i in range(width)
    ]
    rows = data.draw(st.lists(st.lists(VALUE, min_size=width, max_size=width), max_size=5))
    assert new_lines(columns, rows) == old_lines(rows)


SQLITE = sa.create_engine("sqlite://").dialect


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.none() | st.sampled_from([0, 1]), st.none() | st.dates(), TEXT, VALUE),
        max_size=6,
    )
)
def test_csv_lines_apply_sqlites_processors_as_sqlalchemy_did(
    stored: list[tuple[Any, ...]],
) -> None:
    """SQLite stores a boolean as 0/1 and a date as text: the lines convert them as before."""
    columns = [
        sa.Column("flag", sa.Boolean()),
        sa.Column("day", sa.Date()),
        sa.Column("note", sa.Text()),
        sa.Column("other", sa.Integer()),
    ]
    processors = [c.type.dialect_impl(SQLITE).result_processor(SQLITE, None) for c in columns]
    assert processors[0] is not None and processors[1] is not None
    raw = [(flag, None if day is None else day.isoformat(), n, o) for flag, day, n, o in stored]
    lines = csvlines.line_maker(columns, processors)(raw)
    expected = [
        [processors[0](flag), processors[1](day), note, other] for flag, day, note, other in raw
    ]
    assert "".join(line + "\r\n" for line in lines) == old_lines(expected)


def test_a_lone_empty_field_is_quoted_as_csv_writer_does() -> None:
    columns = [sa.Column("only", sa.Text())]
    for rows in ([[None]], [[""]], [["x"], [None]]):
        assert new_lines(columns, rows) == old_lines(rows)


# --- the exports on a database the loader filled -------------------------------------------------


@pytest.fixture
def awkward(db_url: str, run: Callable[..., Result], tmp_path: Path) -> str:
    """The seed, some of its values made awkward, loaded by `timeline import` into ``db_url``."""
    seed = tmp_path / "seed.db"
    run("--db", str(seed), "init")
    run("--db", str(seed), "seed")
    document = json.loads(run("--db", str(seed), "export", "json").stdout)
    events = document["tables"]["events"]["rows"]
    first, second = events[0], events[1]
    first["title"] = 'Quotes "inside", a comma, a CR\r here, CRLF\r\n, tab\t, \U0001d11e é \u2028'
    first["date_note"] = '  leading spaces and a lone "'
    first["date_edtf"] += "~"  # approximate: a true boolean
    first["date_approximate"] = True
    first["date_display"] = "c. " + first["date_display"]
    second["date_edtf"] += "?"
    second["date_uncertain"] = True
    second["date_display"] += "?"
    document["tables"]["page_breaks"]["rows"][0]["in_note"] = True
    path = tmp_path / "awkward.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    run("--db", db_url, "init")
    run("--db", db_url, "import", str(path))
    return db_url


def sqlalchemy_rows(url: str, table: sa.Table) -> list[list[Any]]:
    """The table's rows as the exports read them before: a Core select, primary-key order."""
    engine = sa.create_engine(url if "://" in url else f"sqlite:///{url}")
    info = tables.TableInfo(table)
    try:
        with engine.connect() as connection:
            query = sa.select(*table.columns).order_by(*info.order_by(engine.dialect.name))
            return [list(row) for row in connection.execute(query)]
    finally:
        engine.dispose()


def test_csv_export_is_the_slow_paths_bytes(
    awkward: str, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # batches of 7 rows (SQLite) or COPY blocks of 7 bytes (PostgreSQL): every table spans
    # several, and quoted CRs and LFs fall across the blocks' ends
    monkeypatch.setattr(
        "timeline.export.csvpkg.raw_batches", functools.partial(tables.raw_batches, batch=7)
    )
    monkeypatch.setattr(csvcopy, "BLOCK", 7)
    out = tmp_path / "csv"
    run("--db", awkward, "export", "csv", "-o", str(out))
    for table in Base.metadata.sorted_tables:
        expected = old_lines([[c.name for c in table.columns], *sqlalchemy_rows(awkward, table)])
        assert (out / f"{table.name}.csv").read_bytes() == expected.encode("utf-8"), table.name
    events = (out / "events.csv").read_bytes().decode("utf-8")
    assert ",true," in events and '"Quotes ""inside"", a comma, a CR\r here' in events


def test_streamed_rows_are_sqlalchemys_values(awkward: str) -> None:
    engine = sa.create_engine(awkward if "://" in awkward else f"sqlite:///{awkward}")
    try:
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                info = tables.TableInfo(table)
                streamed = [list(row) for row in tables.stream_rows(connection, info, batch=7)]
                expected = sqlalchemy_rows(awkward, table)
                assert streamed == expected, table.name
                # equal and of the same type: True is not 1, a date not its text
                for got, want in zip(streamed, expected, strict=True):
                    assert [type(v) for v in got] == [type(v) for v in want], table.name
    finally:
        engine.dispose()


def server_csv(rows: list[list[str | None]]) -> bytes:
    """Rows as PostgreSQL's COPY (FORMAT csv) writes them: NULL empty, a value quoted where it
    holds a quote, comma, CR or LF, LF row ends."""

    def field(value: str | None) -> str:
        if value is None:
            return ""
        if any(c in value for c in '",\r\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(",".join(map(field, row)) + "\n" for row in rows).encode("utf-8")


FIELD = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list('ab ,"\r\né')), min_size=1))


@given(
    rows=st.lists(st.lists(FIELD, min_size=2, max_size=4), max_size=6),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=8),
)
@settings(max_examples=300, deadline=None)
def test_copy_row_ends_become_crlf_wherever_the_blocks_break(
    rows: list[list[str | None]], cuts: list[int]
) -> None:
    data = server_csv(rows)
    points = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    blocks = [data[a:b] for a, b in itertools.pairwise(points)]
    written = list(csvcopy.crlf(blocks))
    expected = old_lines([["" if v is None else v for v in row] for row in rows])
    assert b"".join(block for block, _ in written) == expected.encode("utf-8")
    assert sum(count for _, count in written) == len(rows)


def _server_copy(postgres_url: str, statement: str, rows: list[bytes]) -> None:
    """``statement`` (a COPY … TO STDOUT) read with :func:`csvcopy.copied_rows`, its rows
    appended to ``rows`` as they come; the connection then serves another query."""
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))  # in a transaction, as the export's COPY
            driver: Any = connection.connection.driver_connection
            try:
                with driver.cursor() as cursor, cursor.copy(statement):
                    rows.extend(bytes(row) for row in csvcopy.copied_rows(driver))
            finally:
                connection.rollback()
                assert connection.execute(sa.text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_copied_rows_are_every_row_in_order(postgres_url: str) -> None:
    # 200,000 rows: many network reads, so the rows come both from what libpq holds and after
    # waiting on the socket
    rows: list[bytes] = []
    _server_copy(
        postgres_url,
        "COPY (SELECT g, 'x' || g FROM generate_series(1, 200000) g) TO STDOUT (FORMAT csv)",
        rows,
    )
    assert rows == [f"{n},x{n}\n".encode() for n in range(1, 200_001)]


def test_a_copy_the_server_stops_part_way_raises_the_servers_error(postgres_url: str) -> None:
    import psycopg

    rows: list[bytes] = []
    with pytest.raises(psycopg.errors.DivisionByZero, match="division by zero"):
        _server_copy(
            postgres_url,
            "COPY (SELECT g, 1 / (3 - g) FROM generate_series(1, 5) g) TO STDOUT (FORMAT csv)",
            rows,
        )
    assert rows == [b"1,0\n", b"2,1\n"]  # the rows before it, and none after
