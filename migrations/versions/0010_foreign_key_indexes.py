"""indexes for the foreign keys that lacked one, and aliases by document and actor

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

- ``actor_aliases (document_id, actor_id, char_start)`` replaces 0008's index on ``document_id``
  alone. The Markdown report selects, for each actor of an event, the first alias of that actor
  in each of the event's documents (timeline/event_links.py ``said``). By document alone that
  read every alias of each document (every person a long memorandum names) for every actor of
  the event; now it goes to the actor's aliases in the document, in text order. At 50,008
  events the report's query took 1.24 s instead of 1.82 s. The new index begins with
  ``document_id``, so it serves all the old one did (the cascade when a document is deleted).
- ``offices.document_id`` and ``statutes.parent_id``: a deleted document, or statute, had the
  database read every office, or statute, to find the rows that point at it.

The tables and columns are unchanged: an export written at 0006 to 0009 imports at 0010
(``timeline.importing.reader.SAME_TABLES``).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_actor_aliases_document_id_actor_id",
        "actor_aliases",
        ["document_id", "actor_id", "char_start"],
    )
    op.drop_index("ix_actor_aliases_document_id", table_name="actor_aliases")
    op.create_index("ix_offices_document_id", "offices", ["document_id"])
    op.create_index("ix_statutes_parent_id", "statutes", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_statutes_parent_id", table_name="statutes")
    op.drop_index("ix_offices_document_id", table_name="offices")
    op.create_index("ix_actor_aliases_document_id", "actor_aliases", ["document_id"])
    op.drop_index("ix_actor_aliases_document_id_actor_id", table_name="actor_aliases")
