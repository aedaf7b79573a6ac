"""Tests for the streaming FRUS TEI parser, on the three excerpts and on hostile input."""

from __future__ import annotations

import re
import tomllib
import tracemalloc
from pathlib import Path

import pytest

from timeline.dates import HistDate, Precision
from timeline.errors import SourceFormatError
from timeline.sources import (
    DocumentRecord,
    PersonRecord,
    VolumeHeader,
    iter_volume,
    read_volume,
)
from timeline.sources.tei_meta import date_from_attributes, doc_type, event_kind
from timeline.textmatch import find_quote

CORPUS = Path("/work/shared/corpus/frus")
V1930 = CORPUS / "frus1930v01-excerpt.xml"
V1961 = CORPUS / "frus1961-63v05-excerpt.xml"
V1981 = CORPUS / "frus1981-88v03-excerpt.xml"
SEED = Path(__file__).resolve().parent.parent / "seed"

pytestmark = pytest.mark.skipif(not V1961.exists(), reason="FRUS corpus excerpts not present")


def _docs(path: Path) -> dict[str, DocumentRecord]:
    return {d.xml_id: d for d in read_volume(path).documents}


def _at(doc: DocumentRecord, span: tuple[int, int]) -> str:
    return doc.text[span[0] : span[1]]


def _check_offsets(doc: DocumentRecord) -> None:
    for m in doc.mentions:
        assert _at(doc, m.span) == m.name
    for note in doc.notes:
        assert _at(doc, note.span) == note.text
        if note.marker is not None:
            assert _at(doc, note.marker) == note.label
    assert _at(doc, doc.title_span) == doc.title
    assert all(0 < pb.offset <= len(doc.text) for pb in doc.page_breaks)


# --- 1961–63 vol. V: dateline in the div, persons and terms lists ---------------------------


def test_1961_header_persons_terms() -> None:
    volume = read_volume(V1961)
    assert volume.header.volume_id == "frus1961-63v05"
    assert volume.header.collection == "Foreign Relations of the United States"
    assert volume.header.volume == "1961–1963, Volume V, Soviet Union"
    persons = {p.frus_id: p for p in volume.persons}
    rusk = persons["p_RD1"]
    assert (rusk.name, rusk.surname, rusk.forenames) == ("Rusk, Dean", "Rusk", "Dean")
    assert rusk.description == "Secretary of State"
    assert rusk.display_name == "Dean Rusk"
    assert persons["p_BWCJ1"].suffix == "Jr." and persons["p_BWCJ1"].display_name == (
        "William C. Burdett, Jr."
    )
    assert persons["p_KJF1"].volume_id == "frus1961-63v05"
    terms = {t.term: t.expansion for t in volume.terms}
    assert terms["USSR"] == "Union of Soviet Socialist Republics"
    assert terms["Embtel"] == "Embassy telegram"
    assert len(volume.documents) == 16


def test_1961_d37_matches_the_seed() -> None:
    d37 = _docs(V1961)["d37"]
    _check_offsets(d37)
    assert d37.key == "frus1961-63v05-d37"
    assert d37.url == "https://history.state.gov/historicaldocuments/frus1961-63v05/d37"
    assert d37.title == "Memorandum From Secretary of State Rusk to President Kennedy"
    assert d37.doc_type == "Memorandum"
    assert d37.number == "37"
    assert d37.date == HistDate.parse("1961-02-26")
    assert d37.date is not None and d37.date.text == "February 26, 1961"
    assert (d37.time, d37.date_basis, d37.place) == (None, "dateline", "Washington")
    assert d37.archival_source == "Department of State, Central Files, 411.616/2-2661"
    assert d37.classification == "Confidential"
    assert d37.pages == "86–87"
    assert [n.label for n in d37.notes] == ["1", "2", "3"]
    assert d37.notes[0].kind == "source" and d37.notes[0].text.startswith("Source:")
    assert _at(d37, (d37.notes[1].marker[0] - 5, d37.notes[1].marker[1])) == "meat.2"  # type: ignore[index]
    assert d37.text.startswith("37. Memorandum From Secretary of State Rusk to President Kennedy1")
    # The page break falls between the first and second paragraphs.
    [pb] = d37.page_breaks
    assert pb.page == "87" and d37.text[pb.offset :].startswith("We believe")
    assert d37.page_at(0) == "86" and d37.page_at(pb.offset) == "87"
    assert d37.page_at(d37.notes[1].span[0]) == "86"  # note 2's marker stands on p. 86
    assert d37.page_at(d37.notes[2].span[0]) == "87"  # the signature's note on p. 87
    roles = {(m.role, m.frus_id, m.name) for m in d37.mentions}
    assert {("author", "p_RD1", "Rusk"), ("recipient", "p_KJF1", "Kennedy")} <= roles
    assert ("signer", "p_RD1", "Dean Rusk") in roles
    assert ("mentioned", "p_DCD1", "Dillon") in roles
    assert ("mentioned", "p_KNS1", "Khrushchev") in roles  # inside note 2
    assert d37.event is not None
    assert d37.event.kind == "memorandum" and d37.event.key == "frus1961-63v05-d37-event"
    assert d37.event.actors == (("p_RD1", "Rusk", "author"), ("p_KJF1", "Kennedy", "recipient"))
    assert _at(d37, d37.event.quote) == d37.title

    # Every quote and mention the seed annotates for d37 is found, but the one the seed's own
    # text damaged ("pp. 56" for the edition's "pp. 5-6").
    seed = tomllib.loads(next(SEED.glob("000_*.toml")).read_text(encoding="utf-8"))
    quotes = [q for e in seed["event"] for q in e.get("quotes", [])]
    quotes += [m["text"] for m in seed["document"]["mentions"]]
    missing = []
    for quote in quotes:
        try:
            find_quote(d37.text, quote, ignore=d37.marker_spans)
        except LookupError:
            missing.append(quote)
    assert missing == ["see Foreign Relations, 1961–1963, vol. VI, pp. 56"]
    assert len(quotes) == 38


def test_1961_each_document() -> None:
    docs = _docs(V1961)
    for doc in docs.values():
        _check_offsets(doc)
    d32 = docs["d32"]
    assert d32.doc_type == "Telegram" and d32.place == "Moscow"
    assert d32.date == HistDate.parse("1961-02-18") and d32.time == "19:00:00"
    assert d32.classification == "Confidential"
    assert d32.pages == "79–81"
    assert {(m.role, m.name) for m in d32.mentions if m.role != "mentioned"} == {
        ("author", "Embassy in the Soviet Union"),
        ("recipient", "Department of State"),
        ("signer", "Freers"),
    }
    assert d32.event is not None and d32.event.kind == "message"
    d36 = docs["d36"]
    assert d36.doc_type == "Memorandum of Conversation"
    assert d36.event is not None and d36.event.kind == "meeting"
    assert [a[0] for a in d36.event.actors] == ["p_MMA1", "p_SMN1", "p_BCE1"]
    assert {a[2] for a in d36.event.actors} == {"participant"}
    d39 = docs["d39"]
    assert d39.doc_type == "Circular Airgram" and d39.time == "22:16:00"
    for key in ("d31", "d33", "d34", "d35", "d38", "d40"):
        doc = docs[key]
        assert doc.doc_type == "Editorial Note" and doc.event is None
        assert doc.date is None and doc.date_basis == "none"
    assert docs["d30"].classification == "Official Use Only"
    assert docs["d34"].pages == "81–82"
    assert docs["d35"].pages == "83"  # the break before it, between documents
    assert [d.classification for d in (docs["d41"], docs["d45"])] == ["Secret", "Secret"]


# --- 1930 vol. I: no persons list, inline source line, glosses, openers ---------------------


def test_1930_telegrams() -> None:
    volume = read_volume(V1930)
    assert volume.persons == () and volume.terms == ()
    assert volume.header.collection == "Foreign Relations of the United States"
    assert volume.header.volume == "1930, Volume I"
    d55, d56, d57 = volume.documents
    for doc in volume.documents:
        _check_offsets(doc)
        assert doc.doc_type == "Telegram"
        assert doc.date_basis == "dateline"
    assert d55.text.startswith("500.A15a3/749: Telegram\n\nThe Chairman of the American")
    assert d55.title == (
        "The Chairman of the American Delegation (Stimson) to the Acting Secretary of State"
    )
    assert "[Paraphrase]\n\nLondon, March 13, 1930—3 p.m.\n[Received March 13—1:05 p.m.]" in (
        d55.text
    )
    assert d55.date == HistDate.parse("1930-03-13") and d55.time == "15:00:00"
    assert d55.place == "London" and d57.place == "Washington"
    assert d55.archival_source == "500.A15a3/749" and d55.classification is None
    assert d55.notes[0].marker is None and d55.notes[0].kind == "source"
    assert d55.notes[1].label == "78" and d55.notes[1].number == 2
    assert (d55.pages, d56.pages, d57.pages) == ("60–61", "61", "62")
    [pb] = d55.page_breaks
    assert d55.text[pb.offset :].startswith("be caused by a Japanese refusal")
    assert d55.page_at(pb.offset - 1) == "60" and d55.page_at(pb.offset) == "61"
    assert d55.event is not None and d55.event.actors == (
        (None, "Stimson", "author"),
        (None, "Acting Secretary of State", "recipient"),
    )
    assert d57.event is not None and d57.event.actors[0] == (
        None,
        "Acting Secretary of State",
        "author",
    )
    assert ("signer", None, "Cotton") in {(m.role, m.frus_id, m.name) for m in d57.mentions}


# --- 1981–88 vol. III: opener/dateline, nested persons lists, underscore ids ----------------


def test_1981_memcon() -> None:
    volume = read_volume(V1981)
    persons = {p.frus_id: p for p in volume.persons}
    assert persons["p_HAM_1"].name == "Haig, Alexander M., Jr."
    assert persons["p_HAM_1"].display_name == "Alexander M. Haig, Jr."
    assert persons["p_ALJ_1"].suffix == "Jr."
    assert {t.term: t.expansion for t in volume.terms}["ABM"] == "anti-ballistic missile"
    [d14] = volume.documents
    _check_offsets(d14)
    assert d14.key == "frus1981-88v03-d14"
    assert d14.doc_type == "Memorandum of Conversation"
    assert d14.date == HistDate.parse("1981-02-06") and d14.place == "Washington"
    assert d14.classification == "Secret"
    assert d14.archival_source is not None
    assert d14.archival_source.startswith("Department of State, Executive Secretariat")
    assert d14.pages == "35–36"
    [pb] = d14.page_breaks
    assert d14.text[pb.offset :].startswith("Weinberger on the latter")
    participants = [m.frus_id for m in d14.mentions if m.role == "participant"]
    assert participants[:2] == ["p_HAM_1", "p_WCW_1"] and len(participants) == 7
    assert ("mentioned", "p_DA_2") in {(m.role, m.frus_id) for m in d14.mentions}
    assert d14.event is not None and d14.event.kind == "meeting"


# --- dates, types and kinds -------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "edtf", "precision", "time"),
    [
        ("1961-02", "1961-02", "1961-02", Precision.MONTH, None),
        ("1961", "1961", "1961", Precision.YEAR, None),
        ("1981-01-24T02:51:00+00:00", "1981-01-24T02:51:00+00:00", "1981-01-24", Precision.DAY,
         "02:51:00+00:00"),
        ("1961-02-01", "1961-02-28", "1961-02", Precision.MONTH, None),
        ("1961-02-03", "1961-02-09", "1961-02-03/1961-02-09", Precision.INTERVAL, None),
        ("1961-02-03T10:00:00", "1961-02-03T11:30:00", "1961-02-03", Precision.DAY,
         "10:00:00/11:30:00"),
        ("1961-02-03", None, "1961-02-03/", Precision.INTERVAL, None),
    ],
)  # fmt: skip
def test_date_attributes(
    low: str, high: str | None, edtf: str, precision: Precision, time: str | None
) -> None:
    found = date_from_attributes(low, high)
    assert found is not None
    assert (str(found[0]), found[0].precision, found[1]) == (edtf, precision, time)


def test_date_attributes_unreadable() -> None:
    assert date_from_attributes(None, None) is None
    assert date_from_attributes("undated", None) is None
    assert date_from_attributes("1961-02-30", "1961-02-30") is None


@pytest.mark.parametrize(
    ("title", "source", "expected", "kind"),
    [
        ("Telegram From the Embassy in the Soviet Union to the Department of State", None,
         "Telegram", "message"),
        ("Memorandum for the Record", None, "Memorandum for the Record", "memorandum"),
        ("Letter From President Kennedy to Chairman Khrushchev", None, "Letter", "letter"),
        ("Special National Intelligence Estimate 11–4–62", None,
         "Special National Intelligence Estimate", "estimate"),
        ("Paper Prepared in the Department of State", None, "Paper", "assessment"),
        ("Minutes of Meeting", None, "Minutes of Meeting", "meeting"),
        ("The Secretary of State to the Ambassador in France (Edge)", "851.00/1: Telegram",
         "Telegram", "message"),
        ("The Secretary of State to the Ambassador in France (Edge)", "851.00/1", "Document",
         "document"),
    ],
)  # fmt: skip
def test_doc_type_and_kind(title: str, source: str | None, expected: str, kind: str) -> None:
    assert doc_type(title, None, source) == expected
    assert event_kind(expected) == kind


# --- streaming and memory -------------------------------------------------------------------


def test_items_come_in_file_order() -> None:
    kinds = [type(item).__name__ for item in iter_volume(V1961)]
    assert kinds[0] == "VolumeHeader"
    assert kinds.index("PersonRecord") < kinds.index("DocumentRecord")
    assert kinds.count("DocumentRecord") == 16


def _generated(tmp_path: Path, copies: int) -> Path:
    """A volume of the 1961 excerpt's documents repeated under new ids."""
    source = V1961.read_text(encoding="utf-8")
    start = source.index('<div type="document" xml:id="d30"')
    end = source.rindex("</div>", 0, source.index("</body>"))
    docs = source[start:end]
    parts = [re.sub(r'xml:id="(d\d+)(fn\d+)?"', rf'xml:id="\1\2c{i}"', docs) for i in range(copies)]
    path = tmp_path / f"generated-{copies}.xml"
    path.write_text(source[:start] + "".join(parts) + source[end:], encoding="utf-8")
    return path


def _peak(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    count = 0
    for item in iter_volume(path):
        count += isinstance(item, DocumentRecord)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, count


def test_memory_stays_flat(tmp_path: Path) -> None:
    small, small_count = _peak(_generated(tmp_path, 2))
    large, large_count = _peak(_generated(tmp_path, 25))
    assert (small_count, large_count) == (32, 400)
    assert large / small < 1.5, (small, large)


# --- bad input ------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.xml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(SourceFormatError) as info:
        list(iter_volume(path))
    return str(info.value)


def test_malformed_xml_names_file_and_line(tmp_path: Path) -> None:
    source = V1930.read_text(encoding="utf-8").replace("</closer>", "</closr>", 1)
    line = source[: source.index("</closr>")].count("\n") + 1
    message = _error(_write(tmp_path, source))
    assert message.startswith(f"bad.xml, line {line}, column ")
    assert "malformed XML (mismatched tag)" in message


def test_not_tei(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, '<?xml version="1.0"?>\n<html><body/></html>\n'))
    assert message == (
        "bad.xml, line 2: not a TEI file (root element <html>, expected <TEI> in the TEI namespace)"
    )


def test_tei_that_is_not_frus(tmp_path: Path) -> None:
    text = (
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
        "<title>Poems</title></titleStmt></fileDesc></teiHeader><text><body><p/></body></text>"
        "</TEI>"
    )
    assert "line 1: a TEI file but not a FRUS volume" in _error(_write(tmp_path, text))


def test_frus_without_documents(tmp_path: Path) -> None:
    text = (
        '<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="frus1999v01"><teiHeader/>'
        "<text><body><div type='chapter'><p>x</p></div></body></text></TEI>"
    )
    path = _write(tmp_path, text)
    items = iter_volume(path)
    assert isinstance(next(items), VolumeHeader)
    with pytest.raises(SourceFormatError, match=r'^bad.xml: no documents .*div type="document"'):
        next(items)


def test_doctype_with_entities_is_refused(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="frus1999v01"><teiHeader/>'
        "<text><body><p>&b;</p></body></text></TEI>"
    )
    assert _error(_write(tmp_path, text)).startswith("bad.xml, line 2: refusing a DOCTYPE")


def test_unreadable_file(tmp_path: Path) -> None:
    message = _error(tmp_path / "missing.xml")
    assert message.startswith("missing.xml: cannot read the file")


def test_person_record_is_plain() -> None:
    person = PersonRecord("frus1", "p_X1", "Madison", "Madison", None, None, None)
    assert person.display_name == "Madison"
