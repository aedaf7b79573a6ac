"""date basis: how each event's date was reached, editorial notes, editor's identifications

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

For the editorial standard of issue 9:

- ``events.date_basis`` (NOT NULL): how the date was reached, one of stated, document, inferred,
  bounded, external (timeline/vocabulary.py ``DATE_BASES``, written out here so that this
  revision means the same thing forever);
- ``events.editorial_note``: the editor's words on a description's bracketed ``[…]`` text;
- ``event_actors.identified_by`` and ``event_statutes.identified_by`` (NOT NULL): ``text`` when
  the text's own words make the link, ``editor`` when it is the editor's identification.

Events stored before this revision get a basis read from what they hold, in this order: a day
equal to the date of a document they cite is ``document``; an interval or an open end is
``bounded``; a date with the source's words for it is ``stated``; a date with an external source
and no words from the text is ``external``; the rest ``inferred``. Links stored before it are
``text`` (the column's default). A curator corrects them by loading the annotation again.

SQLite adds NOT NULL and CHECK only by copying the table (SQLite's recipe, as in 0004 and 0005),
with the views and triggers set aside meanwhile.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATE_BASES = ("bounded", "document", "external", "inferred", "stated")
IDENTIFIED_BY = ("editor", "text")
DATE_BASIS_COMMENT = "how the date was reached: stated, document, inferred, bounded, external"
IDENTIFIED_COMMENT = "text: the text names it; editor: the editor's identification"
NOTE_COMMENT = "the editor's words on the description's bracketed [...] text"

# table -> (column, its words, its comment) added NOT NULL with a CHECK
WORD_COLUMNS: dict[str, tuple[str, Sequence[str], str]] = {
    "events": ("date_basis", DATE_BASES, DATE_BASIS_COMMENT),
    "event_actors": ("identified_by", IDENTIFIED_BY, IDENTIFIED_COMMENT),
    "event_statutes": ("identified_by", IDENTIFIED_BY, IDENTIFIED_COMMENT),
}

BACKFILL = """
UPDATE events SET date_basis = CASE
  WHEN date_precision = 'day' AND EXISTS (
    SELECT 1 FROM event_sources s JOIN documents d ON d.id = s.document_id
    WHERE s.event_id = events.id AND d.date_edtf = events.date_edtf) THEN 'document'
  WHEN date_edtf LIKE '%/%' OR date_edtf LIKE '..%' THEN 'bounded'
  WHEN date_text IS NOT NULL THEN 'stated'
  WHEN external_source_id IS NOT NULL THEN 'external'
  ELSE 'inferred'
END
"""


def _words(column: str, words: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{w}'" for w in words) + ")"


def _check_name(table: str, column: str) -> str:
    return f"ck_{table}_{column}"


@contextmanager
def _schema_objects_set_aside() -> Iterator[None]:
    bind = op.get_bind()
    kept = list(
        bind.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') "
            "AND sql IS NOT NULL ORDER BY type DESC, name"
        )
    )
    for kind, name, _sql in kept:
        bind.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
    yield
    for _kind, _name, sql in kept:
        bind.exec_driver_sql(sql)


def _sqlite_rebuild(table: str, edit: Callable[[str], str]) -> None:
    """Create the table anew from its edited CREATE statement, copy the rows, swap, reindex."""
    bind = op.get_bind()
    (sql,) = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).one()
    indexes = [
        index_sql
        for (index_sql,) in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL ORDER BY name",
            (table,),
        )
    ]
    body = sql[sql.index("(") :]
    edited = edit(body)
    assert edited != body, f"{table} is not as this revision expects"
    bind.exec_driver_sql(f'CREATE TABLE "_new_{table}" {edited}')
    bind.exec_driver_sql(f'INSERT INTO "_new_{table}" SELECT * FROM "{table}"')
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "_new_{table}" RENAME TO "{table}"')
    for index_sql in indexes:
        bind.exec_driver_sql(index_sql)


def _constrained(table: str, column: str, words: Sequence[str]) -> Callable[[str], str]:
    def edit(body: str) -> str:
        body = body.replace(f"{column} VARCHAR(16)", f"{column} VARCHAR(16) NOT NULL", 1)
        end = body.rindex(")")
        check = f"CONSTRAINT {_check_name(table, column)} CHECK ({_words(column, words)})"
        return body[:end].rstrip() + ", \n\t" + check + "\n" + body[end:]

    return edit


def _unconstrained(table: str, column: str, words: Sequence[str]) -> Callable[[str], str]:
    def edit(body: str) -> str:
        check = f"CONSTRAINT {_check_name(table, column)} CHECK ({_words(column, words)})"
        body = body.replace(", \n\t" + check, "")
        return body.replace(f"{column} VARCHAR(16) NOT NULL", f"{column} VARCHAR(16)", 1)

    return edit


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, (column, _, comment) in WORD_COLUMNS.items():
        # A link written in plain SQL is the text's unless it says otherwise; a date has no
        # default basis. The links stored before this revision become "text" by the default.
        default = sa.text("'text'") if column == "identified_by" else None
        op.add_column(
            table,
            sa.Column(
                column, sa.String(length=16), nullable=True, server_default=default, comment=comment
            ),
        )
    op.add_column(
        "events", sa.Column("editorial_note", sa.Text(), nullable=True, comment=NOTE_COMMENT)
    )
    op.execute(BACKFILL)
    if sqlite:
        with _schema_objects_set_aside():
            for table, (column, words, _comment) in WORD_COLUMNS.items():
                _sqlite_rebuild(table, _constrained(table, column, words))
        return
    for table, (column, words, comment) in WORD_COLUMNS.items():
        op.alter_column(
            table, column, existing_type=sa.String(length=16), nullable=False, comment=comment
        )
        op.create_check_constraint(op.f(_check_name(table, column)), table, _words(column, words))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with _schema_objects_set_aside():
            for table, (column, words, _comment) in WORD_COLUMNS.items():
                _sqlite_rebuild(table, _unconstrained(table, column, words))
            for table, (column, *_) in WORD_COLUMNS.items():
                op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
            op.execute('ALTER TABLE "events" DROP COLUMN "editorial_note"')
        return
    for table, (column, *_) in WORD_COLUMNS.items():
        op.drop_constraint(op.f(_check_name(table, column)), table, type_="check")
        op.drop_column(table, column)
    op.drop_column("events", "editorial_note")
