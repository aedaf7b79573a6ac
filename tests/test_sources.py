"""Tests for the FRUS and CREST source parsers and format detection."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from timeline.errors import SourceFormatError
from timeline.sources import (
    CrestDocument,
    Footnote,
    FrusDocument,
    decode_file_date,
    detect_format,
    parse_crest,
    parse_frus,
    parse_month_date,
)
from timeline.sources.spans import read_text
from timeline.textmatch import find_quote

SEED = Path(__file__).resolve().parent.parent / "seed"


def _read(name: str) -> str:
    return read_text(SEED / name)


FRUS = _read("000_b383fc1ab894f415.txt")
CREST = _read("004_cc4de62e6d221da1.txt")


def _at(text: str, span: tuple[int, int] | None) -> str:
    assert span is not None
    return text[span[0] : span[1]]


# --- FRUS -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def frus() -> FrusDocument:
    return parse_frus(FRUS)


def test_frus_heading(frus: FrusDocument) -> None:
    assert frus.number == 37
    assert frus.heading == "Memorandum From Secretary of State Rusk to President Kennedy"
    assert frus.heading_span == (4, 64)
    assert _at(FRUS, frus.heading_span) == frus.heading
    assert frus.doc_type == "memorandum"
    assert frus.subject == "Soviet Crab Meat"


def test_frus_pages(frus: FrusDocument) -> None:
    assert frus.pages == (87,)
    start = FRUS.index("[Page 87]")
    assert frus.page_markers == ((start, start + 9),)
    assert _at(FRUS, frus.page_markers[0]) == "[Page 87]"


def test_frus_footnotes_pair_markers_by_order(frus: FrusDocument) -> None:
    source_text = (
        "Source: Department of State, Central Files, 411.616/2-2661. Confidential. "
        "No drafting information appears on the source text."
    )
    crab_text = (
        "Presumably at the meeting during which the Presidentʼs February 22 message to "
        "Khrushchev was drafted; see Foreign Relations, 1961–1963, vol. VI, pp. 56."
    )
    stamp_text = "Printed from a copy that bears this stamped signature."
    kennedy = FRUS.index("Kennedy0") + len("Kennedy")
    crab = FRUS.index("meat.1 It") + len("meat.")
    rusk = FRUS.index("Dean Rusk2") + len("Dean Rusk")
    expected = (
        Footnote(1, source_text, (FRUS.index(source_text), FRUS.index(source_text) + 125), None),
        Footnote(2, crab_text, (FRUS.index(crab_text), FRUS.index(crab_text) + 152), None),
        Footnote(3, stamp_text, (len(FRUS) - len(stamp_text), len(FRUS)), None),
    )
    markers = ((kennedy, kennedy + 1), (crab, crab + 1), (rusk, rusk + 1))
    assert frus.footnotes == tuple(
        Footnote(note.number, note.text, note.span, marker)
        for note, marker in zip(expected, markers, strict=True)
    )
    assert [_at(FRUS, note.marker) for note in frus.footnotes] == ["0", "1", "2"]
    for note in frus.footnotes:
        assert _at(FRUS, note.span) == note.text
    assert frus.source_note == frus.footnotes[0]


def test_frus_source_note_fields(frus: FrusDocument) -> None:
    assert frus.archival_source == "Department of State, Central Files, 411.616/2-2661"
    assert frus.file_number == "411.616/2-2661"
    assert frus.file_date == datetime.date(1961, 2, 26)
    assert frus.classification == "Confidential"


def test_frus_signer_and_body(frus: FrusDocument) -> None:
    assert frus.signer == "Dean Rusk"
    assert _at(FRUS, frus.signer_span) == "Dean Rusk"
    assert frus.signer_span == (FRUS.index("Dean Rusk2"), FRUS.index("Dean Rusk2") + 9)
    assert frus.body_span == (FRUS.index("SUBJECT"), FRUS.index("Dean Rusk2") + len("Dean Rusk2"))
    assert frus.body.startswith("SUBJECT\n\n  • Soviet Crab Meat\n\nYou will recall")
    assert frus.body.endswith("in the national interest.\n\nDean Rusk2")


def test_frus_marker_spans_feed_find_quote(frus: FrusDocument) -> None:
    assert frus.marker_spans == tuple(
        sorted([*(n.marker for n in frus.footnotes if n.marker), *frus.page_markers])
    )
    assert len(frus.marker_spans) == 4
    quote = "crab meat. It is my recommendation that the ban"
    span = find_quote(FRUS, quote, ignore=frus.marker_spans)
    assert _at(FRUS, span) == "crab meat.1 It is my recommendation that the ban"
    span = find_quote(FRUS, "this recommendation. We believe", ignore=frus.marker_spans)
    assert _at(FRUS, span).startswith("this recommendation.\n\n[Page 87]")


def test_frus_document_is_frozen(frus: FrusDocument) -> None:
    with pytest.raises(AttributeError):
        frus.number = 38  # type: ignore[misc]
    hash(frus)


@pytest.mark.parametrize(
    ("file_number", "expected"),
    [
        ("411.616/2-2661", datetime.date(1961, 2, 26)),
        ("611.61/12-161", datetime.date(1961, 12, 1)),
        ("770G.00/ 2-2861", datetime.date(1961, 2, 28)),
        ("397.5611-GE/2-2861", datetime.date(1961, 2, 28)),
        ("611.61/1–2561", datetime.date(1961, 1, 25)),
        ("611.61/13-0161", None),
        ("611.61/2-3061", None),
        ("POL 27 VIET S", None),
    ],
)
def test_decode_file_date(file_number: str, expected: datetime.date | None) -> None:
    assert decode_file_date(file_number) == expected


def test_frus_variant_layout() -> None:
    text = (
        "112. Telegram From the Embassy in the Soviet Union to the Department of State1\n"
        "\n"
        "SUBJECT: Berlin talks\n"
        "\n"
        "1. Khrushchev said,2 in substance, that the F-16 and U-2 matters were closed.\n"
        "2. He asked for an answer by 1962.\n"
        "\n"
        "[Page 301]\n"
        "Thompson\n"
        "\n"
        "1. Source: Kennedy Library, National Security Files, Countries Series, USSR. Secret;\n"
        "   Priority. Received at 4:10 p.m.\n"
        "2. Not printed.\n"
    )
    doc = parse_frus(text)
    assert doc.number == 112
    assert doc.heading == (
        "Telegram From the Embassy in the Soviet Union to the Department of State"
    )
    assert doc.doc_type == "telegram"
    assert doc.subject == "Berlin talks"
    assert doc.pages == (301,)
    assert [n.number for n in doc.footnotes] == [1, 2]
    assert [_at(text, n.marker) for n in doc.footnotes] == ["1", "2"]
    assert doc.footnotes[0].text.endswith("Secret;\n   Priority. Received at 4:10 p.m.")
    assert doc.archival_source == (
        "Kennedy Library, National Security Files, Countries Series, USSR"
    )
    assert doc.classification == "Secret; Priority"
    assert doc.file_number is None
    assert doc.file_date is None
    assert doc.signer == "Thompson"


def test_frus_unsigned_document_has_no_signer() -> None:
    text = (
        "5. Editorial Note\n\nThe President met the Ambassador on March 3.\n\n  1. Not printed.\n"
    )
    doc = parse_frus(text)
    assert doc.signer is None
    assert doc.signer_span is None
    assert doc.source_note is None
    assert doc.archival_source is None
    assert doc.classification is None
    assert doc.subject is None
    assert doc.pages == ()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n",
        "lorem ipsum dolor sit amet\nconsectetur",
        "\x00\x01 garbage ]]]",
        CREST,
    ],
)
def test_parse_frus_rejects_other_shapes(text: str) -> None:
    with pytest.raises(SourceFormatError):
        parse_frus(text)


def test_parse_frus_requires_notes_list() -> None:
    without_notes = FRUS[: FRUS.index("\n  1. Source:")]
    with pytest.raises(SourceFormatError, match="notes list"):
        parse_frus(without_notes)


def test_parse_frus_requires_a_body() -> None:
    with pytest.raises(SourceFormatError, match="no body"):
        parse_frus("37. Memorandum0\n  1. Source: Somewhere. Secret.")


# --- CREST ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crest() -> CrestDocument:
    return parse_crest(CREST)


def test_crest_fields(crest: CrestDocument) -> None:
    body = CREST[CREST.index("Approved For Release") :]
    assert crest.title == "SOVIET FORCED LABOR"
    assert crest.fields == {
        "Document Type": None,
        "Collection": None,
        "Document Number (FOIA) /ESDN (CREST)": "CIA-RDP88B00443R001500070028-8",
        "Release Decision": "RIFPUB",
        "Original Classification": "K",
        "Document Page Count": "2",
        "Document Creation Date": "December 20, 2016",
        "Document Release Date": "August 27, 2007",
        "Sequence Number": "28",
        "Case Number": None,
        "Publication Date": "May 16, 1984",
        "Content Type": "MEMO",
        "File": "AttachmentSize\nPDF icon CIA-RDP88B00443R001500070028-8.pdf70.55 KB",
        "Body": body,
    }


def test_crest_field_spans(crest: CrestDocument) -> None:
    assert list(crest.field_spans) == list(crest.fields)
    for label, value in crest.fields.items():
        span = crest.field_spans[label]
        assert _at(CREST, span) == (value or "")
        # The value sits on the line after its label.
        assert CREST[: span[0]].endswith(label + ":\u00a0\n")
    assert crest.field_spans["Document Type"] == (37, 37)
    assert crest.field_spans["Release Decision"] == (139, 145)
    assert crest.field_spans["Body"] == crest.body_span


def test_crest_typed_fields(crest: CrestDocument) -> None:
    assert crest.document_number == "CIA-RDP88B00443R001500070028-8"
    assert crest.document_type is None
    assert crest.collection is None
    assert crest.release_decision == "RIFPUB"
    assert crest.original_classification == "K"
    assert crest.page_count == 2
    assert crest.creation_date == datetime.date(2016, 12, 20)
    assert crest.release_date == datetime.date(2007, 8, 27)
    assert crest.sequence_number == 28
    assert crest.case_number is None
    assert crest.publication_date == datetime.date(1984, 5, 16)
    assert crest.content_type == "MEMO"
    assert crest.attachments == (("CIA-RDP88B00443R001500070028-8.pdf", "70.55 KB"),)


def test_crest_body_and_stamps(crest: CrestDocument) -> None:
    start = CREST.index("Body:\u00a0\n") + len("Body:\u00a0\n")
    assert crest.body_span == (start, len(CREST))
    assert crest.body.startswith("Approved For Release 2007/08/29: CIA-RDP88B00443RO01500070028-8")
    assert crest.body.endswith(
        "1 - ER File Approved For Release 2007/08/29: CIA-RDP88B00443RO01500070028-8"
    )
    assert crest.approved_for_release == datetime.date(2007, 8, 29)
    assert crest.stamp_numbers == ("CIA-RDP88B00443RO01500070028-8",)


def test_crest_document_is_frozen_and_hashable(crest: CrestDocument) -> None:
    with pytest.raises(AttributeError):
        crest.title = "x"  # type: ignore[misc]
    hash(crest)


def test_crest_attachment_table_variants() -> None:
    text = CREST.replace(
        "PDF icon CIA-RDP88B00443R001500070028-8.pdf70.55 KB",
        "PDF icon a.v2.pdf1.2 MB\nPDF icon b.pdf812 bytes",
    )
    assert parse_crest(text).attachments == (("a.v2.pdf", "1.2 MB"), ("b.pdf", "812 bytes"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("December 20, 2016", datetime.date(2016, 12, 20)),
        ("may 16, 1984", datetime.date(1984, 5, 16)),
        ("Sept 1, 1984", None),
        ("February 30, 1984", None),
        ("1984-05-16", None),
        (None, None),
    ],
)
def test_parse_month_date(value: str | None, expected: datetime.date | None) -> None:
    assert parse_month_date(value) == expected


def test_parse_crest_requires_body() -> None:
    without_body = CREST[: CREST.index("Body:")]
    with pytest.raises(SourceFormatError, match="Body"):
        parse_crest(without_body)


def test_parse_crest_requires_document_number() -> None:
    text = CREST.replace("Document Number (FOIA) /ESDN (CREST):\u00a0\n", "Other:\u00a0\n")
    with pytest.raises(SourceFormatError, match="Document Number"):
        parse_crest(text)
    empty = CREST.replace("\nCIA-RDP88B00443R001500070028-8\nRelease", "\nRelease")
    with pytest.raises(SourceFormatError, match="Document Number"):
        parse_crest(empty)


@pytest.mark.parametrize(
    "text", ["", "\n\n", "lorem ipsum dolor sit amet\nconsectetur", "\x00\x01 ]]]", FRUS]
)
def test_parse_crest_rejects_other_shapes(text: str) -> None:
    with pytest.raises(SourceFormatError):
        parse_crest(text)


# --- detection --------------------------------------------------------------------------------


def test_detect_format_on_seeds() -> None:
    assert detect_format(FRUS) == "frus"
    assert detect_format(CREST) == "crest"


@pytest.mark.parametrize("text", ["", "lorem ipsum dolor sit amet", "37. Memorandum\n\nNo notes."])
def test_detect_format_rejects_garbage(text: str) -> None:
    with pytest.raises(SourceFormatError, match="neither"):
        detect_format(text)
