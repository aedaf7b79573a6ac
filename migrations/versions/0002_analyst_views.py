"""analyst views: the chronology, roles, statutes, quotes and offices, joined; display dates

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

The views are the documented SQL surface of `timeline sql` (see `timeline schema`). Their SQL is
written out here, not imported, so that this revision means the same thing forever. Only the
ordered aggregation differs by dialect: PostgreSQL has `string_agg(... ORDER BY ...)`; SQLite
before 3.44 has no ordered aggregate, so it aggregates an ordered subquery.

A later migration that makes SQLite copy one of the joined tables (batch mode) must drop these
views first and create them again afterwards.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timeline.dates import HistDate

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATED_TABLES = ("documents", "events")

# A list of values from a child table, in order, as one string.
AGGREGATE = {
    "postgresql": "(SELECT string_agg({value}, '{sep}' ORDER BY {order}) FROM {source})",
    "sqlite": "(SELECT group_concat(v, '{sep}') FROM (SELECT {value} AS v FROM {source} "
    "ORDER BY {order}))",
}

# The report's order: the start, or the end when the start is open (EDTF "../1984-05-16").
SORT_DATE = "CASE WHEN e.date_start = '0001-01-01' THEN e.date_end ELSE e.date_start END"


def _views(dialect: str) -> dict[str, str]:
    def agg(value: str, source: str, order: str, sep: str = "; ") -> str:
        return AGGREGATE[dialect].format(value=value, source=source, order=order, sep=sep)

    actors = agg(
        "a.name || ' (' || ea.role || ')'",
        "event_actors ea JOIN actors a ON a.id = ea.actor_id WHERE ea.event_id = e.id",
        "ea.position, a.sort_name, ea.role",
    )
    statutes = agg(
        "s.key || ' (' || es.relation || ')'",
        "event_statutes es JOIN statutes s ON s.id = es.statute_id WHERE es.event_id = e.id",
        "es.position, s.key",
    )
    documents = agg(
        "d.key",
        "(SELECT DISTINCT d2.key FROM event_sources src JOIN documents d2 "
        "ON d2.id = src.document_id WHERE src.event_id = e.id) d",
        "d.key",
    )
    return {
        "chronology": f"""
SELECT
    e.key AS event_key,
    e.date_display AS date,
    e.date_edtf,
    e.date_start,
    e.date_end,
    {SORT_DATE} AS sort_date,
    e.date_precision,
    e.date_approximate,
    e.date_uncertain,
    e.date_text,
    e.kind,
    e.title,
    e.description,
    e.date_note,
    e.sequence,
    {actors} AS actors,
    {statutes} AS statutes,
    {documents} AS documents,
    (SELECT count(*) FROM event_sources src WHERE src.event_id = e.id) AS source_count
FROM events e""",
        "event_actor_roles": """
SELECT
    e.key AS event_key,
    e.date_display AS event_date,
    e.date_start AS event_date_start,
    e.title AS event_title,
    a.key AS actor_key,
    a.name AS actor_name,
    a.kind AS actor_kind,
    ea.role,
    ea.position
FROM event_actors ea
JOIN events e ON e.id = ea.event_id
JOIN actors a ON a.id = ea.actor_id""",
        "event_statute_relations": """
SELECT
    e.key AS event_key,
    e.date_display AS event_date,
    e.date_start AS event_date_start,
    e.title AS event_title,
    s.key AS statute_key,
    s.title AS statute_title,
    s.section,
    p.title AS act_title,
    s.statutes_at_large,
    s.us_code,
    es.relation,
    es.position
FROM event_statutes es
JOIN events e ON e.id = es.event_id
JOIN statutes s ON s.id = es.statute_id
LEFT JOIN statutes p ON p.id = s.parent_id""",
        "event_quotes": """
SELECT
    e.key AS event_key,
    e.date_display AS event_date,
    e.date_start AS event_date_start,
    e.title AS event_title,
    src.position,
    d.key AS document_key,
    d.citation AS document_citation,
    src.quote,
    src.char_start,
    src.char_end
FROM event_sources src
JOIN events e ON e.id = src.event_id
JOIN documents d ON d.id = src.document_id""",
        "actor_offices": """
SELECT
    a.key AS actor_key,
    a.name AS actor_name,
    o.title AS office,
    o.term_edtf,
    o.term_start,
    o.term_end,
    x.citation AS source_citation,
    d.key AS source_document_key
FROM offices o
JOIN actors a ON a.id = o.actor_id
LEFT JOIN external_sources x ON x.id = o.external_source_id
LEFT JOIN documents d ON d.id = o.document_id""",
        "document_catalog": """
SELECT
    d.key AS document_key,
    d.date_display AS date,
    d.date_start,
    d.date_end,
    d.title,
    d.doc_type,
    d.collection,
    d.volume,
    d.doc_number,
    d.citation,
    d.url,
    d.classification,
    d.release_date,
    length(d.text) AS text_length,
    (SELECT count(DISTINCT src.event_id) FROM event_sources src WHERE src.document_id = d.id)
        AS event_count
FROM documents d""",
    }


def upgrade() -> None:
    bind = op.get_bind()
    # On SQLite the column is added in place, NOT NULL with an empty default, rather than by
    # batch mode: batch mode rebuilds the table and writes its constraints in an order that
    # varies from run to run, so two new databases would differ byte for byte.
    sqlite = bind.dialect.name == "sqlite"
    for table in DATED_TABLES:
        op.add_column(
            table,
            sa.Column(
                "date_display",
                sa.String(length=80),
                nullable=not sqlite,
                server_default="" if sqlite else None,
                comment="as a historian writes it (26 Feb 1961, c. 1945); from date_edtf",
            ),
        )
        rows = bind.execute(sa.text(f"SELECT id, date_edtf FROM {table}")).all()
        for row_id, edtf in rows:
            bind.execute(
                sa.text(f"UPDATE {table} SET date_display = :display WHERE id = :id"),
                {"display": HistDate.parse(edtf).display(), "id": row_id},
            )
        if not sqlite:
            op.alter_column(
                table, "date_display", existing_type=sa.String(length=80), nullable=False
            )
    for name, select in _views(bind.dialect.name).items():
        op.execute(f"CREATE VIEW {name} AS {select.strip()}")


def downgrade() -> None:
    for name in reversed(list(_views(op.get_bind().dialect.name))):
        op.execute(f"DROP VIEW {name}")
    for table in DATED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("date_display")
