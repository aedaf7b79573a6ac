"""timeline.json_text writes what json.dumps(indent=2, ensure_ascii=False) writes, byte for byte."""

from __future__ import annotations

import enum
import io
import json
import random
from collections import OrderedDict
from typing import Any

import pytest

from timeline.json_text import indented, write_array


class Text(str):
    pass


class Level(enum.IntEnum):
    ONE = 1


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
    # keys whose JSON holds what a compiled template must not read as its own
    {'{k0} "quoted" \\ {{': 1, "x": [{"}": "{", "a0": None}]},
    {"same": {"same": {"same": "keys, deeper"}}, "and": [{"same": 1}, {"same": True}]},
    {"values": 1, "only the Python path writes": 2.5, "then": OrderedDict(a=[1])},
    {"a str subclass": Text("x"), "an int subclass": Level.ONE},
    {Text("a key subclass"): 1},
    {f"key {n}": n for n in range(100)},  # more keys than a compiled shape takes
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


def test_dicts_of_more_shapes_than_are_kept_are_written_all_the_same() -> None:
    chance = random.Random(1961)
    words = ["key", "name", "role", "’", '"', "{", "}", "\\", "a0"]
    for _ in range(600):
        value = {
            chance.choice(words) + str(n): chance.choice([None, True, 7, "text", [], {"x": 1}])
            for n in range(chance.randint(1, 6))
        }
        for level in (0, 3):
            expected = json.dumps(value, ensure_ascii=False, indent=2)
            assert indented(value, level) == expected.replace("\n", "\n" + "  " * level)
