"""Every command, every option, with hostile values: one line or success, never a traceback.

The commands are walked from the group itself, so a command added later is covered without
touching this file. Most cases run on one seeded SQLite file (fast); the URL cases go through
the PostgreSQL driver's URL parser.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from timeline.cli import main

SURROGATE = "caf\udce9"  # b"caf\xe9" (Latin-1) as Click hands over bytes that are not UTF-8
HOSTILE_TEXT = {
    "not-utf8": SURROGATE,
    "huge-int": "99999999999999999999",
    "negative": "-1",
    "empty": "",
    "nul": "a\x00b",
    "long": "x" * 5000,
}
HOSTILE_PATHS = ("fifo", "directory", "/dev/full")


def _commands() -> list[str]:
    return sorted(main.commands)


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with a seeded database, a FIFO and a directory."""
    root = tmp_path_factory.mktemp("hostile")
    os.mkfifo(root / "fifo")
    (root / "directory").mkdir()
    result = CliRunner().invoke(main, ["--db", str(root / "t.db"), "seed"])
    assert result.exit_code == 0, result.output
    yield root


def invoke(place: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(place)
    monkeypatch.delenv("TIMELINE_DB", raising=False)
    result = CliRunner().invoke(main, args, prog_name="timeline", catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            f"{args!r}: uncaught exception:\n"
            + "".join(traceback.format_exception(result.exception))
        )
    assert "Traceback" not in result.output, args
    if result.exit_code != 0:
        lines = result.stderr.splitlines()
        assert len(lines) == 1, (args, result.stderr)
        assert lines[0].startswith("Error: "), (args, result.stderr)
    return result


def _value(param: click.Parameter, value: str) -> list[str]:
    return [value] * (param.nargs if param.nargs > 1 else 1)


def _cases() -> Iterator[tuple[str, str, str]]:
    for name in _commands():
        command = main.commands[name]
        for param in command.params:
            if isinstance(param, click.Option) and (param.is_flag or param.hidden):
                continue
            label = param.opts[0] if isinstance(param, click.Option) else param.name or "arg"
            for kind in (*HOSTILE_TEXT, *HOSTILE_PATHS):
                yield name, label, kind


def _args(place: Path, name: str, label: str, kind: str) -> list[str]:
    command = main.commands[name]
    value = HOSTILE_TEXT.get(kind) or (kind if kind.startswith("/") else str(place / kind))
    args = ["--db", str(place / "t.db"), name]
    for param in command.params:
        if isinstance(param, click.Argument):
            args += _value(param, value if param.name == label else _ordinary(name))
    target = next(p for p in command.params if (p.opts[0] if p.opts else p.name) == label)
    if isinstance(target, click.Option):
        args += [label, *_value(target, value)]
    return args


def _ordinary(name: str) -> str:
    # A harmless value for the arguments not under test.
    return {"show": "rusk", "sql": "SELECT 1", "search": "crab", "export": "json"}.get(name, "x")


@pytest.mark.parametrize(("name", "label", "kind"), list(_cases()))
def test_hostile_values(
    place: Path, monkeypatch: pytest.MonkeyPatch, name: str, label: str, kind: str
) -> None:
    if name == "import" and label == "file" and kind == "fifo":
        pytest.skip("a FIFO is a legitimate import source (it waits for its writer, as cat does)")
    invoke(place, _args(place, name, label, kind), monkeypatch)


@pytest.mark.parametrize("name", _commands())
@pytest.mark.parametrize(
    "extra", [["--no-such-option"], ["--no-such-option", SURROGATE], [SURROGATE, SURROGATE]]
)
def test_unknown_and_undecodable_arguments(
    place: Path, monkeypatch: pytest.MonkeyPatch, name: str, extra: list[str]
) -> None:
    result = invoke(place, ["--db", str(place / "t.db"), name, *extra], monkeypatch)
    assert result.exit_code != 0


@pytest.mark.parametrize("kind", ["not-utf8", "nul", "empty"])
@pytest.mark.parametrize("name", _commands())
def test_hostile_database_argument(
    place: Path, monkeypatch: pytest.MonkeyPatch, name: str, kind: str
) -> None:
    invoke(place, ["--db", HOSTILE_TEXT[kind], name, _ordinary(name)], monkeypatch)


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_a_database_that_is_not_a_regular_file(
    place: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    target = path if path.startswith("/") else str(place / path)
    result = invoke(place, ["--db", target, "report"], monkeypatch)
    assert result.exit_code == 1
    assert "not a regular file" in result.stderr or "is a directory" in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://timeline:p@ss:word@127.0.0.1/x",  # an unencoded password
        "postgresql://timeline:secret@[::1/x",  # an unclosed IPv6 host
        "postgresql://timeline:secret@127.0.0.1:99999999999999999999/x",
        "postgresql://timeline:secret@127.0.0.1:port/x",
        f"postgresql://timeline:secret@{SURROGATE}/x",
    ],
)
def test_hostile_urls(place: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    result = invoke(place, ["--db", url, "report"], monkeypatch)
    assert result.exit_code == 1
    assert "secret" not in result.stderr and "ss:word" not in result.stderr
