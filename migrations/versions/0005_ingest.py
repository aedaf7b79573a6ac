"""ingest: page breaks, actor identifiers, glossary terms, and how a document's date was read

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

For `timeline ingest frus` (issue 7):

- ``page_breaks``: where each printed page of the edition begins in a document's text;
- ``actor_identifiers``: the ids editions give an actor, unique per scheme. FRUS persons-list ids
  are per volume, so the value is qualified by the volume ("frus1961-63v05#p_RD1"). The seed's
  ``actors.frus_id`` values are vol. V's (its persons list), so they are copied in with that
  volume; ``frus_id`` stays, as the seed's annotation field and a column analysts query;
- ``glossary_terms``: a volume's list of abbreviations;
- ``documents.date_time``, ``date_basis`` and ``source_note``;
- ``participant`` joins the document roles (a memorandum of conversation's participants).

SQLite changes a CHECK constraint only by copying the table; as in 0004, by SQLite's own recipe
(the same edited CREATE statement every time), with views and triggers set aside meanwhile.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VOLUME_V = "frus1961-63v05"
OLD_ROLES = ("author", "cc", "distribution", "mentioned", "recipient", "signer")
NEW_ROLES = ("author", "cc", "distribution", "mentioned", "participant", "recipient", "signer")
ROLE_CHECK = "ck_document_actors_role"


def _words(words: Sequence[str]) -> str:
    return "role IN (" + ", ".join(f"'{w}'" for w in words) + ")"


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


def _set_roles(old: Sequence[str], new: Sequence[str]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(ROLE_CHECK), "document_actors", type_="check")
        op.create_check_constraint(op.f(ROLE_CHECK), "document_actors", _words(new))
        return
    table = "document_actors"
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
    edited = body.replace(_words(old), _words(new))
    assert edited != body, "document_actors has not the role CHECK this revision expects"
    with _schema_objects_set_aside():
        bind.exec_driver_sql(f'CREATE TABLE "_new_{table}" {edited}')
        bind.exec_driver_sql(f'INSERT INTO "_new_{table}" SELECT * FROM "{table}"')
        bind.exec_driver_sql(f'DROP TABLE "{table}"')
        bind.exec_driver_sql(f'ALTER TABLE "_new_{table}" RENAME TO "{table}"')
        for index_sql in indexes:
            bind.exec_driver_sql(index_sql)


def upgrade() -> None:
    op.create_table(
        "page_breaks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column(
            "page",
            sa.String(length=40),
            nullable=False,
            comment="the printed page number, as printed",
        ),
        sa.Column(
            "char_start",
            sa.Integer(),
            nullable=False,
            comment="offset in characters into documents.text",
        ),
        sa.Column(
            "in_note", sa.Boolean(), nullable=False, comment="the break falls inside a footnote"
        ),
        sa.CheckConstraint("char_start >= 0", name=op.f("ck_page_breaks_char_start")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_page_breaks_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_breaks")),
        sa.UniqueConstraint(
            "document_id",
            "char_start",
            "page",
            name=op.f("uq_page_breaks_document_id_char_start_page"),
        ),
    )
    op.create_table(
        "actor_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False, comment="whose ids: frus"),
        sa.Column(
            "value",
            sa.String(length=200),
            nullable=False,
            comment="the id, qualified: volume#person",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_identifiers_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_identifiers")),
        sa.UniqueConstraint("scheme", "value", name=op.f("uq_actor_identifiers_scheme_value")),
    )
    op.create_index(
        op.f("ix_actor_identifiers_actor_id"), "actor_identifiers", ["actor_id"], unique=False
    )
    op.create_table(
        "glossary_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "volume",
            sa.String(length=100),
            nullable=False,
            comment="the volume's id: frus1961-63v05",
        ),
        sa.Column(
            "term_id",
            sa.String(length=100),
            nullable=False,
            comment="the list's id for it: t_ACDA1",
        ),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("expansion", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary_terms")),
        sa.UniqueConstraint("volume", "term_id", name=op.f("uq_glossary_terms_volume_term_id")),
    )
    # ADD COLUMN needs no copy of the table on SQLite, and appends as the models order them.
    op.add_column(
        "documents",
        sa.Column(
            "date_time",
            sa.String(length=64),
            nullable=True,
            comment="the dateline's time as given, with its zone (19:00:00, 10:00/12:00)",
        ),
    )
    op.add_column(
        "documents",
        sa.Column(
            "date_basis",
            sa.String(length=40),
            nullable=True,
            comment="how the date was reached: dateline, doc-dateTime, annotation, …",
        ),
    )
    op.add_column(
        "documents",
        sa.Column("source_note", sa.Text(), nullable=True, comment="the edition's source note"),
    )
    op.execute(
        "INSERT INTO actor_identifiers (actor_id, scheme, value) "
        f"SELECT id, 'frus', '{VOLUME_V}#' || frus_id FROM actors "
        "WHERE frus_id IS NOT NULL ORDER BY id"
    )
    _set_roles(OLD_ROLES, NEW_ROLES)


def downgrade() -> None:
    op.execute("DELETE FROM document_actors WHERE role = 'participant'")
    _set_roles(NEW_ROLES, OLD_ROLES)
    if op.get_bind().dialect.name == "sqlite":
        with _schema_objects_set_aside():
            for column in ("source_note", "date_basis", "date_time"):
                op.execute(f'ALTER TABLE documents DROP COLUMN "{column}"')
    else:
        for column in ("source_note", "date_basis", "date_time"):
            op.drop_column("documents", column)
    op.drop_table("glossary_terms")
    op.drop_index(op.f("ix_actor_identifiers_actor_id"), table_name="actor_identifiers")
    op.drop_table("actor_identifiers")
    op.drop_table("page_breaks")
