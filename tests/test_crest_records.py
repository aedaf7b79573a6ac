"""CREST reading-room records for ingest: the seed's record and the shapes saved copies take.

The variants under tests/data/crest/ are the seed record (seed/004_cc4de62e6d221da1.txt) reshaped:
the same text, with fields dropped, emptied, respaced or moved, as copies of the web page come.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest

from timeline.dates import Precision
from timeline.errors import SourceFormatError
from timeline.sources import (
    CrestRecord,
    crest_record,
    iter_paths,
    parse_crest,
    read_crest,
)
from timeline.sources.spans import read_text

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "seed" / "004_cc4de62e6d221da1.txt"
DATA = Path(__file__).resolve().parent / "data" / "crest"
NUMBER = "CIA-RDP88B00443R001500070028-8"
# A synthetic document number, used where a variant changes a fact (release decision,
# attachments) so that no real record is misdescribed.
SYNTHETIC = "CIA-RDP00-TEST"
STAMP = "Approved For Release 2007/08/29: CIA-RDP88B00443RO01500070028-8"
ACCEPTED = sorted(
    p.name for p in DATA.iterdir() if p.name not in {"no_body.txt", "no_document_number.txt"}
)


def _at(record: CrestRecord, span: tuple[int, int] | None) -> str:
    assert span is not None
    return record.text[span[0] : span[1]]


def _load(name: str) -> CrestRecord:
    return read_crest(DATA / name)


def _assert_spans(record: CrestRecord) -> None:
    """Every value the record reports stands in its text at the span it reports."""
    assert _at(record, record.key_span) == record.key
    assert _at(record, record.title_span) == record.title
    assert record.event.quote == record.title_span
    for f in record.fields:
        assert _at(record, f.span) == (f.value or "")
    if record.date is not None:
        assert _at(record, record.date_span) == record.date_text == record.date.text
    for (name, size), (name_span, size_span) in zip(
        record.attachments, record.attachment_spans, strict=True
    ):
        assert (_at(record, name_span), _at(record, size_span)) == (name, size)
    for span in record.stamp_spans:
        assert _at(record, span).startswith("Approved For Release")
        assert record.body_span[0] <= span[0] < span[1] <= record.body_span[1]


# --- the seed's record -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> CrestRecord:
    return read_crest(SEED_PATH)


def test_seed_record_matches_the_seed_parser(seed: CrestRecord) -> None:
    old = parse_crest(read_text(SEED_PATH))
    assert seed.text == read_text(SEED_PATH)
    assert seed.key == old.document_number == NUMBER
    assert seed.title == old.title == "SOVIET FORCED LABOR"
    assert seed.release_decision == old.release_decision == "RIFPUB"
    assert seed.original_classification == old.original_classification == "K"
    assert seed.page_count == old.page_count == 2
    assert seed.content_type == old.content_type == "MEMO"
    assert seed.record_created == old.creation_date == datetime.date(2016, 12, 20)
    assert seed.release_date == old.release_date == datetime.date(2007, 8, 27)
    assert seed.sequence_number == old.sequence_number == 28
    assert seed.approved_for_release == old.approved_for_release == datetime.date(2007, 8, 29)
    assert seed.stamp_numbers == old.stamp_numbers == ("CIA-RDP88B00443RO01500070028-8",)
    assert seed.attachments == old.attachments
    assert seed.body_span == old.body_span
    assert (seed.case_number, seed.collection, seed.document_type) == (None, None, None)


def test_seed_record_dates_and_event(seed: CrestRecord) -> None:
    assert seed.date is not None
    assert (seed.date.edtf, seed.date.precision) == ("1984-05-16", Precision.DAY)
    assert seed.date_text == "May 16, 1984"
    assert seed.date_basis == "publication date"
    assert seed.doc_type == "memorandum"
    assert seed.url == "https://www.cia.gov/readingroom/document/cia-rdp88b00443r001500070028-8"
    assert seed.event.key == f"{NUMBER}-event"
    assert seed.event.kind == "memorandum"
    assert seed.event.title == "SOVIET FORCED LABOR"
    assert seed.event.date == seed.date
    assert seed.event.actors == ()


def test_seed_record_spans(seed: CrestRecord) -> None:
    _assert_spans(seed)
    assert seed.title_span == (0, 19)
    assert seed.field_span("release_decision") == (139, 145)
    assert [_at(seed, s) for s in seed.stamp_spans] == [STAMP] * 4
    assert seed.body.startswith(STAMP + " MEMORANDUM FOR: Secretary of State")
    assert seed.body.endswith("1 - ER File " + STAMP)
    assert [f.label for f in seed.fields][2] == "Document Number (FOIA) /ESDN (CREST)"
    assert [f.line for f in seed.fields][:3] == [3, 4, 5]


def test_record_is_frozen(seed: CrestRecord) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        seed.key = "x"  # type: ignore[misc]


# --- variants ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACCEPTED)
def test_every_accepted_variant_keeps_its_spans(name: str) -> None:
    record = _load(name)
    _assert_spans(record)
    assert record.title == "SOVIET FORCED LABOR"
    assert record.record_created == datetime.date(2016, 12, 20)


@pytest.mark.parametrize(
    "name",
    ["crlf.txt", "no_nbsp.txt", "number_spacing.txt", "inline_values.txt", "body_lines.txt"],
)
def test_reshaped_variants_read_as_the_seed(seed: CrestRecord, name: str) -> None:
    record = _load(name)
    same = (
        "key",
        "title",
        "date",
        "date_basis",
        "record_created",
        "release_date",
        "approved_for_release",
        "stamp_numbers",
        "release_decision",
        "original_classification",
        "page_count",
        "content_type",
        "sequence_number",
        "attachments",
        "url",
        "doc_type",
    )
    assert {f: getattr(record, f) for f in same} == {f: getattr(seed, f) for f in same}


def test_crlf_values_leave_the_carriage_returns_out() -> None:
    record = _load("crlf.txt")
    assert "\r" in record.text
    assert record.title == "SOVIET FORCED LABOR"
    # A value of one line has no "\r"; the attachment table keeps its line breaks as stored.
    assert all("\r" not in (f.value or "") for f in record.fields if f.name not in ("file", "body"))
    assert record.attachments == ((f"{NUMBER}.pdf", "70.55 KB"),)
    assert record.body.endswith(STAMP)


def test_missing_publication_date_leaves_the_date_open() -> None:
    record = _load("no_publication_date.txt")
    assert record.field_span("publication_date") is None
    assert (record.date, record.date_text, record.date_span) == (None, None, None)
    assert record.date_basis == "none"
    assert record.event.date is None
    # The web record's creation date is not the document's date.
    assert record.record_created == datetime.date(2016, 12, 20)


def test_month_publication_date_is_month_precise() -> None:
    record = _load("month_publication_date.txt")
    assert record.date is not None
    assert (record.date.edtf, record.date.precision) == ("1984-05", Precision.MONTH)
    assert record.date_text == "May 1984"


def test_empty_fields_are_none_with_empty_spans() -> None:
    record = _load("empty_fields.txt")
    assert (record.date, record.date_basis) == (None, "none")
    assert (record.content_type, record.page_count, record.sequence_number) == (None, None, None)
    assert record.doc_type == "document"
    assert record.event.kind == "document"
    span = record.field_span("content_type")
    assert span is not None and span[0] == span[1]
    assert record.release_decision == "RIFPUB"


def test_attachment_on_one_line() -> None:
    record = _load("attachment_one_line.txt")
    assert record.attachments == ((f"{NUMBER}.pdf", "70.55 KB"),)


def test_attachment_table_with_several_rows() -> None:
    record = _load("attachment_table.txt")
    assert record.key == SYNTHETIC
    assert record.attachments == (
        (f"{SYNTHETIC}.pdf", "70.55 KB"),
        (f"{SYNTHETIC}-2.pdf", "812 bytes"),
    )
    assert record.url == "https://www.cia.gov/readingroom/document/cia-rdp00-test"


def test_body_with_line_breaks_keeps_every_page_stamp() -> None:
    record = _load("body_lines.txt")
    assert record.body.count("\n") > 20
    assert len(record.stamp_spans) == 4
    assert record.body.startswith(STAMP + "\nMEMORANDUM FOR:")


def test_rippub_and_missing_content_type() -> None:
    assert _load("rippub.txt").release_decision == "RIPPUB"
    record = _load("no_content_type.txt")
    assert record.content_type is None
    assert record.field_span("content_type") is None
    assert (record.doc_type, record.event.kind) == ("document", "document")


def test_inline_values_and_body_on_the_label_line() -> None:
    record = _load("inline_values.txt")
    assert record.body.startswith(STAMP + " MEMORANDUM FOR:")
    # "MEMORANDUM FOR:" and "SUBJECT:" in the body are text, not fields.
    assert [f.name for f in record.fields][-1] == "body"


def test_empty_body_is_accepted() -> None:
    record = _load("empty_body.txt")
    assert record.body == ""
    assert (record.approved_for_release, record.stamp_numbers) == (None, ())


# --- refused input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no_body.txt", r"^no_body\.txt: CREST text has no 'Body:' field$"),
        ("no_document_number.txt", r"^no_document_number\.txt: no document number"),
    ],
)
def test_refused_variants(name: str, message: str) -> None:
    with pytest.raises(SourceFormatError, match=message):
        _load(name)


def _seed_text() -> str:
    return read_text(SEED_PATH)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "May 16, 1984",
            "Maytime 1984",
            r"^rec\.txt, line 21: Publication Date 'Maytime 1984' is not a d",
        ),
        ("May 16, 1984", "February 30, 1984", r"line 21: Publication Date 'February 30, 1984'"),
        ("\n2\n", "\ntwo\n", r"^rec\.txt, line 12: Document Page Count 'two' is not a positive"),
        ("\n2\n", "\n0\n", r"line 12: Document Page Count '0' is not a positive"),
        ("December 20, 2016", "2016", r"line 14: Document Creation Date '2016' is not a date"),
        (
            "Case Number:",
            "Sequence Number:",
            r"line 19: the field 'Sequence Number' is given tw",
        ),
        (NUMBER + "\nRelease", "X" * 101 + "\nRelease", r"longer than 100 characters"),
    ],
)
def test_unreadable_values_name_file_and_line(old: str, new: str, message: str) -> None:
    with pytest.raises(SourceFormatError, match=message):
        crest_record(_seed_text().replace(old, new, 1), "rec.txt")


def test_empty_document_number_is_refused() -> None:
    text = _seed_text().replace(NUMBER + "\nRelease", "\nRelease", 1)
    with pytest.raises(SourceFormatError, match=r"^rec\.txt: no document number"):
        crest_record(text, "rec.txt")


def test_document_number_whitespace_is_normalised() -> None:
    record = crest_record(_seed_text().replace(NUMBER + "\n", f"  {NUMBER}\u00a0 \n", 1))
    assert record.key == NUMBER
    assert _at(record, record.key_span) == NUMBER


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^rec\.txt: the file is empty$"),
        (b" \n\r\n", r"^rec\.txt: the file is empty$"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"^rec\.txt: not UTF-8 text .* byte offset 0\)$"),
        (b"SOVIET\n\x00\x01\x02", r"^rec\.txt, line 2: NUL character at offset 7"),
        (b"SOVIET FORCED LABOR\n\xff", r"byte 0xff at byte offset 20\)$"),
        (b"just some words\nand more", r"^rec\.txt: CREST text has no 'Body:' field$"),
        (b"Body:\nwords", r"^rec\.txt: CREST text has no title line"),
    ],
)
def test_hostile_files(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "rec.txt"
    path.write_bytes(data)
    with pytest.raises(SourceFormatError, match=message):
        read_crest(path)


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "rec.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SEED_PATH.read_bytes())
    assert read_crest(path).text == _seed_text()


def test_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match=r"^missing\.txt: cannot read the file"):
        read_crest(tmp_path / "missing.txt")
    with pytest.raises(SourceFormatError, match="is a directory"):
        read_crest(tmp_path)


# --- iter_paths ---------------------------------------------------------------------------------


def test_iter_paths_reads_a_directory_one_level_sorted(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", "a.txt.toml", ".hidden.txt", "c.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in iter_paths([tmp_path])] == ["a.txt", "b.txt", "c.md"]
    assert [p.name for p in iter_paths([tmp_path], suffixes=[".TXT"])] == ["a.txt", "b.txt"]
    # A file named explicitly is given back whatever it is, for its parser to judge.
    explicit = [tmp_path / "a.txt.toml", tmp_path / "b.txt"]
    assert list(iter_paths(explicit)) == explicit


def test_iter_paths_on_the_variants_directory() -> None:
    assert [p.name for p in iter_paths([str(DATA)])] == sorted(p.name for p in DATA.iterdir())


def test_iter_paths_refuses_empty_directories_and_missing_paths(tmp_path: Path) -> None:
    (tmp_path / ".hidden").write_text("x", encoding="utf-8")
    (tmp_path / "only.toml").write_text("x", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="no files to read in the directory"):
        list(iter_paths([tmp_path]))
    with pytest.raises(SourceFormatError, match="no such file or directory"):
        list(iter_paths([tmp_path / "nope"]))
