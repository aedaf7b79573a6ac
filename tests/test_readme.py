"""The README's SQL examples run as printed, on both backends, and print what the README shows."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

README = Path(__file__).parent.parent / "README.md"
EXAMPLE = re.compile(r"```sh\n(timeline sql .*?)\n```\n\n```text\n(.*?)\n```", re.DOTALL)


def examples() -> list[tuple[str, str]]:
    return EXAMPLE.findall(README.read_text(encoding="utf-8"))


def test_the_readme_has_five_sql_questions() -> None:
    assert len(examples()) >= 5


@pytest.mark.parametrize("index", range(5))
def test_a_readme_sql_example(seeded: str, run: Callable[..., Result], index: int) -> None:
    command, shown = examples()[index]
    args = shlex.split(command.replace("\\\n", " "))[1:]
    assert run("--db", seeded, *args).stdout == shown + "\n"


def test_quote_offsets_select_the_quote_in_sql(seeded: str, run: Callable[..., Result]) -> None:
    mismatches = run(
        "--db",
        seeded,
        "sql",
        "SELECT count(*) AS n FROM event_sources s JOIN documents d ON d.id = s.document_id "
        "WHERE substr(d.text, s.char_start + 1, s.char_end - s.char_start) <> s.quote",
        "-f",
        "csv",
    )
    assert mismatches.stdout == "n\n0\n"
