"""The import's yes-or-no span check on value tuples (timeline.integrity.SpansOfTuples) against
the check it stands in for (span_problems): on every row of the seed that points into a text,
as it is and with its offsets and passages made wrong in each way, the same verdict."""

from __future__ import annotations

import random
from typing import Any

import pytest
import sqlalchemy as sa

from timeline.db import Database
from timeline.export.tables import table_map
from timeline.integrity import POINTS, SPANS, TEXT_TABLES, SpansOfTuples, span_problems

OFFSETS: list[Any] = [None, -1, 0, 1, 7, 10**6]


def _variants(row: dict[str, Any], text: str, rng: random.Random) -> list[dict[str, Any]]:
    """The row, and the row with each offset and passage changed in each way."""
    found = [row]
    columns = [*POINTS.get(row["_table"], ())]
    for span in SPANS.get(row["_table"], ()):
        columns += [span.start, span.end]
        if span.passage is not None:
            passage = span.passage
            found += [{**row, passage: value} for value in (None, "", row[passage] + " ")]
    for column in columns:
        values = [*OFFSETS, len(text), len(text) + 1, rng.randrange(len(text) + 2)]
        if row[column] is not None:
            values += [row[column] - 1, row[column] + 1]
        found += [{**row, column: value} for value in values]
    return found


@pytest.mark.parametrize("table", sorted(TEXT_TABLES))
def test_the_tuple_check_agrees_with_span_problems(seeded: str, table: str) -> None:
    info = table_map()[table]
    database = Database.open(seeded)
    with database.connect() as connection:
        texts = dict(connection.execute(sa.text("SELECT id, text FROM documents")).all())
        rows = [dict(row._mapping) for row in connection.execute(sa.select(info.table))]
    database.dispose()
    rows = [row for row in rows if row["document_id"] is not None]
    assert rows, f"the seed has no {table} rows in a text"
    spans, rng = SpansOfTuples(info), random.Random(table)
    verdicts = set()
    for row in rows:
        text = texts[row["document_id"]]
        for variant in _variants({**row, "_table": table}, text, rng):
            del variant["_table"]
            values = tuple(variant[name] for name in info.column_names)
            holds = not list(span_problems(info, variant, text))
            assert spans.hold(values, text) is holds, (
                variant,
                list(span_problems(info, variant, text)),
            )
            verdicts.add(holds)
    assert verdicts == {True, False}  # both verdicts were tried
