"""aliases by document: an index on actor_aliases.document_id

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

The Markdown report selects, for each actor of an event, the words the event's documents use for
it (timeline/event_links.py ``said``): the actor's aliases in those documents. Read by actor, that
is every alias of the actor for every event that names it, which for an actor named in thousands
of documents grows with the square of the corpus; read by document, it is the few aliases of each
of the event's documents. This index lets the database read them so. It also serves the cascade
when a document is deleted.

The tables and columns are unchanged: an export written at 0006 or 0007 imports at 0008
(``timeline.importing.reader.SAME_TABLES``).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_actor_aliases_document_id", "actor_aliases", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_actor_aliases_document_id", table_name="actor_aliases")
