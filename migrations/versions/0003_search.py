"""search: editorial readings of damaged passages, and a full-text index kept by triggers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

`document_readings` holds what a damaged passage says ("Wil iam J. Casey" reads "William J.
Casey"). `search_index` holds one entry per document, event and quote (`event_sources.quote`); an
entry's id is its kind's code plus four times its row's id (1 document, 2 event, 3 quote), so a
trigger finds the entry of a row without a scan:

- SQLite: an FTS5 table (title, body, readings) with the porter and unicode61 tokenizers;
- PostgreSQL: a `tsvector` (english; title weighted A, body and readings D) with a GIN index.

A document's entry holds its readings, a quote's the readings its span overlaps. Triggers on
documents, events, event_sources and document_readings keep the index current whoever writes the
rows: the seed, an import, or a SQL dump loaded with `sqlite3` or `psql`. They fold the typographic
apostrophes (U+02BC, U+2019, U+2018) to ASCII and no-break spaces to spaces with `replace()`, which
both databases have built in. On PostgreSQL every run of characters that are not letters or digits
becomes one space before parsing, so both backends split words where FTS5's unicode61 does
("411.616/2-2661" is four words on both).

The SQL is written out here, not imported, so that this revision means the same thing forever. A
later migration that makes SQLite copy one of the four tables (batch mode) drops that table's
triggers with it and must create them again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# kind code, source table, columns whose change re-indexes the row
SOURCES = (
    (1, "documents", ("id", "title", "subject", "text")),
    (2, "events", ("id", "title", "description")),
    (3, "event_sources", ("id", "document_id", "quote", "char_start", "char_end")),
)
DOCUMENT, QUOTE = 1, 3

# The readings an entry holds: all of a document's; those that overlap a quote's span.
READINGS_OF = {
    DOCUMENT: "r.document_id = t.id",
    QUOTE: "r.document_id = t.document_id AND r.char_start < t.char_end "
    "AND r.char_end > t.char_start",
}


def upgrade() -> None:
    op.create_table(
        "document_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column(
            "char_start",
            sa.Integer(),
            nullable=False,
            comment="offset in characters into documents.text",
        ),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column(
            "text",
            sa.Text(),
            nullable=False,
            comment="the passage exactly as the stored text has it",
        ),
        sa.Column(
            "reading",
            sa.Text(),
            nullable=False,
            comment="what the passage says, the damage undone",
        ),
        sa.Column(
            "note", sa.Text(), nullable=False, comment="why it reads so, and on whose authority"
        ),
        sa.CheckConstraint(
            "0 <= char_start AND char_start < char_end", name=op.f("ck_document_readings_span")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_readings_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_readings")),
        sa.UniqueConstraint(
            "document_id",
            "char_start",
            name=op.f("uq_document_readings_document_id_char_start"),
        ),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in _postgresql_up() if postgresql else _sqlite_up():
        op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in _postgresql_down() if postgresql else _sqlite_down():
        op.execute(statement)
    op.drop_table("document_readings")


# --- SQLite: FTS5 ---------------------------------------------------------------------------------


def _sqlite_fold(value: str) -> str:
    """Typographic apostrophes to ASCII, no-break spaces to spaces."""
    for code, plain in ((700, "''''"), (8217, "''''"), (8216, "''''"), (160, "' '")):
        value = f"replace({value}, char({code}), {plain})"
    return value


def _sqlite_readings(code: int) -> str:
    # SQLite before 3.44 has no ordered aggregate: aggregate an ordered subquery.
    return _sqlite_fold(
        "coalesce((SELECT group_concat(reading, char(10)) FROM (SELECT r.reading "
        f"FROM document_readings r WHERE {READINGS_OF[code]} GROUP BY r.reading "
        "ORDER BY min(r.char_start))), '')"
    )


# The entry of one source row aliased `t`: title, body, readings.
_SQLITE_ENTRY = {
    1: (
        _sqlite_fold("t.title || coalesce(char(10) || t.subject, '')"),
        _sqlite_fold("t.text"),
        _sqlite_readings(DOCUMENT),
    ),
    2: (_sqlite_fold("t.title"), _sqlite_fold("t.description"), "''"),
    3: ("''", _sqlite_fold("t.quote"), _sqlite_readings(QUOTE)),
}


def _sqlite_index(code: int, table: str, where: str | None = None) -> str:
    """The statement that indexes the rows of ``table`` (aliased ``t``) that ``where`` selects."""
    return (
        "INSERT INTO search_index (rowid, title, body, readings)\n"
        f"    SELECT t.id * 4 + {code}, {', '.join(_SQLITE_ENTRY[code])}\n"
        f"    FROM {table} t" + (f" WHERE {where}" if where else "")
    )


def _sqlite_reindex(code: int, table: str, where: str) -> str:
    return (
        f"DELETE FROM search_index WHERE rowid IN "
        f"(SELECT t.id * 4 + {code} FROM {table} t WHERE {where});\n"
        f"    {_sqlite_index(code, table, where)};"
    )


def _sqlite_up() -> list[str]:
    statements = [
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "title, body, readings, tokenize = 'porter unicode61 remove_diacritics 2')"
    ]
    for code, table, columns in SOURCES:
        forget_old = f"DELETE FROM search_index WHERE rowid = OLD.id * 4 + {code};"
        index_new = _sqlite_index(code, table, "t.id = NEW.id") + ";"
        statements += [
            f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN\n"
            f"    {index_new}\nEND",
            f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} BEGIN\n    {forget_old}\n    {index_new}\nEND",
            f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN\n"
            f"    {forget_old}\nEND",
            _sqlite_index(code, table),  # the rows already there
        ]
    # A reading changes the entry of its document and of the quotes it overlaps.
    for event, rows in (
        ("INSERT", ("NEW",)),
        ("UPDATE OF document_id, char_start, char_end, reading", ("OLD", "NEW")),
        ("DELETE", ("OLD",)),
    ):
        body = "\n    ".join(
            statement
            for row in rows
            for statement in (
                _sqlite_reindex(DOCUMENT, "documents", f"t.id = {row}.document_id"),
                _sqlite_reindex(
                    QUOTE,
                    "event_sources",
                    f"t.document_id = {row}.document_id AND t.char_start < {row}.char_end "
                    f"AND t.char_end > {row}.char_start",
                ),
            )
        )
        statements.append(
            f"CREATE TRIGGER search_document_readings_{event.split()[0].lower()} AFTER {event} "
            f"ON document_readings BEGIN\n    {body}\nEND"
        )
    return statements


def _sqlite_down() -> list[str]:
    tables = [table for _code, table, _columns in SOURCES] + ["document_readings"]
    return [
        f"DROP TRIGGER search_{table}_{event}"
        for table in tables
        for event in ("insert", "update", "delete")
    ] + ["DROP TABLE search_index"]


# --- PostgreSQL: tsvector and GIN -----------------------------------------------------------------


def _postgresql_readings(code: int) -> str:
    return (
        "(SELECT string_agg(r.reading, E'\\n' ORDER BY r.first) FROM (SELECT r.reading, "
        f"min(r.char_start) AS first FROM document_readings r WHERE {READINGS_OF[code]} "
        "GROUP BY r.reading) r)"
    )


_FOLD_FUNCTION = """
CREATE FUNCTION search_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(value,
        chr(700), ''''), chr(8217), ''''), chr(8216), ''''), chr(160), ' ')
$$"""

_VECTOR_FUNCTION = """
CREATE FUNCTION search_vector(value text, weight "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english'::regconfig,
        regexp_replace(search_fold(coalesce(value, '')), '[^[:alnum:]]+', ' ', 'g')), weight)
$$"""

_REFRESH_FUNCTION = """
CREATE FUNCTION search_index_refresh(code integer, row_id integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_index WHERE sid = row_id::bigint * 4 + code;
    IF code = 1 THEN
        INSERT INTO search_index (sid, tsv)
        SELECT t.id::bigint * 4 + 1,
            search_vector(t.title || coalesce(E'\\n' || t.subject, ''), 'A')
            || search_vector(t.text, 'D') || search_vector(@DOCUMENT_READINGS@, 'D')
        FROM documents t WHERE t.id = row_id;
    ELSIF code = 2 THEN
        INSERT INTO search_index (sid, tsv)
        SELECT t.id::bigint * 4 + 2,
            search_vector(t.title, 'A') || search_vector(t.description, 'D')
        FROM events t WHERE t.id = row_id;
    ELSIF code = 3 THEN
        INSERT INTO search_index (sid, tsv)
        SELECT t.id::bigint * 4 + 3,
            search_vector(t.quote, 'D') || search_vector(@QUOTE_READINGS@, 'D')
        FROM event_sources t WHERE t.id = row_id;
    END IF;
END
$$"""

# Its argument is the kind code of the table's rows.
_SYNC_FUNCTION = """
CREATE FUNCTION search_index_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_index WHERE sid = OLD.id::bigint * 4 + TG_ARGV[0]::integer;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM search_index_refresh(TG_ARGV[0]::integer, NEW.id);
    END IF;
    RETURN NULL;
END
$$"""

# A reading changes the entry of its document and of the quotes it overlaps.
_SYNC_READING_FUNCTION = """
CREATE FUNCTION search_index_sync_reading() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    reading document_readings;
BEGIN
    FOREACH reading IN ARRAY CASE TG_OP
        WHEN 'INSERT' THEN ARRAY[NEW] WHEN 'DELETE' THEN ARRAY[OLD] ELSE ARRAY[OLD, NEW] END
    LOOP
        PERFORM search_index_refresh(1, reading.document_id);
        PERFORM search_index_refresh(3, s.id) FROM event_sources s
        WHERE s.document_id = reading.document_id
            AND s.char_start < reading.char_end AND s.char_end > reading.char_start;
    END LOOP;
    RETURN NULL;
END
$$"""

_TRUNCATED_FUNCTION = """
CREATE FUNCTION search_index_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'document_readings' THEN
        PERFORM search_index_refresh(1, id) FROM documents;
        PERFORM search_index_refresh(3, id) FROM event_sources;
    ELSE
        DELETE FROM search_index WHERE sid % 4 = TG_ARGV[0]::integer;
    END IF;
    RETURN NULL;
END
$$"""

_PG_TRIGGER_TABLES = ("documents", "events", "event_sources", "document_readings")


def _refresh_function() -> str:
    """``CREATE FUNCTION search_index_refresh``, its readings' subqueries filled in."""
    return _REFRESH_FUNCTION.replace("@DOCUMENT_READINGS@", _postgresql_readings(DOCUMENT)).replace(
        "@QUOTE_READINGS@", _postgresql_readings(QUOTE)
    )


def _postgresql_up() -> list[str]:
    refresh = _refresh_function()
    statements = [
        "CREATE TABLE search_index (sid bigint PRIMARY KEY, tsv tsvector NOT NULL)",
        "CREATE INDEX ix_search_index_tsv ON search_index USING gin (tsv)",
        _FOLD_FUNCTION,  # search folds the text it highlights with it too
        _VECTOR_FUNCTION,
        refresh,
        _SYNC_FUNCTION,
        _SYNC_READING_FUNCTION,
        _TRUNCATED_FUNCTION,
    ]
    for code, table, columns in SOURCES:
        statements.append(
            f"CREATE TRIGGER search_index_sync AFTER INSERT OR DELETE OR UPDATE OF "
            f"{', '.join(columns)} ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION search_index_sync('{code}')"
        )
    statements.append(
        "CREATE TRIGGER search_index_sync AFTER INSERT OR DELETE OR UPDATE OF "
        "document_id, char_start, char_end, reading ON document_readings FOR EACH ROW "
        "EXECUTE FUNCTION search_index_sync_reading()"
    )
    codes = {table: code for code, table, _columns in SOURCES}
    for table in _PG_TRIGGER_TABLES:
        statements.append(
            f"CREATE TRIGGER search_index_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION search_index_truncated('{codes.get(table, 0)}')"
        )
    # the rows already there
    statements += [f"SELECT search_index_refresh({c}, id) FROM {t}" for c, t, _ in SOURCES]
    return statements


def _postgresql_down() -> list[str]:
    return [
        *(
            f"DROP TRIGGER {trigger} ON {table}"
            for table in _PG_TRIGGER_TABLES
            for trigger in ("search_index_sync", "search_index_truncate")
        ),
        "DROP FUNCTION search_index_truncated()",
        "DROP FUNCTION search_index_sync_reading()",
        "DROP FUNCTION search_index_sync()",
        "DROP FUNCTION search_index_refresh(integer, integer)",
        'DROP FUNCTION search_vector(text, "char")',
        "DROP FUNCTION search_fold(text)",
        "DROP TABLE search_index",
    ]
