"""record search: trigram indexes on the fields `search` matches actors and documents by

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

`timeline.search_records` finds actors (name, key, description, aliases, offices), documents
(key, number, citation) and statutes (titles and citations) holding each word of a query,
anywhere in a field: "R001500070028-8"
finds "CIA-RDP88B00443R001500070028-8". It narrowed them with ``LIKE '%word%'``, which reads every
row: linear in the corpus, and at a million events longer than the full-text query beside it.
A trigram index answers a substring of three characters or more from the index:

- SQLite: an FTS5 table with the trigram tokenizer over each table's fields, its content read
  from the table itself (``content=``, so the text is not stored twice), named
  ``search_index_<table>`` (a search table to the schema checks, as ``search_index`` is), kept
  current by triggers ``records_<table>_insert|update|delete``;
- PostgreSQL: a GIN index (pg_trgm's ``gin_trgm_ops``) on ``lower(field)``, the expression the
  search's ``LIKE`` reads, for each field. pg_trgm ships with PostgreSQL and is a trusted
  extension: the database's owner may create it.

The tables and columns are unchanged: an export written at 0006 to 0008 imports at 0009
(``timeline.importing.reader.SAME_TABLES``). The SQL is written out here, not imported, so that
this revision means the same thing forever. A later migration that makes SQLite copy one of these
tables (batch mode) drops its triggers with it and must create them again.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: the fields search_records narrows on (its _actor_holds and document condition)
RECORDS = {
    "actors": ("name", "key", "description"),
    "actor_aliases": ("alias",),
    "offices": ("title",),
    "documents": ("key", "doc_number", "citation"),
    "statutes": (
        "title",
        "short_title",
        "popular_title",
        "public_law",
        "section",
        "chapter",
        "bill",
        "key",
        "statutes_at_large",
        "us_code",
    ),
}


def _columns(fields: Sequence[str], row: str = "") -> str:
    return ", ".join(f'{row}"{field}"' for field in fields)


def _sqlite_up() -> list[str]:
    statements = []
    for table, fields in RECORDS.items():
        index = f"search_index_{table}"
        forget_old = (
            f"INSERT INTO {index} ({index}, rowid, {_columns(fields)}) "
            f"VALUES ('delete', OLD.id, {_columns(fields, 'OLD.')});"
        )
        index_new = (
            f"INSERT INTO {index} (rowid, {_columns(fields)}) "
            f"VALUES (NEW.id, {_columns(fields, 'NEW.')});"
        )
        statements += [
            f"CREATE VIRTUAL TABLE {index} USING fts5({_columns(fields)}, content = '{table}', "
            "content_rowid = 'id', tokenize = 'trigram')",
            f"CREATE TRIGGER records_{table}_insert AFTER INSERT ON {table} BEGIN\n"
            f"    {index_new}\nEND",
            f"CREATE TRIGGER records_{table}_update AFTER UPDATE OF id, {_columns(fields)} "
            f"ON {table} BEGIN\n    {forget_old}\n    {index_new}\nEND",
            f"CREATE TRIGGER records_{table}_delete AFTER DELETE ON {table} BEGIN\n"
            f"    {forget_old}\nEND",
            f"INSERT INTO {index} ({index}) VALUES ('rebuild')",  # the rows already there
        ]
    return statements


def _sqlite_down() -> list[str]:
    return [
        statement
        for table in RECORDS
        for statement in (
            *(f"DROP TRIGGER records_{table}_{event}" for event in ("insert", "update", "delete")),
            f"DROP TABLE search_index_{table}",
        )
    ]


def _postgresql_up() -> list[str]:
    return ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
        f'CREATE INDEX search_trgm_{table}_{field} ON {table} USING gin (lower("{field}") '
        "gin_trgm_ops)"
        for table, fields in RECORDS.items()
        for field in fields
    ]


def _postgresql_down() -> list[str]:
    # The extension stays: other schemas of the database may use it.
    return [
        f"DROP INDEX search_trgm_{table}_{field}"
        for table, fields in RECORDS.items()
        for field in fields
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = _sqlite_up() if dialect == "sqlite" else _postgresql_up()
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = _sqlite_down() if dialect == "sqlite" else _postgresql_down()
    for statement in statements:
        op.execute(statement)
