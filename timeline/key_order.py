"""Strings in code-point order on every backend: the order of Python's ``sorted``.

Keys are compared in SQL the way Python compares them, so that a streamed report, export or
page comes out in the order a sort in Python would give, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any


def code_point_order(column: Any, dialect: str) -> Any:
    """``column`` as a term that orders and compares strings by code point.

    SQLite's default BINARY collation already does (UTF-8 bytes sort in code-point order). A
    PostgreSQL database's own collation may sort otherwise ("a" before "B"); its "C" collation
    compares the UTF-8 bytes, as SQLite does.
    """
    return column.collate("C") if dialect == "postgresql" else column
