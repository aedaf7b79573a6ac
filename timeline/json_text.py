"""JSON text exactly as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it, faster.

With ``indent`` set, the standard library encodes in pure Python, a generator per value: at a
million report records that is most of the report's time. The records are plain data (dicts
with string keys, lists, strings, integers, booleans, None), so they are written here with
the C string encoder and string joins; anything else (a float, a key that is not a string)
is handed to ``json.dumps`` itself. tests/test_json_text.py compares the two.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring  # the C encoder where CPython has it
from typing import Any, TextIO

_INDENT = "  "
_KEYS: dict[str, str] = {}  # a key's JSON and ": ", for the few hundred keys records repeat
_KEYS_KEPT = 512


def _key(key: str) -> str:
    """A dict key as written before its value; kept while few (a key not a str raises
    TypeError, as the C encoder does)."""
    text = encode_basestring(key) + ": "
    if len(_KEYS) < _KEYS_KEPT:
        _KEYS[key] = text
    return text  # type: ignore[no-any-return]


# A dict's text, for a dict of given keys at a given depth, by a function compiled for them: its
# keys' JSON and the punctuation between are constants of the function, and each value is
# written inline (the common scalars) or by indented(). Records repeat a handful of shapes; so
# that arbitrary dicts cannot make this grow, past _SHAPES_KEPT shapes the loop below writes.
_SHAPES: dict[tuple[Any, ...], Callable[..., str] | None] = {}
_SHAPES_KEPT = 256
_SHAPE_KEYS = 64  # a larger dict is not a record's: no function is compiled for it
_UNKNOWN: Any = object()


def _shape(keys: tuple[Any, ...], level: int) -> Callable[..., str] | None:
    if len(_SHAPES) >= _SHAPES_KEPT or len(keys) > _SHAPE_KEYS:
        return None
    if not all(key.__class__ is str for key in keys):  # json.dumps converts (or refuses) them
        return None
    inner = "\n" + _INDENT * (level + 1)
    scope: dict[str, Any] = {"E": encode_basestring, "R": int.__repr__, "I": indented}
    parts = []
    for index, key in enumerate(keys):
        scope[f"k{index}"] = ("{" if index == 0 else ",") + inner + encode_basestring(key) + ": "
        value = f"a{index}"
        parts.append(
            f'{{k{index}}}{{E({value}) if {value}.__class__ is str else "null" if {value} is None '
            f'else "true" if {value} is True else "false" if {value} is False else R({value}) '
            f"if {value}.__class__ is int else I({value}, {level + 1})}}"
        )
    scope["end"] = "\n" + _INDENT * level + "}"
    arguments = ", ".join(f"a{index}" for index in range(len(keys)))
    code = compile(f"lambda {arguments}: f'{''.join(parts)}{{end}}'", "<json shape>", "eval")
    writer: Callable[..., str] = eval(code, scope)
    _SHAPES[keys, level] = writer
    return writer


def indented(value: Any, level: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, every line after the first
    indented by ``level`` more steps (as if the value stood that deep in a document)."""
    kind = value.__class__
    if kind is str:
        return encode_basestring(value)  # type: ignore[no-any-return]
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is dict:
        if not value:
            return "{}"
        writer = _SHAPES.get((keys := tuple(value), level), _UNKNOWN)
        if writer is _UNKNOWN:
            writer = _shape(keys, level)
        if writer is not None:
            return writer(*value.values())  # type: ignore[no-any-return]
        inner = "\n" + _INDENT * (level + 1)
        try:  # a key that is not a string stops the C encoder: json.dumps converts it
            items = [
                (_KEYS.get(key) or _key(key))
                + (
                    encode_basestring(item)
                    if item.__class__ is str
                    else "null"
                    if item is None
                    else "true"
                    if item is True
                    else "false"
                    if item is False
                    else int.__repr__(item)
                    if item.__class__ is int
                    else indented(item, level + 1)
                )  # the common scalars inline: a call apiece was most of a record's cost
                for key, item in value.items()
            ]
        except TypeError:
            pass
        else:
            return "{" + inner + ("," + inner).join(items) + "\n" + _INDENT * level + "}"
    elif kind is list:
        if not value:
            return "[]"
        inner = "\n" + _INDENT * (level + 1)
        items = [indented(item, level + 1) for item in value]
        return "[" + inner + ("," + inner).join(items) + "\n" + _INDENT * level + "]"
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("\n", "\n" + _INDENT * level) if level else text


def write_array(items: Iterable[Any], out: TextIO) -> None:
    """A JSON array of ``items``, each indented as ``json.dumps(list, indent=2)`` would, written
    as the items come (one write per hundred items)."""
    out.write("[")
    out.write("\n]\n" if write_items(items, out, first=True) else "]\n")


def write_items(items: Iterable[Any], out: TextIO, *, first: bool) -> bool:
    """The items of :func:`write_array`, after its ``[``, or (not ``first``) after items an
    earlier call wrote; whether any was written (by this call or, not ``first``, before)."""
    pending = []
    for item in items:
        pending.append("\n  " if first else ",\n  ")
        pending.append(indented(item, 1))
        first = False
        if len(pending) > 200:
            out.write("".join(pending))
            pending.clear()
    out.write("".join(pending))
    return not first
