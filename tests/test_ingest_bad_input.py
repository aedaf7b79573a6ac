"""Issue 7, section 6: bad input to `timeline ingest` is one line on stderr, exit 1, and the
database exactly as it was (compared as a dump before and after), on both backends.

A CREST record with no document number, a sidecar with a bad date and a key stored with another
text are in test_ingest_sources.py (``_refused`` compares the dumps there too); the FRUS cases,
the unreadable files of every source and the progress bar are here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from conftest import dump

from timeline.db import Database
from timeline.loading.frus import read_frus
from timeline.sources import read_volume

DATA = Path(__file__).parent / "data"
V05 = DATA / "frus" / "frus1961-63v05-excerpt.xml"
TEXT = DATA / "text"

NOT_FRUS = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="letters-of-a-poet">
  <teiHeader><fileDesc><titleStmt><title>Letters</title></titleStmt></fileDesc></teiHeader>
  <text><body><div type="document" xml:id="d1" n="1"><head>A letter</head>
    <p>Dear friend,</p></div></body></text>
</TEI>
"""


def refused(run: Callable[..., Result], url: str, *args: str) -> str:
    """The one line of error an ingest gives, having checked it changed nothing."""
    before = dump(url)
    result = run("--db", url, "ingest", *args, expect=1)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert dump(url) == before
    return lines[0]


def test_malformed_xml_names_the_file_and_the_line(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    lines = V05.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if 'xml:id="d36"' in line)
    lines[at] = lines[at].replace('n="36">', 'n="36" <>')  # inside the volume's 7th document
    broken = tmp_path / "frus-broken.xml"
    broken.write_text("".join(lines), encoding="utf-8")
    line = refused(run, seeded, "frus", str(broken))
    assert line.startswith(f"Error: frus-broken.xml, line {at + 1}, column ")
    assert line.endswith("malformed XML (not well-formed (invalid token))")


def test_a_tei_file_that_is_not_a_frus_volume(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    letters = tmp_path / "letters.xml"
    letters.write_text(NOT_FRUS, encoding="utf-8")
    line = refused(run, seeded, "frus", str(V05), str(letters))
    assert line.startswith("Error: letters.xml, line 2: a TEI file but not a FRUS volume")


def test_a_doctype_in_utf16_is_refused_too(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE TEI [<!ENTITY a "aaaaaaaaaa">]>\n'
        '<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="frus1999v01"><teiHeader/>'
        "<text><body><div type='document'><p>&a;</p></div></body></text></TEI>"
    )
    path = tmp_path / "bad.xml"
    for codec in ("utf-16", "utf-16-be"):  # with a byte order mark; told by the bytes of "<?"
        path.write_bytes(text.encode(codec))
        line = refused(run, seeded, "frus", str(path))
        assert line.startswith("Error: bad.xml, line 2: refusing a DOCTYPE"), line


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        ("x-bogus", "unknown encoding"),
        ("rot13", "'rot13' is not a text encoding"),
        ("UTF-32", "multi-byte encodings are not supported"),
        ("Shift_JIS", "multi-byte encodings are not supported"),
    ],
)
def test_an_encoding_the_parser_cannot_read(
    seeded: str, run: Callable[..., Result], tmp_path: Path, encoding: str, reason: str
) -> None:
    text = V05.read_text(encoding="utf-8").replace('encoding="UTF-8"', f'encoding="{encoding}"', 1)
    path = tmp_path / "bad.xml"
    path.write_text(text, encoding="utf-8")
    assert refused(run, seeded, "frus", str(path)) == (
        "Error: bad.xml, line 1: cannot read the encoding the XML declaration names "
        f"('{encoding}': {reason})"
    )


def test_utf32_is_refused(seeded: str, run: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes('<?xml version="1.0" encoding="UTF-32"?><TEI/>'.encode("utf-32"))
    line = refused(run, seeded, "frus", str(path))
    assert line == "Error: bad.xml: UTF-32, which the XML parser cannot read"


def test_a_volume_in_utf16_reads_as_in_utf8(tmp_path: Path) -> None:
    text = V05.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    path = tmp_path / "v05-utf16.xml"
    path.write_bytes(text.encode("utf-16"))
    assert read_volume(path) == read_volume(V05)


def test_a_frus_key_twice_in_one_load(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    copy = tmp_path / "copy-of-v05.xml"
    copy.write_bytes(V05.read_bytes())
    line = refused(run, seeded, "frus", str(V05), str(copy))
    assert line == (
        "Error: copy-of-v05.xml: document frus1961-63v05-d30 is also in "
        "frus1961-63v05-excerpt.xml (one key, two texts in the same load)"
    )


@pytest.mark.parametrize("source", ["frus", "crest", "text"])
def test_a_file_that_cannot_be_read(
    seeded: str, run: Callable[..., Result], tmp_path: Path, source: str
) -> None:
    missing = refused(run, seeded, source, str(tmp_path / "gone.xml"))
    assert "gone.xml" in missing and "no such file" in missing.lower()
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)  # no writer: reading it would hang; it is refused instead
    assert "pipe.xml" in refused(run, seeded, source, str(fifo))


def test_a_failed_ingest_into_a_new_database_creates_nothing(
    db_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<TEI xmlns='http://www.tei-c.org/ns/1.0'><teiHeader>", encoding="utf-8")
    result = run("--db", db_url, "ingest", "frus", str(bad), expect=1)
    assert result.stderr.count("\n") == 1 and "bad.xml, line 1" in result.stderr
    database = Database.open(db_url)
    if database.sqlite_path is not None:
        assert not database.sqlite_path.exists()
    else:
        with database.connect() as connection:
            assert sa.inspect(connection).get_table_names() == []
    database.dispose()


def test_progress_is_quiet_when_piped(db_url: str, run: Callable[..., Result]) -> None:
    result = run("--db", db_url, "ingest", "frus", str(V05))
    assert result.stdout.splitlines()[0].endswith(": 16 documents, 10 events")
    assert "ingest frus" not in result.stderr and "%" not in result.stderr


def test_progress_counts_every_byte_of_every_volume() -> None:
    ticks: list[int] = []
    read_frus([V05, DATA / "frus" / "frus1930v01-excerpt.xml"], ticks.append)
    assert len(ticks) > 2  # one volume moves the bar as its documents are read
    assert (
        sum(ticks)
        == V05.stat().st_size + (DATA / "frus" / "frus1930v01-excerpt.xml").stat().st_size
    )


def test_progress_shows_on_a_terminal(
    db_url: str, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import timeline.cli.ingest as cli

    monkeypatch.setattr(cli, "_progress_enabled", lambda: True)
    result = run("--db", db_url, "ingest", "frus", str(V05))
    assert "ingest frus" in result.stderr  # click shows the label where it cannot draw a bar
    assert result.stdout.splitlines()[0].endswith(": 16 documents, 10 events")
