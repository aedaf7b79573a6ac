"""`timeline draft KEY`: candidate events for the curator, and `timeline load` refusing drafts."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import dump

from timeline.dates import HistDate
from timeline.drafting.dates import find_dates
from timeline.drafting.sentences import Region, split_sentences
from timeline.vocabulary import DATE_BASES

D37 = "frus1961-63v05-d37"
CREST = "CIA-RDP88B00443R001500070028-8"


def _events(text: str) -> list[dict]:
    return tomllib.loads(text)["event"]


def _by_date_text(events: list[dict]) -> dict[str, dict]:
    return {e["date_text"]: e for e in events}


def test_d37_candidates(seeded: str, run: Callable[..., Result]) -> None:
    out = run("--db", seeded, "draft", D37).stdout
    events = _events(out)
    assert tomllib.loads(out)["document"] == D37
    assert all(e["draft"] is True for e in events)
    assert all(e["date_basis"] in DATE_BASES for e in events)
    found = _by_date_text(events)
    assert (found["February 21"]["date"], found["February 21"]["date_basis"]) == (
        "1961-02-21",
        "inferred",
    )
    assert found["February 21"]["quotes"] == [
        "You will recall our discussion on February 21, concerning the prohibition against the "
        "importation of Soviet crab meat."
    ]
    assert (found["1951"]["date"], found["1951"]["date_basis"]) == ("1951", "stated")
    assert (
        found["In the last few years"]["date"],
        found["In the last few years"]["date_basis"],
    ) == (
        "../1961-02-26",
        "bounded",
    )
    assert found["at this time"]["date_basis"] == "document"
    assert found["at this time"]["date"] == "1961-02-26"
    # The Act's year dates the Act, and its candidate quotes the citation, linked to the section.
    assert found["1930"]["quotes"] == ["Section 307 of the Tariff Act of 1930"]
    assert found["1930"]["statutes"] == [{"statute": "tariff-act-1930-s307", "relation": "cited"}]
    # The editors' note 2 is drafted, and marked as theirs.
    note = found["February 22"]
    assert note["date"] == "1961-02-22"
    assert note["description"].startswith("[The editors' note 2:]")
    # Actors are listed for the curator to give a role; Khrushchev is in note 2.
    assert '# mentions "khrushchev" as "Khrushchev"' in out
    assert '# mentions "treasury" as "the Department of the Treasury"' in out
    # A volume's years ("Foreign Relations, 1961–1963, vol. VI") date nothing.
    assert "1961–1963" not in found


def test_crest_candidates(seeded: str, run: Callable[..., Result]) -> None:
    found = _by_date_text(_events(run("--db", seeded, "draft", CREST).stdout))
    assert (found["17 May 84"]["date"], found["17 May 84"]["date_basis"]) == (
        "1984-05-17",
        "inferred",
    )
    assert (found["in the past"]["date"], found["in the past"]["date_basis"]) == (
        "../1984-05-16",
        "bounded",
    )
    assert (found["16 May 1984"]["date"], found["16 May 1984"]["date_basis"]) == (
        "1984-05-16",
        "stated",
    )
    # The reading room's header ("Document Release Date: August 27, 2007") is not the document.
    assert "August 27, 2007" not in found


def test_edited_draft_loads_and_flags_are_refused(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "d37.toml"
    run("--db", seeded, "draft", D37, "-o", str(path))
    before = dump(seeded)
    refused = run("--db", seeded, "load", str(path), expect=1)
    assert refused.stderr.count("\n") == 1
    assert "d37.toml: event frus1961-63v05-d37-draft-001: still marked draft = true" in (
        refused.stderr
    )
    assert dump(seeded) == before
    edited = tmp_path / "d37-edited.toml"
    edited.write_text(path.read_text(encoding="utf-8").replace("draft = true\n", ""), "utf-8")
    loaded = run("--db", seeded, "load", str(edited))
    count = len(_events(path.read_text(encoding="utf-8")))
    assert f"loaded 1 file: {count} events on 1 document" in loaded.stdout
    # A date basis outside the vocabulary is refused.
    bad = tmp_path / "bad.toml"
    bad.write_text(
        edited.read_text(encoding="utf-8").replace(
            'date_basis = "inferred"', 'date_basis = "guess"'
        ),
        "utf-8",
    )
    assert "unknown date basis 'guess'" in run("--db", seeded, "load", str(bad), expect=1).stderr


def test_bad_inputs(seeded: str, run: Callable[..., Result], tmp_path: Path) -> None:
    unknown = run("--db", seeded, "draft", "frus1961-63v05-d377", expect=1)
    assert unknown.stderr.startswith("Error: no document has the key 'frus1961-63v05-d377'; did")
    assert D37 in unknown.stderr
    existing = tmp_path / "kept.toml"
    existing.write_text("mine\n", "utf-8")
    refused = run("--db", seeded, "draft", D37, "-o", str(existing), expect=1)
    assert "already exists; use --force" in refused.stderr
    assert existing.read_text("utf-8") == "mine\n"
    run("--db", seeded, "draft", D37, "-o", str(existing), "--force")
    assert existing.read_text("utf-8").startswith("# Candidate events")
    assert (
        "is not a regular file"
        in run("--db", seeded, "draft", D37, "-o", str(tmp_path), "--force", expect=1).stderr
    )
    missing = tmp_path / "no" / "such" / "d.toml"
    assert (
        "does not exist" in run("--db", seeded, "draft", D37, "-o", str(missing), expect=1).stderr
    )
    assert not missing.parent.exists()
    for result in (unknown, refused):
        assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_unwritable_directory(seeded: str, run: Callable[..., Result], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        import os

        if os.access(locked, os.W_OK):
            pytest.skip("running as root: a read-only directory is writable")
        result = run("--db", seeded, "draft", D37, "-o", str(locked / "d.toml"), expect=1)
        assert "not writable" in result.stderr
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("On March 20 the Department announced it.", [("March 20", "1961-03-20", "inferred")]),
        ("He said so in 1951.", [("1951", "1951", "stated")]),
        ("They had met before 1951.", [("before 1951", "../1950", "bounded")]),
        ("This was raised in the past.", [("in the past", "../1961-02-26", "bounded")]),
        ("The Act of 1930 applies.", [("1930", "1930", "stated")]),
        ("He has 1930 reasons.", []),
        ("It was sent May 16, 1984 to him.", [("May 16, 1984", "1984-05-16", "stated")]),
        ("It may be so.", []),
    ],
)
def test_date_expressions(sentence: str, expected: list[tuple[str, str, str]]) -> None:
    anchor = HistDate.parse("1961-02-26")
    got = [(f.words, f.date.edtf, f.basis) for f in find_dates(sentence, anchor)]
    assert got == expected


def test_sentences_keep_abbreviations_and_skip_markers() -> None:
    text = (
        "1. Mr. Dillon of the U.S. Treasury met William J. Casey, see p. 5. It was late.2 "
        "Then 19 U.S.C. 1307 applied."
    )
    got = [s.text for s in split_sentences(text, [Region(0, len(text))])]
    assert got == [
        "Mr. Dillon of the U.S. Treasury met William J. Casey, see p. 5.",
        "It was late.",
        "Then 19 U.S.C. 1307 applied.",
    ]
    assert all(re.match(r"[A-Z]", s) for s in got)
