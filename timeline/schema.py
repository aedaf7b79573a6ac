"""The SQL surface analysts query: tables (from the models) and the analyst views (from the DB).

Tables are described from ``Base.metadata`` so that the description is the same on SQLite and
PostgreSQL; views, which the models do not know, are read from the database, and
``ANALYST_VIEWS`` says what each is for (a test keeps the two lists equal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import UniqueConstraint, inspect
from sqlalchemy.engine import Connection

from timeline.models import Base

ANALYST_VIEWS: dict[str, str] = {
    "chronology": "One row per event with its display date, bounds, kind, title, actors with "
    "roles, statutes with relations and source documents. ORDER BY sort_date, date_end, "
    "sequence, event_key gives the report's order.",
    "event_actor_roles": "Who took part in each event, and in what role, one row per link.",
    "event_statute_relations": "How each event bears on a statute or section, with the act "
    "and its citations, one row per link.",
    "event_quotes": "The evidence: each quoted passage with its event, document, citation "
    "and character offsets into documents.text.",
    "actor_offices": "Offices held, with terms and the source that confirms them.",
    "document_catalog": "The documents with display date, catalogue data, text length and "
    "how many events cite them.",
}


@dataclass
class Column:
    name: str
    type: str
    nullable: bool = True
    primary_key: bool = False
    unique: bool = False
    references: str | None = None
    comment: str | None = None


@dataclass
class Relation:
    name: str
    kind: str  # "table" or "view"
    description: str
    columns: list[Column] = field(default_factory=list)


def _table_descriptions() -> dict[str, str]:
    descriptions = {}
    for mapper in Base.registry.mappers:
        doc = (mapper.class_.__doc__ or "").strip()
        descriptions[mapper.local_table.name] = " ".join(doc.split("\n\n")[0].split())
    return descriptions


def describe(connection: Connection) -> list[Relation]:
    """The tables in dependency order, then the analyst views, with their columns."""
    descriptions = _table_descriptions()
    relations = []
    for table in Base.metadata.sorted_tables:
        unique = {
            c.name
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint) and len(constraint.columns) == 1
            for c in constraint.columns
        }
        columns = [
            Column(
                name=column.name,
                type=str(column.type),
                nullable=bool(column.nullable),
                primary_key=column.primary_key,
                unique=column.name in unique or bool(column.unique),
                references=", ".join(sorted(fk.target_fullname for fk in column.foreign_keys))
                or None,
                comment=column.comment,
            )
            for column in table.columns
        ]
        relations.append(Relation(table.name, "table", descriptions.get(table.name, ""), columns))
    inspector = inspect(connection)
    present = set(inspector.get_view_names())
    for name, description in ANALYST_VIEWS.items():
        if name not in present:
            continue
        columns = [
            Column(name=c["name"], type=_view_type(c["type"])) for c in inspector.get_columns(name)
        ]
        relations.append(Relation(name, "view", description, columns))
    return relations


def _view_type(value: object) -> str:
    # SQLite reports no type for a computed view column (NullType); say so plainly.
    text = str(value)
    return "" if text == "NULL" else text
