"""The import's scan for lone surrogate escapes (``\\ud800`` with no pair), against json itself.

json.loads turns an escaped pair into one character and leaves a lone half as a surrogate; the
scan must refuse exactly the texts that leave one, wherever the reads cut the escapes, and
name the byte of the first.
"""

from __future__ import annotations

import io
import json
import random

import pytest

from timeline.errors import ImportFileError
from timeline.importing.reader import CountingReader

PIECES = [
    "\\",
    "\\\\",
    "\\ud800",
    "\\uD83D",
    "\\udc00",
    "\\uDE00",
    "\\u0041",
    "u",
    "d800",
    "x",
    " ",
]


def _lone_at(text: str) -> int | None:
    """The byte of the first lone surrogate escape of ``text`` (a JSON string's inside), by
    reading the escapes one at a time as a JSON parser does."""
    at, pending = 0, None  # pending: the offset of a high half not yet paired
    while at < len(text):
        if text[at] != "\\":
            if pending is not None:
                return pending
            at += 1
            continue
        if text[at + 1] != "u":
            if pending is not None:
                return pending
            at += 2
            continue
        unit = int(text[at + 2 : at + 6], 16)
        if 0xDC00 <= unit <= 0xDFFF:
            if pending is None:
                return at
            pending = None
        elif pending is not None:
            return pending
        elif 0xD800 <= unit <= 0xDBFF:
            pending = at
        at += 6
    return pending


def _valid(text: str) -> bool:
    try:
        json.loads('"' + text + '"')
    except json.JSONDecodeError:
        return False
    return True


def _scan(data: bytes, size: int) -> None:
    reader = CountingReader(io.BytesIO(data), None)
    while reader.read(size):
        pass


def _texts(count: int) -> list[str]:
    chance = random.Random(1930)
    texts = []
    while len(texts) < count:
        text = "".join(chance.choice(PIECES) for _ in range(chance.randint(1, 12)))
        if _valid(text):
            texts.append(text)
    return texts


@pytest.mark.parametrize("size", [1, 2, 5, 7, 13, 64 * 1024])
def test_the_scan_refuses_exactly_the_lone_surrogates(size: int) -> None:
    texts = _texts(600)
    lone = 0
    for text in texts:
        data = ('{"a": "' + text + '"}').encode()
        expected = _lone_at(text)
        decoded = json.loads(data)["a"]
        assert (expected is not None) == any("\ud800" <= c <= "\udfff" for c in decoded), text
        if expected is None:
            _scan(data, size)
            continue
        lone += 1
        with pytest.raises(ImportFileError, match=f"at byte {expected + 7} "):
            _scan(data, size)
    assert 100 < lone < 500  # both kinds of text were tried


@pytest.mark.parametrize("size", [3, 64 * 1024])
@pytest.mark.parametrize("run", [1, 2, 29, 30, 70_001, 70_002])
def test_a_long_run_of_backslashes_is_counted_across_the_reads(size: int, run: int) -> None:
    # an odd run: its last backslash starts the escape \ud800; an even one: text, "\\" pairs
    text = "\\" * run + "ud800 "
    data = ('{"a": "' + text + '"}').encode()
    assert any("\ud800" <= c <= "\udfff" for c in json.loads(data)["a"]) == (run % 2 == 1)
    if run % 2 == 0:
        _scan(data, size)
        return
    with pytest.raises(ImportFileError, match=f"at byte {7 + run - 1} "):
        _scan(data, size)
