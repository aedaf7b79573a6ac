"""`timeline load`: annotation files onto stored documents, checked whole, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import dump

DATA = Path(__file__).parent / "data" / "annotations"
GOOD = DATA / "d37-channels.toml"
EVENT = "1961-02-26-rusk-on-channels-of-communication"
QUOTE = (
    "We believe that it is of great importance at this juncture to take some action which would "
    "further our objectives of developing the channels of communication with the Soviets."
)


def test_a_good_file_loads_and_loading_it_again_changes_nothing(
    seeded: str, run: Callable[..., Result]
) -> None:
    first = run("--db", seeded, "load", str(GOOD))
    assert "loaded 1 file: 1 event on 1 document" in first.stdout
    assert "added: 3 event_actors, 1 event_sources, 1 event_statutes, 1 events" in first.stdout
    shown = run("--db", seeded, "show", EVENT).stdout
    assert QUOTE in shown and "frus1961-63v05-d37" in shown
    before = dump(seeded)
    again = run("--db", seeded, "load", str(GOOD))
    assert "nothing changed" in again.stdout
    assert dump(seeded) == before
    assert "no problems" in run("--db", seeded, "check").stdout


def test_dry_run_writes_nothing(seeded: str, run: Callable[..., Result]) -> None:
    before = dump(seeded)
    result = run("--db", seeded, "load", "--dry-run", str(GOOD))
    assert "would be added: 3 event_actors" in result.stdout
    assert "dry run: nothing was written" in result.stdout
    assert dump(seeded) == before


def _edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


BAD = {
    "quote absent": (
        ("at this juncture to take some action", "at this moment to take some action"),
        f"event {EVENT}, quote 1: not found in frus1961-63v05-d37",
    ),
    "date phrase absent": (
        (
            'date_from = "document"',
            'date = "1961-02"\ndate_basis = "stated"\ndate_text = "in February 1961"',
        ),
        f"event {EVENT}: not found in frus1961-63v05-d37",
    ),
    "resolve phrase absent": (
        ('date_from = "document"', 'resolve = "February 24"'),
        f"event {EVENT}: not found in frus1961-63v05-d37",
    ),
    "unknown document key": (
        ('"frus1961-63v05-d37"', '"frus1961-63v05-d46"'),  # d43 is in the seed now
        "document 'frus1961-63v05-d46' is not in the database",
    ),
    "unknown actor": (
        ('actor = "rusk"', 'actor = "rusk-dean"'),
        f"event {EVENT}, actor 1: unknown actor 'rusk-dean'",
    ),
    "bad role": (
        ('role = "author"', 'role = "writer"'),
        f"event {EVENT}, actor 1: unknown role 'writer'",
    ),
    "unknown statute": (
        ('statute = "tariff-act-1930-s307"', 'statute = "tariff-act-1931"'),
        f"event {EVENT}, statute 1: unknown statute 'tariff-act-1931'",
    ),
    "misspelt field": (("quotes = [", "qoutes = ["), f"event {EVENT}: missing field(s): quotes"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_entry_is_refused_whole_naming_file_and_entry(
    seeded: str, run: Callable[..., Result], tmp_path: Path, case: str
) -> None:
    (old, new), message = BAD[case]
    good = tmp_path / "first.toml"
    good.write_text(GOOD.read_text().replace(EVENT, "a-good-event"), encoding="utf-8")
    bad = tmp_path / "notes.toml"
    bad.write_text(_edit(GOOD.read_text(encoding="utf-8"), old, new), encoding="utf-8")
    before = dump(seeded)
    result = run("--db", seeded, "load", str(good), str(bad), expect=1)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: notes.toml: "), lines[0]
    assert message in lines[0]
    assert dump(seeded) == before


def test_a_duplicate_event_key_is_refused(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    copy = tmp_path / "copy.toml"
    copy.write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    before = dump(seeded)
    result = run("--db", seeded, "load", str(GOOD), str(copy), expect=1)
    assert result.stderr.strip() == (
        f"Error: copy.toml: event {EVENT}: duplicate event key '{EVENT}' "
        "(also in d37-channels.toml)"
    )
    assert dump(seeded) == before


def test_a_file_that_cannot_be_read_is_refused(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('document = "frus1961-63v05-d37"\n[[event]\n', encoding="utf-8")
    before = dump(seeded)
    missing = run("--db", seeded, "load", str(tmp_path / "nothing.toml"), expect=1)
    assert missing.stderr.startswith("Error: cannot read ")
    invalid = run("--db", seeded, "load", str(broken), expect=1)
    assert invalid.stderr.startswith("Error: broken.toml: not valid TOML")
    assert dump(seeded) == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"x = 1" + b"0" * 5000 + b"\n", "not valid TOML: a number of more than 4300 digits"),
        (
            b"x = " + b"[" * 50000 + b"]" * 50000,
            "not valid TOML: arrays or tables nested too deeply",
        ),
        (b"x = " + b"{y = " * 50000 + b"1" + b"}" * 50000, "not valid TOML: arrays or tables"),
        (b'document = "\xff"\n', "not UTF-8 text (invalid start byte at byte 12)"),
    ],
)
def test_toml_that_tomllib_lets_through_is_one_line(
    seeded: str, run: Callable[..., Result], tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "hostile.toml"
    path.write_bytes(content)
    before = dump(seeded)
    result = run("--db", seeded, "load", str(path), expect=1)
    assert result.stderr.startswith(f"Error: hostile.toml: {reason}"), result.stderr
    assert result.stderr.count("\n") == 1
    assert dump(seeded) == before
