"""timeline.json_text writes what json.dumps(indent=2, ensure_ascii=False) writes, byte for byte."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from timeline.json_text import indented, write_array

VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -12,
    10**30,
    1.5,
    float("nan"),
    "",
    "plain",
    'quotes " and \\ backslash',
    "line\nbreak\ttab\r\x00\x1b\x7f",
    "non-ASCII: “Wil iam [William]” – § 307 – Хрущев – 𝔘",
    "\ud800 lone surrogate",
    [],
    {},
    [[]],
    [{}],
    {"a": []},
    {"a": {}},
    [1, "two", None, True, 2.5],
    {"key": "x", "actors": [{"key": "a", "name": "N", "role": "r", "identified_by": None}]},
    {"nested": {"deeper": {"list": [[1, [2, [3]]], {"x": [{"y": "z"}]}]}}},
    {1: "integer key", "b": 2},  # json.dumps turns the key into a string
    {"float": [0.1, 1e100, -0.0]},
    ("a", "tuple"),
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_indented_is_json_dumps(value: Any) -> None:
    assert indented(value) == json.dumps(value, ensure_ascii=False, indent=2)
    deeper = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n    ")
    assert indented(value, 2) == deeper


@pytest.mark.parametrize("count", [0, 1, 2, 450])
def test_write_array_is_the_items_dumped_one_by_one(count: int) -> None:
    items = [VALUES[i % len(VALUES)] for i in range(count)]
    expected = io.StringIO()  # as timeline wrote its arrays before this module
    expected.write("[")
    for number, item in enumerate(items):
        expected.write("\n  " if number == 0 else ",\n  ")
        expected.write(json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  "))
    expected.write("\n]\n" if items else "]\n")
    out = io.StringIO()
    write_array(iter(items), out)
    assert out.getvalue() == expected.getvalue()
    assert json.loads(out.getvalue().replace("NaN", "null")) is not None
