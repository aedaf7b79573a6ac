"""Plain-text and Markdown sources with TOML sidecars (or command-line fields).

tests/data/text/ holds two passages of the seed's CREST record (the letter and its covering
memorandum), each with a sidecar of the two accepted names.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from timeline.dates import Precision
from timeline.errors import SourceFormatError
from timeline.sources import PlainTextRecord, iter_paths, read_plaintext
from timeline.sources.plaintext import sidecar_for

DATA = Path(__file__).resolve().parent / "data" / "text"
LETTER = DATA / "casey_letter.txt"
MEMO = DATA / "covering_memo.md"


def test_letter_with_long_sidecar() -> None:
    record = read_plaintext(LETTER)
    assert record.text == LETTER.read_bytes().decode("utf-8")
    assert record.key == "casey-to-regan-1984-05-16"
    assert record.title == "The Director of Central Intelligence to the Secretary of the Treasury"
    assert record.doc_type == "letter"
    assert record.date is not None
    assert (record.date.edtf, record.date.precision) == ("1984-05-16", Precision.DAY)
    assert record.date_text == "1984-05-16"
    assert record.collection == "CIA Records Search Tool (CREST)"
    assert record.citation is not None and record.citation.startswith("CIA-RDP88B00443R0015")
    assert record.url == "https://www.cia.gov/readingroom/document/cia-rdp88b00443r001500070028-8"
    assert record.authors == ("William J. Casey",)
    assert record.recipients == ("Donald T. Regan",)
    # The title is the editor's: the letter does not print it, so the event quotes its first line.
    assert record.title_span is None
    assert record.event is not None
    assert record.event.kind == "letter"
    assert record.event.key == "casey-to-regan-1984-05-16-event"
    assert record.event.date == record.date
    assert record.event.actors == (
        (None, "William J. Casey", "author"),
        (None, "Donald T. Regan", "recipient"),
    )
    start, end = record.event.quote
    assert record.text[start:end] == record.text.rstrip("\n")


def test_markdown_with_short_sidecar_and_toml_date() -> None:
    record = read_plaintext(MEMO)
    assert record.key == "casey-to-secretary-of-state-1984-05-16"
    assert record.date is not None and record.date.edtf == "1984-05-16"
    assert record.date_text == "1984-05-16"
    assert record.authors == ("Director of Central Intelligence",)
    assert record.recipients == ("Secretary of State",)
    assert (record.collection, record.citation, record.url) == (None, None, None)
    assert record.title_span == (2, 21)
    assert record.text[2:21] == "Soviet Forced Labor"
    assert record.event is not None
    assert (record.event.kind, record.event.quote) == ("memorandum", (2, 21))


def test_command_line_overrides_win(tmp_path: Path) -> None:
    copy = tmp_path / "memo.md"
    shutil.copy(MEMO, copy)
    shutil.copy(DATA / "covering_memo.toml", tmp_path / "memo.toml")
    record = read_plaintext(
        copy,
        {
            "date": "1984-05",
            "type": "Editorial note",
            "authors": "Casey, William J.; Director of Central Intelligence",
            "url": "",
        },
    )
    assert record.key == "casey-to-secretary-of-state-1984-05-16"
    assert record.date is not None and record.date.precision == Precision.MONTH
    assert record.authors == ("Casey, William J.", "Director of Central Intelligence")
    assert record.doc_type == "Editorial note"
    # An editorial note records no act of its own, as for FRUS.
    assert record.event is None


def test_command_line_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(LETTER.read_bytes())
    record = read_plaintext(path, {"key": "notes-1", "title": "Soviet Forced Labor"})
    assert isinstance(record, PlainTextRecord)
    assert (record.key, record.doc_type, record.date, record.date_text) == (
        "notes-1",
        "document",
        None,
        None,
    )
    assert record.event is not None and record.event.kind == "document"
    assert record.authors == record.recipients == ()


@pytest.mark.parametrize(
    ("date", "edtf", "precision"),
    [
        ('"1984"', "1984", Precision.YEAR),
        ('"1984-05"', "1984-05", Precision.MONTH),
        ('"1984-05~"', "1984-05~", Precision.MONTH),
        ('"1983/1984"', "1983/1984", Precision.INTERVAL),
        ("1984-05-16", "1984-05-16", Precision.DAY),
    ],
)
def test_sidecar_dates(tmp_path: Path, date: str, edtf: str, precision: Precision) -> None:
    path = _text(tmp_path, f'key = "k"\ntitle = "t"\ndate = {date}\n')
    record = read_plaintext(path)
    assert record.date is not None
    assert (record.date.edtf, record.date.precision) == (edtf, precision)


def _text(tmp_path: Path, sidecar: str | None, data: bytes = b"Some words.\n") -> Path:
    path = tmp_path / "notes.txt"
    path.write_bytes(data)
    if sidecar is not None:
        (tmp_path / "notes.txt.toml").write_text(sidecar, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ('key = "k"\ntitle = "t\n', r"^notes\.txt\.toml: bad TOML \(.*at line 2, column 11\)\)$"),
        # What tomllib lets through: int()'s limit on digits, and the interpreter's on depth.
        (
            "key = 1" + "0" * 5000 + "\n",
            r"^notes\.txt\.toml: bad TOML \(a number of more than 4300 ",
        ),
        ("key = " + "[" * 50000 + "]" * 50000 + "\n", r"^notes\.txt\.toml: bad TOML \(arrays or "),
        (
            'key = "k"\ntitle = "t"\ndate = "16 May 1984"\n',
            r"^notes\.txt\.toml, field 'date': '16 May 1984' is not",
        ),
        ('key = "k"\ntitle = "t"\ndate = "1984-02-30"\n', r"field 'date': .*Feb 1984"),
        ('key = "k"\ntitle = "t"\ndate = 1984-05-16T10:00:00\n', r"'date' must be a string"),
        (
            'key = "k"\ntitle = "t"\nauthor = "x"\nplace = "y"\n',
            r"^notes\.txt\.toml: unknown fields author, place \(expected: key, title,",
        ),
        ('title = "t"\n', r"^notes\.txt\.toml: no key: give key ="),
        ('key = "k"\ntitle = "  "\n', r"^notes\.txt\.toml: no title"),
        ('key = "two words"\ntitle = "t"\n', r"^notes\.txt\.toml: key 'two words' must be one"),
        ('key = 7\ntitle = "t"\n', r"^notes\.txt\.toml: 'key' must be a string$"),
        ('key = "k"\ntitle = "t"\nauthors = [1]\n', r"'authors' must be a name or a list"),
        ('key = "k"\ntitle = "t"\nrecipients = ["", "x"]\n', r"'recipients' has an empty name"),
        ('key = "k"\ntitle = "t"\nurl = "cia.gov"\n', r"url 'cia\.gov' is not an http"),
        ('key = "k"\ntitle = "t"\n[document]\nkey = "k"\n', r"unknown field document "),
    ],
)
def test_bad_sidecars(tmp_path: Path, sidecar: str, message: str) -> None:
    with pytest.raises(SourceFormatError, match=message):
        read_plaintext(_text(tmp_path, sidecar))


def test_sidecar_not_utf8(tmp_path: Path) -> None:
    path = _text(tmp_path, None)
    (tmp_path / "notes.txt.toml").write_bytes(b'key = "k\xe9"\n')
    with pytest.raises(SourceFormatError, match=r"^notes\.txt\.toml: not UTF-8 \(byte offset 8\)"):
        read_plaintext(path)


def test_bad_command_line(tmp_path: Path) -> None:
    path = _text(tmp_path, 'key = "k"\ntitle = "t"\n')
    with pytest.raises(SourceFormatError, match=r"^the command line: unknown field keys \("):
        read_plaintext(path, {"keys": "x"})
    with pytest.raises(SourceFormatError, match=r"^the command line, field 'date': 'May' is not"):
        read_plaintext(path, {"date": "May"})
    with pytest.raises(SourceFormatError, match=r"^notes\.txt\.toml: no title"):
        read_plaintext(path, {"title": ""})


def test_no_sidecar_and_no_fields(tmp_path: Path) -> None:
    with pytest.raises(
        SourceFormatError,
        match=r"^notes\.txt: no sidecar \(notes\.txt\.toml or notes\.toml\) and no key given",
    ):
        read_plaintext(_text(tmp_path, None))


def test_sidecar_names(tmp_path: Path) -> None:
    path = _text(tmp_path, 'key = "k"\ntitle = "t"\n')
    assert sidecar_for(path) == tmp_path / "notes.txt.toml"
    (tmp_path / "notes.toml").write_text('key = "k"\ntitle = "t"\n', encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"^notes\.txt: both notes\.txt\.toml and notes"):
        read_plaintext(path)
    (tmp_path / "notes.txt.toml").unlink()
    assert read_plaintext(path).key == "k"
    (tmp_path / "notes.md").write_bytes(b"# Other\n")
    with pytest.raises(
        SourceFormatError,
        match=r"^notes\.toml could describe notes\.txt or notes\.md: name it notes\.txt\.toml$",
    ):
        read_plaintext(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^notes\.txt: the file is empty$"),
        (b"\n \n", r"^notes\.txt: the file is empty$"),
        (b"caf\xe9\n", r"^notes\.txt: not UTF-8 text \(invalid byte 0xe9 at byte offset 3\)$"),
        (b"line one\nline\x00two\n", r"^notes\.txt, line 2: NUL character at offset 13"),
        (
            bytes(range(256)),
            r"^notes\.txt: not UTF-8 text \(invalid byte 0x80 at byte offset 128",
        ),
    ],
)
def test_hostile_texts(tmp_path: Path, data: bytes, message: str) -> None:
    path = _text(tmp_path, 'key = "k"\ntitle = "t"\n', data)
    with pytest.raises(SourceFormatError, match=message):
        read_plaintext(path)


def test_text_kept_verbatim(tmp_path: Path) -> None:
    data = "Soviet Forced Labor\r\n\r\nThe attached letter\u00a0is for your information.\r\n"
    record = read_plaintext(
        _text(tmp_path, 'key = "k"\ntitle = "Soviet Forced Labor"\n', data.encode())
    )
    assert record.text == data
    assert record.title_span == (0, 19)


def test_paths_that_are_not_plain_text(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(SourceFormatError, match=r"^scan\.pdf: not a plain-text file"):
        read_plaintext(tmp_path / "scan.pdf")
    with pytest.raises(SourceFormatError, match=r"^gone\.txt: no such file$"):
        read_plaintext(tmp_path / "gone.txt")


def test_iter_paths_on_the_text_directory() -> None:
    paths = list(iter_paths([DATA], suffixes=(".txt", ".md")))
    assert [p.name for p in paths] == ["casey_letter.txt", "covering_memo.md"]
    assert [read_plaintext(p).date for p in paths] == [
        read_plaintext(LETTER).date,
        read_plaintext(MEMO).date,
    ]
    assert read_plaintext(LETTER).date.start == datetime.date(1984, 5, 16)  # type: ignore[union-attr]
