"""initial schema: documents, events, actors, statutes and their links

Revision ID: 0001
Revises:
Create Date: 2026-11-22

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "external_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_sources")),
        sa.UniqueConstraint("key", name=op.f("uq_external_sources_key")),
    )
    op.create_table(
        "actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sort_name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("frus_id", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "external_source_id",
            sa.Integer(),
            nullable=True,
            comment="source of the name where the texts lack it",
        ),
        sa.CheckConstraint(
            "kind IN ('person', 'organization', 'government', 'office', 'group')",
            name=op.f("ck_actors_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["external_source_id"],
            ["external_sources.id"],
            name=op.f("fk_actors_external_source_id_external_sources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actors")),
        sa.UniqueConstraint("frus_id", name=op.f("uq_actors_frus_id")),
        sa.UniqueConstraint("key", name=op.f("uq_actors_key")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("doc_type", sa.String(length=40), nullable=False),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("collection", sa.Text(), nullable=False, comment="FRUS, CIA CREST, …"),
        sa.Column("volume", sa.Text(), nullable=True),
        sa.Column(
            "doc_number",
            sa.String(length=100),
            nullable=True,
            comment="FRUS document number or CREST document number",
        ),
        sa.Column(
            "pages", sa.String(length=40), nullable=True, comment="printed pages, e.g. 86–87"
        ),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("archival_source", sa.Text(), nullable=True),
        sa.Column("classification", sa.String(length=40), nullable=True),
        sa.Column("release_decision", sa.String(length=40), nullable=True),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("approved_for_release", sa.Date(), nullable=True),
        sa.Column(
            "record_created",
            sa.Date(),
            nullable=True,
            comment="CREST's 'Document Creation Date' (the catalogue record's)",
        ),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=40), nullable=True),
        sa.Column("sequence_number", sa.Integer(), nullable=True),
        sa.Column(
            "seed_file", sa.String(length=200), nullable=True, comment="file name under seed/"
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "external_source_id",
            sa.Integer(),
            nullable=True,
            comment="source of metadata the text does not state",
        ),
        sa.Column("metadata_note", sa.Text(), nullable=True),
        sa.Column("date_edtf", sa.String(length=64), nullable=False),
        sa.Column("date_start", sa.Date(), nullable=False),
        sa.Column("date_end", sa.Date(), nullable=False),
        sa.Column("date_precision", sa.String(length=16), nullable=False),
        sa.Column("date_approximate", sa.Boolean(), nullable=False),
        sa.Column("date_uncertain", sa.Boolean(), nullable=False),
        sa.Column(
            "date_text", sa.Text(), nullable=True, comment="the source's own words for the date"
        ),
        sa.CheckConstraint(
            "date_precision IN ('day', 'month', 'season', 'year', 'decade', 'century', 'interval')",
            name=op.f("ck_documents_date_precision"),
        ),
        sa.CheckConstraint("date_start <= date_end", name=op.f("ck_documents_date_order")),
        sa.CheckConstraint("length(text_sha256) = 64", name=op.f("ck_documents_text_sha256")),
        sa.CheckConstraint(
            "page_count IS NULL OR page_count > 0", name=op.f("ck_documents_page_count")
        ),
        sa.ForeignKeyConstraint(
            ["external_source_id"],
            ["external_sources.id"],
            name=op.f("fk_documents_external_source_id_external_sources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("key", name=op.f("uq_documents_key")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_date_start"), ["date_start"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "date_note", sa.Text(), nullable=True, comment="how the date was read from the sources"
        ),
        sa.Column(
            "sequence",
            sa.Integer(),
            nullable=False,
            comment="order among events with the same date bounds",
        ),
        sa.Column(
            "external_source_id",
            sa.Integer(),
            nullable=True,
            comment="source of facts the quotes do not state",
        ),
        sa.Column("date_edtf", sa.String(length=64), nullable=False),
        sa.Column("date_start", sa.Date(), nullable=False),
        sa.Column("date_end", sa.Date(), nullable=False),
        sa.Column("date_precision", sa.String(length=16), nullable=False),
        sa.Column("date_approximate", sa.Boolean(), nullable=False),
        sa.Column("date_uncertain", sa.Boolean(), nullable=False),
        sa.Column(
            "date_text", sa.Text(), nullable=True, comment="the source's own words for the date"
        ),
        sa.CheckConstraint(
            "date_precision IN ('day', 'month', 'season', 'year', 'decade', 'century', 'interval')",
            name=op.f("ck_events_date_precision"),
        ),
        sa.CheckConstraint("date_start <= date_end", name=op.f("ck_events_date_order")),
        sa.ForeignKeyConstraint(
            ["external_source_id"],
            ["external_sources.id"],
            name=op.f("fk_events_external_source_id_external_sources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("key", name=op.f("uq_events_key")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_date_start"), ["date_start"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_kind"), ["kind"], unique=False)

    op.create_table(
        "statutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("section", sa.String(length=40), nullable=True),
        sa.Column("short_title", sa.Text(), nullable=True),
        sa.Column("popular_title", sa.Text(), nullable=True),
        sa.Column("public_law", sa.String(length=60), nullable=True),
        sa.Column("statutes_at_large", sa.String(length=60), nullable=True),
        sa.Column("us_code", sa.String(length=60), nullable=True),
        sa.Column("chapter", sa.String(length=60), nullable=True),
        sa.Column("bill", sa.String(length=60), nullable=True),
        sa.Column("enacted", sa.Date(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("external_source_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["external_source_id"],
            ["external_sources.id"],
            name=op.f("fk_statutes_external_source_id_external_sources"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["statutes.id"], name=op.f("fk_statutes_parent_id_statutes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statutes")),
        sa.UniqueConstraint("key", name=op.f("uq_statutes_key")),
    )
    op.create_table(
        "actor_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("char_start", sa.Integer(), nullable=True),
        sa.Column("char_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_aliases_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_actor_aliases_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_aliases")),
        sa.UniqueConstraint(
            "actor_id",
            "alias",
            "document_id",
            name=op.f("uq_actor_aliases_actor_id_alias_document_id"),
        ),
    )
    op.create_table(
        "document_actors",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_document_actors_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_actors_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "actor_id", "role", name=op.f("pk_document_actors")),
    )
    with op.batch_alter_table("document_actors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_actors_actor_id"), ["actor_id"], unique=False)

    op.create_table(
        "document_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("marker_start", sa.Integer(), nullable=True),
        sa.Column("marker_end", sa.Integer(), nullable=True),
        sa.CheckConstraint("char_start < char_end", name=op.f("ck_document_notes_span")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_notes_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_notes")),
        sa.UniqueConstraint(
            "document_id", "number", name=op.f("uq_document_notes_document_id_number")
        ),
    )
    op.create_table(
        "event_actors",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_event_actors_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_actors_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "actor_id", "role", name=op.f("pk_event_actors")),
    )
    with op.batch_alter_table("event_actors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_actors_actor_id"), ["actor_id"], unique=False)

    op.create_table(
        "event_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column(
            "quote",
            sa.Text(),
            nullable=False,
            comment="the passage exactly as the stored text has it",
        ),
        sa.Column(
            "char_start",
            sa.Integer(),
            nullable=False,
            comment="offset in characters into documents.text",
        ),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "0 <= char_start AND char_start < char_end", name=op.f("ck_event_sources_span")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_event_sources_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_sources_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_sources")),
        sa.UniqueConstraint(
            "event_id",
            "document_id",
            "char_start",
            name=op.f("uq_event_sources_event_id_document_id_char_start"),
        ),
    )
    with op.batch_alter_table("event_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_sources_document_id"), ["document_id"], unique=False
        )

    op.create_table(
        "event_statutes",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("statute_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_statutes_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statute_id"], ["statutes.id"], name=op.f("fk_event_statutes_statute_id_statutes")
        ),
        sa.PrimaryKeyConstraint(
            "event_id", "statute_id", "relation", name=op.f("pk_event_statutes")
        ),
    )
    with op.batch_alter_table("event_statutes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_statutes_statute_id"), ["statute_id"], unique=False
        )

    op.create_table(
        "offices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("term_edtf", sa.String(length=64), nullable=True),
        sa.Column("term_start", sa.Date(), nullable=True),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("external_source_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "external_source_id IS NOT NULL OR document_id IS NOT NULL",
            name=op.f("ck_offices_sourced"),
        ),
        sa.CheckConstraint(
            "term_start IS NULL OR term_end IS NULL OR term_start <= term_end",
            name=op.f("ck_offices_term_order"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_offices_actor_id_actors"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_offices_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["external_source_id"],
            ["external_sources.id"],
            name=op.f("fk_offices_external_source_id_external_sources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offices")),
    )


def downgrade() -> None:
    op.drop_table("offices")
    with op.batch_alter_table("event_statutes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_statutes_statute_id"))

    op.drop_table("event_statutes")
    with op.batch_alter_table("event_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_sources_document_id"))

    op.drop_table("event_sources")
    with op.batch_alter_table("event_actors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_actors_actor_id"))

    op.drop_table("event_actors")
    op.drop_table("document_notes")
    with op.batch_alter_table("document_actors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_actors_actor_id"))

    op.drop_table("document_actors")
    op.drop_table("actor_aliases")
    op.drop_table("statutes")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_kind"))
        batch_op.drop_index(batch_op.f("ix_events_date_start"))

    op.drop_table("events")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_date_start"))

    op.drop_table("documents")
    op.drop_table("actors")
    op.drop_table("external_sources")
