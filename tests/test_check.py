"""`timeline check`: every planted inconsistency reported, a clean database passes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import execute

from timeline.db import Database


def test_a_clean_seeded_database_passes(seeded: str, run: Callable[..., Result]) -> None:
    result = run("--db", seeded, "check")
    assert result.stdout == f"{Database.open(seeded).name}: checked 720 records: no problems\n"
    assert result.stderr == ""


def test_a_missing_database_is_not_created(run: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "nothing.db"
    result = run("--db", str(path), "check", expect=1)
    assert result.stderr == (
        f"Error: database '{path}' does not exist; run 'timeline init' and 'timeline seed'\n"
    )
    assert not path.exists()


def test_check_help_has_examples(run: Callable[..., Result]) -> None:
    assert "Examples:" in run("check", "--help").stdout


# What gets through the CHECK constraints, planted with SQL on both backends, and the line
# `timeline check` must print for each.
PLANTED = {
    "UPDATE event_sources SET char_start = char_start + 1, char_end = char_end + 1 WHERE id = 1": (
        "event_sources id 1 (event '1930-06-17-tariff-act-enacted'): quote differs from the "
        "document's text at 1065–1102"
    ),
    "UPDATE event_sources SET char_end = 99999 WHERE id = 2": (
        "event_sources id 2 (event '1932-01-01-forced-labor-provisions-in-force'): "
        "char_start–char_end"
    ),
    "UPDATE actor_aliases SET char_start = char_start + 1, char_end = char_end + 1 WHERE id = 1": (
        "actor_aliases id 1 (actor 'rusk'): alias differs from the document's text at 21–44"
    ),
    "UPDATE document_readings SET text = 'President Kennedy' WHERE id = 1": (
        "document_readings id 1 (document 'frus1961-63v05-d37'): text differs from the "
        "document's text at 47–65"
    ),
    "UPDATE document_notes SET char_end = char_end - 1 WHERE id = 1": (
        "document_notes id 1 (document 'frus1961-63v05-d37'): text differs from the document's "
        "text at 2315–2439"
    ),
    "UPDATE documents SET text = text || ' ' WHERE id = 2": (
        "documents 'CIA-RDP88B00443R001500070028-8' (id 2): text_sha256 "
    ),
    "UPDATE documents SET text_sha256 = '" + "0" * 64 + "' WHERE id = 1": (
        f"documents 'frus1961-63v05-d37' (id 1): text_sha256 {'0' * 64} is not the SHA-256"
    ),
    "UPDATE events SET date_edtf = '2024-13-45' WHERE id = 3": (
        "events 'soviet-crab-industry-labor-before-1951-ban' (id 3): date_edtf '2024-13-45' is "
        "not a date"
    ),
    "UPDATE events SET date_display = 'soon' WHERE id = 4": (
        "events 'eyewitness-affidavits-before-1951-ban' (id 4): date_display 'soon' does not "
        "agree with date_edtf '../1951' (it gives 'by 1951')"
    ),
    "UPDATE events SET date_end = '1999-12-31' WHERE id = 5": (
        "events '1951-soviet-crab-meat-ban' (id 5): date_end '1999-12-31' does not agree with "
        "date_edtf"
    ),
    "UPDATE events SET date_precision = 'year' WHERE id = 7": (
        "events '1961-02-21-crab-meat-discussion' (id 7): date_precision 'year' does not agree"
    ),
    "UPDATE offices SET term_edtf = '1961-13' WHERE id = 1": (
        "offices id 1 (actor 'rusk'): term_edtf '1961-13' is not a date"
    ),
    "UPDATE statutes SET parent_id = 2 WHERE id = 1": (
        "statutes 'tariff-act-1930' (id 1): its parents run in a cycle: 'tariff-act-1930' → "
        "'tariff-act-1930-s307' → 'tariff-act-1930'"
    ),
    "UPDATE actors SET key = 'kennedy\t' WHERE id = 2": (
        "actors 'kennedy\\t' (id 2): key 'kennedy\\t' begins or ends with white space"
    ),
    "DELETE FROM event_sources WHERE event_id = 8": (
        "events '1961-02-22-message-to-khrushchev' (id 8): has no event_sources"
    ),
}


def test_every_planted_problem_is_reported(seeded: str, run: Callable[..., Result]) -> None:
    execute(seeded, *PLANTED)
    result = run("--db", seeded, "check", expect=1)
    lines = result.stdout.splitlines()
    for statement, expected in PLANTED.items():
        assert any(line.startswith(expected) for line in lines), (statement, result.stdout)
    assert result.stderr.startswith("Error: ")
    assert f": {len(PLANTED)} problems in 718 records\n" in result.stderr  # 2 quotes deleted
    assert result.stderr.count("\n") == 1
    assert len(lines) == int(result.stderr.split(": ")[-1].split()[0])


def test_a_hand_edit_that_sqlite_lets_through_is_reported(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "edited.db"
    run("--db", str(path), "seed")
    connection = sqlite3.connect(path)
    connection.executescript(
        """
        PRAGMA foreign_keys = OFF;
        PRAGMA ignore_check_constraints = ON;
        UPDATE offices SET document_id = 999 WHERE id = 1;
        UPDATE event_sources SET document_id = 77 WHERE id = 3;
        UPDATE events SET date_start = '2024-13-45' WHERE id = 5;
        UPDATE events SET date_approximate = 7 WHERE id = 6;
        UPDATE actors SET key = '' WHERE id = 2;
        UPDATE events SET kind = 'gossip' WHERE id = 7;
        UPDATE event_actors SET role = 'bystander' WHERE rowid = 1;
        UPDATE document_readings SET char_start = -1 WHERE id = 1;
        UPDATE event_sources SET char_start = 'abc' WHERE id = 4;
        UPDATE document_notes SET text = CAST(x'41ff42' AS TEXT) WHERE id = 2;
        UPDATE events SET title = 'a' || char(0) || 'b' WHERE id = 9;
        UPDATE event_sources SET position = 9223372036854775807 WHERE id = 5;
        """
    )
    connection.commit()
    connection.close()
    result = run("--db", str(path), "check", expect=1)
    for expected in (
        "offices id 1 (actor 'rusk'): document_id 999 names no documents record",
        "event_sources id 3 (event ",  # its document is missing
        "events '1951-soviet-crab-meat-ban' (id 5): date_start '2024-13-45' is not a date",
        "date_approximate 7 is not true or false",
        "actors '' (id 2): key is empty",
        "kind 'gossip' is not one of",
        "role 'bystander' is not one of",
        "document_readings id 1 (document 'frus1961-63v05-d37'): char_start -1 is negative",
        "char_start 'abc' is not an integer",
        "text holds a lone surrogate (U+DCFF) at 1",
        "title holds a NUL character at 1",
        "position 9223372036854775807 is outside the integer range",
    ):
        assert expected in result.stdout, (expected, result.stdout)
    assert "document_id 77 names no documents record" in result.stdout


@pytest.mark.parametrize("fmt", ["json"])
def test_a_checked_database_round_trips_clean(
    seeded: str, run: Callable[..., Result], tmp_path: Path, fmt: str
) -> None:
    """What import accepts, check passes: the rules are the same."""
    path = tmp_path / f"copy.{fmt}"
    run("--db", seeded, "export", fmt, "-o", str(path))
    target = str(tmp_path / "copy.db")
    run("--db", target, "import", str(path))
    assert run("--db", target, "check").stdout.endswith(": checked 720 records: no problems\n")
