"""an event's sources in their order, and an actor's words in a document in theirs

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

The Markdown report selects, for each actor of an event that an outside source identifies, the
words the event's sources use for it: the first of its aliases, in text order, in the first of
the event's sources (by ``position``) to hold one (timeline/event_links.py ``said``). With
0010's indexes SQLite read the event's sources by its unique key, in no useful order, and the
actor's aliases in each one's document in text order but not by alias, so every call sorted
what it read in a temporary B-tree to find the first.

- ``event_sources (event_id, position)``: an event's sources in the order it cites them.
- ``actor_aliases (document_id, actor_id, char_start, alias)`` replaces 0010's index without
  ``alias``: an actor's aliases in a document in the order the words are chosen by (an actor's
  alias is unique in a document, so no further column is asked for), the alias read from the
  index.

Read in both orders, SQLite takes the first row it finds and sorts nothing: at a million events
the query of half a decade's events took 4.5 s instead of 5.5 s, the same rows. PostgreSQL
plans an incremental sort on the first index and gains little (1.30 s against 1.27 s at
100,000 events); the indexes are the schema's, on both engines.

The tables and columns are unchanged: an export written at 0006 to 0010 imports at 0011
(``timeline.importing.reader.SAME_TABLES``).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_event_sources_event_id_position", "event_sources", ["event_id", "position"])
    op.drop_index("ix_actor_aliases_document_id_actor_id", table_name="actor_aliases")
    op.create_index(
        "ix_actor_aliases_document_id_actor_id",
        "actor_aliases",
        ["document_id", "actor_id", "char_start", "alias"],
    )


def downgrade() -> None:
    op.drop_index("ix_actor_aliases_document_id_actor_id", table_name="actor_aliases")
    op.create_index(
        "ix_actor_aliases_document_id_actor_id",
        "actor_aliases",
        ["document_id", "actor_id", "char_start"],
    )
    op.drop_index("ix_event_sources_event_id_position", table_name="event_sources")
