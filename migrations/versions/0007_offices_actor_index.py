"""offices by actor: an index on offices.actor_id

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

A report names an actor with the offices outside sources give it
(timeline/identities.py), reading them by ``actor_id`` a batch of actors at a time. Without an
index every batch scanned the whole table: a cost that grew with the corpus, once per batch.
Every other link table is already read through an index that leads with its owner's id.

The tables and columns are unchanged: an export written at 0006 imports at 0007
(``timeline.importing.reader.SAME_TABLES``).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_offices_actor_id", "offices", ["actor_id"])


def downgrade() -> None:
    op.drop_index("ix_offices_actor_id", table_name="offices")
