"""The import's compiled typing of plain rows (timeline.importing.values._plain_rows) against
the checks it stands in for (Converter._checked): on every table of the seed's export, each row
as it is and with one value made wrong in each way a file can make it wrong, the same typed row
or the same one line."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from click.testing import CliRunner

from timeline.cli import main
from timeline.errors import ImportFileError
from timeline.export.tables import TableInfo, tables
from timeline.importing.values import Converter, clean
from timeline.integrity import SUSPECT_CHARACTER

WRONG: list[Any] = [
    None,
    "",
    "x" * 300,
    "NUL\x00",
    "lone \ud800",
    "’ curly",
    0,
    -1,
    2**31,
    2**63,
    True,
    False,
    1.5,
    "1961-02-17",
    "1961-02-30",
    "1961-02-17T10:00:00",
    "17 February 1961",
]


@pytest.fixture(scope="module")
def export_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    db = str(tmp_path_factory.mktemp("values") / "seed.db")
    runner = CliRunner()
    for args in (["init"], ["seed"]):
        assert runner.invoke(main, ["--db", db, *args]).exit_code == 0
    document = json.loads(runner.invoke(main, ["--db", db, "export", "json"]).stdout)
    return {
        name: [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]
        if table["rows"] and isinstance(table["rows"][0], list)
        else table["rows"]
        for name, table in document["tables"].items()
    }


def _outcome(converter: Converter, raw: dict[str, Any], number: int) -> Any:
    try:
        return converter.convert(raw, number)
    except ImportFileError as error:
        return str(error)


def _checked_only(info: TableInfo) -> Converter:
    converter = Converter(info)
    converter.plain = None
    return converter


@pytest.mark.parametrize("info", tables(), ids=lambda info: info.name)
def test_plain_rows_are_typed_as_the_checks_type_them(
    info: TableInfo, export_rows: dict[str, list[dict[str, Any]]]
) -> None:
    assert Converter(info).plain is not None  # every table of the schema has the fast path
    rows = export_rows.get(info.name) or []
    chance = random.Random(info.name)
    cases: list[dict[str, Any]] = []
    for row in rows[:8]:
        cases.append(row)
        for column in info.column_names:
            for value in chance.sample(WRONG, 6):
                cases.append({**row, column: value})
            cases.append({name: value for name, value in row.items() if name != column})
        cases.append({**row, "unknown": 1})
    for number, raw in enumerate(cases, start=1):
        fast, checked = Converter(info), _checked_only(info)  # no order between the cases
        expected = _outcome(checked, raw, number)
        assert _outcome(fast, raw, number) == expected, (raw, expected)
        if not isinstance(expected, str):
            assert list(expected) == info.column_names
            assert [type(v) for v in _outcome(Converter(info), raw, number).values()] == [
                type(v) for v in expected.values()
            ]


def test_rows_out_of_order_are_refused_on_the_fast_path_too(
    export_rows: dict[str, list[dict[str, Any]]],
) -> None:
    info = next(info for info in tables() if info.name == "events")
    first, second = export_rows["events"][:2]
    converter = Converter(info)
    converter.convert(second, 1)
    with pytest.raises(ImportFileError, match="is out of order"):
        converter.convert(first, 2)


def test_clean_is_the_suspect_character_expression() -> None:
    texts = ["", "plain", "’", "𝔘", "a\x00b", "\ud800", "x\udfff", "𝔘\udc00", "\ud7ff\ue000"]
    texts += ["’" * 5000 + "\ud83d", "a" * 5000 + "\x00"]
    for text in texts:
        assert clean(text) == (SUSPECT_CHARACTER.search(text) is None), text
