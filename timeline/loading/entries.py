"""The tables of an annotation file: strict field checks and one error message shape.

Every reader of annotation files (the seed folder, `timeline load`) checks its entries through
:class:`Entry`, so a misspelt field or a wrong type is refused the same way everywhere.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from timeline.dates import HistDate
from timeline.errors import DateError, SeedError
from timeline.sources.files import open_regular, parse_toml
from timeline.sources.spans import read_text


class Entry:
    """One table of an annotation file, with a name for error messages and strict field checks."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def fail(self, message: str) -> SeedError:
        return SeedError(f"{self.where}: {message}")

    def check_fields(self, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        required = set(required)
        missing = sorted(required - self.data.keys())
        unknown = sorted(self.data.keys() - required - set(optional))
        if missing:
            raise self.fail(f"missing field(s): {', '.join(missing)}")
        if unknown:
            raise self.fail(f"unknown field(s): {', '.join(unknown)}")

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.data.get(name, default)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise self.fail(f"'{name}' must be a non-empty string")
        return value

    def int(self, name: str, default: int) -> int:
        value = self.data.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"'{name}' must be a whole number")
        return value

    def list(self, name: str) -> list[Any]:
        value = self.data.get(name, [])
        if not isinstance(value, list):
            raise self.fail(f"'{name}' must be a list")
        return value


def load_toml(path: Path) -> dict[str, Any]:
    if path.exists() and not path.is_file():  # a FIFO would block the read, a folder fail it
        raise SeedError(f"{path.name}: not a regular file")
    try:
        with open_regular(path) as handle:
            return parse_toml(handle.read().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path.name}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise SeedError(f"cannot read {path}: {exc.strerror}") from exc


def read_text_file(path: Path) -> str:
    try:
        return read_text(path)
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise SeedError(f"cannot read {path}: {exc.strerror}") from exc


def parse_date(entry: Entry, value: str, text: str | None = None) -> HistDate:
    try:
        return HistDate.parse(value, text=text)
    except DateError as exc:
        raise entry.fail(str(exc)) from exc


def check_key(entry: Entry, kind: str, key: str, known: Mapping[str, object]) -> str:
    if key not in known:
        raise entry.fail(f"unknown {kind} '{key}'")
    return key


def check_word(entry: Entry, kind: str, word: str, allowed: frozenset[str]) -> str:
    if word not in allowed:
        raise entry.fail(f"unknown {kind} '{word}' (known: {', '.join(sorted(allowed))})")
    return word
