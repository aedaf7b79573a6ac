"""integrity: CHECK constraints for keys, vocabularies, offsets and terms

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

What the database can guarantee by itself, beside what `timeline import` and `timeline check`
verify in Python (timeline/integrity.py):

- every ``key`` (external_sources, documents, actors, statutes, events) is not empty and has no
  surrounding spaces;
- event_actors.role, document_actors.role and event_statutes.relation are words of
  timeline/vocabulary.py (as actors.kind has been since 0001), written out here so that this
  revision means the same thing forever (events.kind is left to `timeline check`: analysts and
  the tests add events of their own kinds);
- an alias's offsets are both given or both NULL, given only with its document, and
  ``0 <= char_start < char_end``; a note's offsets are no longer negative, and its marker's
  offsets are both NULL or a span of the same kind;
- a statute is not its own parent; an office has term dates only with a term_edtf.

SQLite adds a CHECK constraint only by copying the table, which drops the table's triggers
(0003's search index triggers) and trips over the views (0002) that name it: the views and
triggers are read from sqlite_master, dropped, and created again as they were once the tables
are copied. The search index rows stay (DROP TABLE fires no trigger).
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "key <> '' AND key = trim(key)"
KEYED = ("external_sources", "documents", "actors", "statutes", "events")

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
    "events": [("ck_events_key", KEY)],
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
    """SQLite: drop the views and triggers while tables are copied, then create them again as
    they were (dropping a table drops its triggers, and renaming the copy fails while a view
    or trigger names a table that is, for a moment, missing)."""
    bind = op.get_bind()
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


def _clause(name: str, condition: str) -> str:
    return f"CONSTRAINT {name} CHECK ({condition})"


def _sqlite_rebuild(table: str, edit: Callable[[str], str]) -> None:
    """SQLite's own recipe for a changed table: create it anew under another name from its
    edited CREATE statement, copy the rows, drop the old one, rename, and index it again.
    Not Alembic's batch mode, which writes the constraints in an order that varies from run to
    run (see 0002): the same statement, edited the same way, gives the same schema every time."""
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
    head = sql.index("(")
    new = f'CREATE TABLE "_new_{table}" ' + edit(sql[head:])
    bind.exec_driver_sql(new)
    bind.exec_driver_sql(f'INSERT INTO "_new_{table}" SELECT * FROM "{table}"')
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "_new_{table}" RENAME TO "{table}"')
    for index_sql in indexes:
        bind.exec_driver_sql(index_sql)


def _with_checks(body: str, checks: list[tuple[str, str]]) -> str:
    for name, condition in checks:
        if name in REPLACED:
            body = body.replace(_clause(name, REPLACED[name][1]), _clause(name, condition))
    added = [_clause(n, c) for n, c in checks if n not in REPLACED]
    if not added:
        return body
    end = body.rindex(")")
    return body[:end].rstrip() + ", \n\t" + ", \n\t".join(added) + "\n" + body[end:]


def _without_checks(body: str, checks: list[tuple[str, str]]) -> str:
    for name, condition in checks:
        if name in REPLACED:
            body = body.replace(_clause(name, condition), _clause(name, REPLACED[name][1]))
        else:
            body = body.replace(", \n\t" + _clause(name, condition), "")
    return body


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with _schema_objects_set_aside():
            for table, checks in CHECKS.items():
                _sqlite_rebuild(table, lambda body, checks=checks: _with_checks(body, checks))
        return
    for table, checks in CHECKS.items():
        for name, condition in checks:
            if name in REPLACED:
                op.drop_constraint(op.f(name), table, type_="check")
            op.create_check_constraint(op.f(name), table, condition)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with _schema_objects_set_aside():
            for table, checks in CHECKS.items():
                _sqlite_rebuild(table, lambda body, checks=checks: _without_checks(body, checks))
        return
    for table, checks in CHECKS.items():
        for name, _condition in checks:
            op.drop_constraint(op.f(name), table, type_="check")
            if name in REPLACED:
                op.create_check_constraint(op.f(name), table, REPLACED[name][1])
