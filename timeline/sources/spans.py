"""Reading a source text verbatim, and the line and span arithmetic its parsers share."""

from __future__ import annotations

import re
from pathlib import Path

Span = tuple[int, int]

_LINE = re.compile(r"[^\n]*(?:\n|$)")


def read_text(path: Path) -> str:
    """The file's text exactly: UTF-8, line endings untouched, so offsets point into the file."""
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def line_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Spans of the lines in ``text[start:end]``, without their line breaks."""
    spans: list[Span] = []
    for match in _LINE.finditer(text, start, len(text) if end is None else end):
        if match.start() == match.end():
            break
        line_end = match.end() - 1 if match.group().endswith("\n") else match.end()
        spans.append((match.start(), line_end))
    return spans


def strip_span(text: str, start: int, end: int) -> Span:
    """The span with the whitespace at either end left out."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
