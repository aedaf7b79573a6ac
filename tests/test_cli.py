"""The CLI surface: help, version, listings and `show`, as a user meets them."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from timeline import __version__
from timeline.cli import main
from timeline.cli.app import whole_writes

COMMANDS = sorted(main.commands)  # every command there is, whoever added it


def test_version(run: Callable[..., Result]) -> None:
    assert run("--version").stdout == f"timeline, version {__version__}\n"


def test_the_installed_version_is_the_package_s_own() -> None:
    """pyproject.toml takes its version from timeline/__init__.py; the metadata must agree."""
    from importlib.metadata import version

    assert version("policy-timeline") == __version__


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help_with_an_example(
    run: Callable[..., Result], command: str | None
) -> None:
    text = run(*([command] if command else []), "--help").stdout
    assert "Examples:" in text
    if command is not None:
        readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
        assert re.search(rf"^  (\w+ \| )*{command}\b", readme, re.MULTILINE), (
            f"README lists no {command}"
        )


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "timeline", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("timeline, version")


def test_default_database_is_timeline_db_here_and_env_var_overrides(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("events")
    assert (tmp_path / "timeline.db").exists()
    monkeypatch.setenv("TIMELINE_DB", str(tmp_path / "other.db"))
    run("statutes")
    assert (tmp_path / "other.db").exists()


def test_init_is_repeatable(db_url: str, run: Callable[..., Result]) -> None:
    assert "(" in run("--db", db_url, "init").stdout
    assert "current before" in run("--db", db_url, "init").stdout


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json", "ndjson"])
def test_listings_in_every_format(seeded: str, run: Callable[..., Result], fmt: str) -> None:
    out = run("--db", seeded, "documents", "--format", fmt).stdout
    if fmt == "json":
        docs = json.loads(out)
        keys = [d["key"] for d in docs]
        assert len(keys) == 17  # the seed's two texts and 15 documents of the FRUS excerpt
        assert keys[7] == "frus1961-63v05-d37" and keys[-1] == "CIA-RDP88B00443R001500070028-8"
        assert docs[7]["events"] == 9
        assert docs[1]["events"] == 0  # an editorial note, dated by its place in the volume
    elif fmt == "ndjson":
        dates = [json.loads(line)["date"] for line in out.splitlines()]
        assert dates[0] == "17 Feb 1961" and dates[7] == "26 Feb 1961"
        assert dates[1] == "17 Feb 1961 – 18 Feb 1961"
        assert dates[-1] == "16 May 1984"
    elif fmt == "csv":
        assert next(csv.reader(io.StringIO(out))) == [
            "key",
            "date",
            "doc_type",
            "title",
            "collection",
            "events",
        ]
    else:
        assert "frus1961-63v05-d37" in out and "Key" in out


def test_each_table_lists(seeded: str, run: Callable[..., Result]) -> None:
    actors = json.loads(run("--db", seeded, "actors", "-f", "json").stdout)
    assert len(actors) == 49
    (rusk,) = [a for a in actors if a["key"] == "rusk"]
    assert rusk["offices"] == "Secretary of State (Jan 1961 – Jan 1969)"
    events = json.loads(run("--db", seeded, "events", "-f", "json").stdout)
    assert len(events) == 28 and events[-1]["key"] == "2007-08-29-cia-release"
    statutes = json.loads(run("--db", seeded, "statutes", "-f", "json").stdout)
    assert [s["citation"] for s in statutes] == [
        "Tariff Act of 1930, 46 Stat. 590",
        "Tariff Act of 1930 § 307, 46 Stat. 689, 19 U.S.C. 1307",
    ]


def test_show_an_actor_with_events_in_order(seeded: str, run: Callable[..., Result]) -> None:
    record = json.loads(run("--db", seeded, "show", "casey", "-f", "json").stdout)
    assert record["name"] == "William J. Casey"
    assert {
        "alias": "Wil iam J. Casey",
        "document": "CIA-RDP88B00443R001500070028-8",
        "char_start": 2899,
    } in record["aliases"]
    assert record["offices"][0]["term"] == "1981–1987"
    assert "CIA Museum" in record["offices"][0]["source"]
    assert [e["key"] for e in record["events"]] == [
        "1984-05-16-casey-letter-to-regan",
        "1984-05-16-cia-conclusion-on-probative-value",
        "1984-05-16-casey-memorandum-to-shultz",
    ]
    text = run("--db", seeded, "show", "casey").stdout
    assert text.startswith("actor casey\n")
    assert "16 May 1984  Casey wrote to Treasury Secretary Regan" in text


def test_show_a_statute_and_a_document(seeded: str, run: Callable[..., Result]) -> None:
    statute = json.loads(run("--db", seeded, "show", "tariff-act-1930-s307", "-f", "json").stdout)
    assert statute["part_of"] == "tariff-act-1930"
    assert statute["events"][0] == {
        "key": "1930-06-17-tariff-act-enacted",
        "date": "17 Jun 1930",
        "kind": "enactment",
        "title": statute["events"][0]["title"],
        "role": "enacted",
    }
    doc = json.loads(run("--db", seeded, "show", "frus1961-63v05-d37", "-f", "json").stdout)
    assert doc["archival_source"] == "Department of State, Central Files, 411.616/2-2661"
    assert doc["pages"] == "86–87" and doc["place"] == "Washington"
    assert len(doc["events"]) == 9
    assert doc["events"][0]["quotes"] == [  # issue 9: with its page
        {
            "quote": "Section 307 of the Tariff Act of 1930",
            "char_start": 1064,
            "char_end": 1101,
            "page": "p. 87",
        }
    ]
    text = run("--db", seeded, "show", "frus1961-63v05-d37").stdout
    assert (
        "notes (3)" in text and "“Section 307 of the Tariff Act of 1930” [p. 87, 1064:1101]" in text
    )  # issue 9: its page


def test_show_an_event_and_a_source(seeded: str, run: Callable[..., Result]) -> None:
    text = run("--db", seeded, "show", "1961-02-21-crab-meat-discussion").stdout
    assert "edtf" in text and "1961-02-21" in text and "date text" in text
    assert "February 21" in text
    source = run("--db", seeded, "show", "stat-46-590").stdout
    assert "Statutes at Large" in source
    cited = json.loads(run("--db", seeded, "show", "frus-1961-63-v05-tei", "-f", "json").stdout)
    assert {"type": "document", "key": "frus1961-63v05-d37"} in cited["cited_by"]
    assert {"type": "office", "key": "kennedy", "title": "President of the United States"} in (
        cited["cited_by"]
    )


def _piped_to_head(tmp_path: Path, command: str) -> subprocess.CompletedProcess[str]:
    """``timeline COMMAND | head -n 1`` on ``tmp_path/pipe.db``: head leaves after a line."""
    env = {**os.environ, "TIMELINE_DB": str(tmp_path / "pipe.db")}
    return subprocess.run(
        f"'{sys.executable}' -m timeline {command} | head -n 1",
        shell=True,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_report_survives_a_closed_pipe(tmp_path: Path) -> None:
    result = _piped_to_head(tmp_path, "report")
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("┌")


@pytest.mark.parametrize("fmt", ["json", "ndjson", "sql"])
def test_an_export_to_a_closed_pipe_ends_quietly(tmp_path: Path, fmt: str) -> None:
    # The seed's export is several times a pipe's buffer: head leaves, the export's writes fail.
    subprocess.run(
        [sys.executable, "-m", "timeline", "--db", str(tmp_path / "pipe.db"), "seed"], check=True
    )
    result = _piped_to_head(tmp_path, f"export {fmt}")
    assert result.stderr == ""
    assert result.stdout.count("\n") == 1


class _ShortWrites(io.RawIOBase):
    """A raw file that takes at most 5 bytes a write, and no more than ``room`` in all."""

    def __init__(self, room: int) -> None:
        self.room, self.data = room, b""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.room == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        taken = bytes(data[: min(5, self.room)])
        self.room -= len(taken)
        self.data += taken
        return len(taken)


def test_unbuffered_output_to_a_full_disk_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # python -u: the text layer writes to the raw file itself, and drops what a short write
    # left; whole_writes puts a buffer between, which writes all or raises.
    raw = _ShortWrites(room=17)
    unchecked = io.TextIOWrapper(raw, write_through=True)  # held, as sys.__stdout__ holds it
    monkeypatch.setattr(sys, "stdout", unchecked)
    sys.stdout.write("0123456789\n" * 3)  # unchecked: 5 bytes taken, the rest dropped
    assert raw.data == b"01234"
    whole_writes()
    sys.stdout.write("abcdefghij\n")
    assert raw.data == b"01234abcdefghij\n"  # a line at a time, as -u asked
    with pytest.raises(OSError, match="No space left"):
        sys.stdout.write("klmnopqrst\n")


TERMINATED_PART_WAY = """
import os, signal, sys
import {module} as target

original = target.{function}

def {function}(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)  # as `kill` or `timeout` would, part way
    return original(*args, **kwargs)

target.{function} = {function}
from timeline.cli import main
main(sys.argv[1:], prog_name="timeline")
"""


@pytest.mark.parametrize(
    ("module", "function", "command"),
    [
        ("timeline.export.jsondoc", "write_json", ["export", "json", "-o", "out/x.json"]),
        ("timeline.export.csvpkg", "write_csv", ["export", "csv", "-o", "out/csv"]),
        ("timeline.importing.reader", "Converter", ["import", "seed.json"]),
    ],
)
def test_sigterm_part_way_leaves_nothing_behind(
    tmp_path: Path, module: str, function: str, command: list[str]
) -> None:
    seeded = tmp_path / "seeded.db"
    timeline = [sys.executable, "-m", "timeline", "--db", str(seeded)]
    subprocess.run([*timeline, "seed"], check=True)
    subprocess.run([*timeline, "export", "json", "-o", str(tmp_path / "seed.json")], check=True)
    (tmp_path / "out").mkdir()
    db = "seeded.db" if command[0] == "export" else "new.db"
    before = sorted(p.name for p in tmp_path.rglob("*"))
    script = TERMINATED_PART_WAY.format(module=module, function=function)
    result = subprocess.run(
        [sys.executable, "-c", script, "--db", db, *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (143, "Terminated\n")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no temporary, no new.db


def test_a_first_run_that_cannot_create_says_so_in_one_line(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = run("--db", "sqlite:///:memory:", "report", expect=1)
    assert memory.stderr == (
        "Error: cannot keep a timeline in ':memory:': an in-memory database is empty at each "
        "connection; give a file path\n"
    )
    locked = tmp_path / "locked"
    locked.mkdir()
    # As root every directory is writable: say this one is not, as os.access would for a user.
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != locked and real_access(p, mode))
    result = run("--db", str(locked / "new.db"), "report", expect=1)
    assert result.stderr == (
        f"Error: cannot create database '{locked / 'new.db'}': directory '{locked}' is not "
        "writable\n"
    )
    assert list(locked.iterdir()) == []


def test_a_bare_timeline_prints_the_help(run: Callable[..., Result]) -> None:
    result = run()
    assert result.stdout == run("--help").stdout and result.stderr == ""


def test_version_and_help_load_no_database_library(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from timeline.cli import main\n"
        "try:\n"
        "    main([sys.argv[1]], prog_name='timeline')\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic'))\n"
        "print(loaded, file=sys.stderr)\n"
    )
    for flag in ("--version", "--help"):
        result = subprocess.run(
            [sys.executable, "-c", script, flag],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        assert result.stderr.strip() == "[]", result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_the_command_list_summaries_are_the_commands_own(command: str) -> None:
    from timeline.cli import COMMANDS as LAZY

    loaded = main.commands[command]
    summary = LAZY[command][1]
    assert (loaded.help or "").split("\n\n")[0].strip() == summary


def test_a_current_schema_is_known_without_alembic(repo_root: Path) -> None:
    from alembic.script import ScriptDirectory

    from timeline.db import alembic_config, head_revision, known_revisions

    script = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == script.get_current_head()
    assert known_revisions() == {r.revision for r in script.walk_revisions()}
