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


# --- every other `timeline` example, as a newcomer types it -------------------------------------

SH_BLOCK = re.compile(r"```sh\n(.*?)\n```", re.DOTALL)
# Commands the README shows that need what a test cannot give them here: a PostgreSQL URL of
# the reader's own, a colleague's file, or a shell pipe; export and import have their own tests.
NOT_RUN_HERE = ("export", "import", "postgresql://", "|", "TIMELINE_DB=", "sql")


def readme_commands() -> list[str]:
    """Every one-line `timeline ...` command of the README's sh blocks, comment and redirect off."""
    commands = []
    for block in SH_BLOCK.findall(README.read_text(encoding="utf-8")):
        for line in block.splitlines():
            if not line.startswith("timeline ") or any(n in line for n in NOT_RUN_HERE):
                continue
            words = shlex.split(line, comments=True)
            if ">" in words:
                words = words[: words.index(">")]
            commands.append(shlex.join(words))
    return commands


def test_the_readme_shows_commands_to_run() -> None:
    assert len(readme_commands()) >= 12
    assert "timeline report --statute '19 U.S.C. 1307' --format markdown" in readme_commands()


def test_every_readme_command_runs_as_written(seeded: str, run: Callable[..., Result]) -> None:
    for command in readme_commands():
        result = run("--db", seeded, *shlex.split(command)[1:])
        assert result.stdout.strip(), command  # each one prints what it promises


def test_the_readme_show_and_search_outputs(
    seeded: str, run: Callable[..., Result], backend: str
) -> None:
    text = README.read_text(encoding="utf-8")
    shown = re.search(r"```text\n\$ (timeline show \S+)\n(.*?)\n```", text, re.DOTALL)
    assert shown is not None
    assert run("--db", seeded, *shlex.split(shown.group(1))[1:]).stdout == shown.group(2) + "\n"
    search = re.search(
        r"```sh\n(timeline search [^\n]*)\n```\n\n```text\n(.*?)\n```", text, re.DOTALL
    )
    assert search is not None
    searched = run("--db", seeded, *shlex.split(search.group(1))[1:]).stdout
    if backend == "sqlite":  # the README prints SQLite's snippets; ts_headline cuts its own
        assert searched == search.group(2) + "\n"
    else:
        assert searched.count("│ quote") == search.group(2).count("│ quote") == 3


def test_no_user_example_writes_into_the_test_database() -> None:
    for block in SH_BLOCK.findall(README.read_text(encoding="utf-8")):
        assert "timeline_test" not in block
        assert "alembic downgrade" not in block  # always with -x db=, never ./timeline.db


def test_the_readme_says_how_to_reach_timeline() -> None:
    text = README.read_text(encoding="utf-8")
    quick = text[text.index("## Quick start") : text.index("## What it looks like")]
    assert ".venv/bin/pip install . && .venv/bin/timeline report" in quick
    assert ". .venv/bin/activate" in quick and ".venv/bin/timeline" in quick
