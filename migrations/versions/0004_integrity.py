"""integrity: CHECK constraints for keys, vocabularies, offsets and terms

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

What the database can guarantee by itself, beside what `timeline import` and `timeline check`
verify in Python (timeline/integrity.py):

- every ``key`` (external_sources, documents, actors, statutes, events) is not empty and has no
  surrounding spaces;
- events.kind, event_actors.role, document_actors.role and event_statutes.relation are words
  of timeline/vocabulary.py (as actors.kind has been since 0001), written out here so that this
  revision means the same thing forever;
- an alias's offsets are both given or both NULL, given only with its document, and
  ``0 <= char_start < char_end``; a note's offsets are no longer negative, and its marker's
  offsets are both NULL or a span of the same kind;
- a statute is not its own parent; an office has term dates only with a term_edtf.

SQLite adds a CHECK constraint by copying the table (batch mode), which drops the table's
triggers (0003's search index triggers) and trips over the views (0002) that name it: the views
and triggers are read from sqlite_master, dropped, and created again as they were once the
tables are copied. The search index rows stay (DROP TABLE fires no trigger).
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "key <> '' AND key = trim(key)"
KEYED = ("external_sources", "documents", "actors", "statutes", "events")

EVENT_KINDS = (
    "assessment",
    "assistance",
    "ban",
    "denial",
    "distribution",
    "enactment",
    "estimate",
    "finding",
    "forced labor",
    "letter",
    "meeting",
    "memorandum",
    "message",
    "recommendation",
    "release",
    "testimony",
)
EVENT_ROLES = (
    "advising",
    "agency",
    "author",
    "cc",
    "concurring",
    "denying",
    "distribution",
    "employer",
    "informed",
    "laborers",
    "occupying",
    "participant",
    "provider",
    "recipient",
    "requester",
    "subject",
    "witnesses",
)
DOCUMENT_ROLES = ("author", "cc", "distribution", "mentioned", "recipient", "signer")
STATUTE_RELATIONS = ("applied", "cited", "enacted", "invoked", "subject")


def _words(column: str, words: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{w}'" for w in words) + ")"


# table -> [(constraint name, condition)] added by this revision
CHECKS: dict[str, list[tuple[str, str]]] = {
    "external_sources": [("ck_external_sources_key", KEY)],
    "documents": [("ck_documents_key", KEY)],
    "actors": [("ck_actors_key", KEY)],
    "statutes": [
        ("ck_statutes_key", KEY),
        ("ck_statutes_parent", "parent_id IS NULL OR parent_id <> id"),
    ],
    "events": [("ck_events_key", KEY), ("ck_events_kind", _words("kind", EVENT_KINDS))],
    "actor_aliases": [
        (
            "ck_actor_aliases_span",
            "(char_start IS NULL AND char_end IS NULL) OR (document_id IS NOT NULL "
            "AND 0 <= char_start AND char_start < char_end)",
        )
    ],
    "document_notes": [
        ("ck_document_notes_span", "0 <= char_start AND char_start < char_end"),
        (
            "ck_document_notes_marker",
            "(marker_start IS NULL AND marker_end IS NULL) "
            "OR (0 <= marker_start AND marker_start < marker_end)",
        ),
    ],
    "offices": [
        (
            "ck_offices_term",
            "term_edtf IS NOT NULL OR (term_start IS NULL AND term_end IS NULL)",
        )
    ],
    "event_actors": [("ck_event_actors_role", _words("role", EVENT_ROLES))],
    "document_actors": [("ck_document_actors_role", _words("role", DOCUMENT_ROLES))],
    "event_statutes": [("ck_event_statutes_relation", _words("relation", STATUTE_RELATIONS))],
}

# constraints this revision replaces: name -> the condition before it
REPLACED = {"ck_document_notes_span": ("document_notes", "char_start < char_end")}


@contextmanager
def _schema_objects_set_aside() -> Iterator[None]:
    """SQLite: drop the views and triggers while batch mode copies tables, then create them
    again as they were (a copy drops its table's triggers, and renaming the copy fails while a
    view or trigger names a table that is, for a moment, missing)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    kept = list(
        bind.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') "
            "AND sql IS NOT NULL ORDER BY type DESC, name"  # views first: triggers may use them
        )
    )
    for kind, name, _sql in kept:
        bind.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
    yield
    for _kind, _name, sql in kept:
        bind.exec_driver_sql(sql)


def upgrade() -> None:
    with _schema_objects_set_aside():
        for table, checks in CHECKS.items():
            with op.batch_alter_table(table) as batch:
                for name, condition in checks:
                    if name in REPLACED:
                        batch.drop_constraint(op.f(name), type_="check")
                    batch.create_check_constraint(op.f(name), condition)


def downgrade() -> None:
    with _schema_objects_set_aside():
        for table, checks in CHECKS.items():
            with op.batch_alter_table(table) as batch:
                for name, _condition in checks:
                    batch.drop_constraint(op.f(name), type_="check")
                    if name in REPLACED:
                        batch.create_check_constraint(op.f(name), REPLACED[name][1])
