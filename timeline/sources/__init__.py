"""Parsers for the primary sources the timeline is built from: FRUS (plain text and TEI volumes),
CIA CREST reading-room records, and plain-text files with TOML sidecars."""

from __future__ import annotations

from typing import Literal

from timeline.errors import SourceFormatError
from timeline.sources.crest import (
    CREST_COLLECTION,
    CrestDocument,
    crest_record,
    parse_crest,
    parse_month_date,
    read_crest,
)
from timeline.sources.files import iter_paths, read_source
from timeline.sources.frus import Footnote, FrusDocument, decode_file_date, parse_frus
from timeline.sources.parsed import (
    CrestField,
    CrestRecord,
    DocumentRecord,
    EventRecord,
    Mention,
    NoteRecord,
    PageBreak,
    PersonRecord,
    PlainTextRecord,
    TermRecord,
    VolumeHeader,
    VolumeItem,
)
from timeline.sources.plaintext import read_plaintext
from timeline.sources.tei import ParsedVolume, iter_volume, read_volume

__all__ = [
    "CREST_COLLECTION",
    "CrestDocument",
    "CrestField",
    "CrestRecord",
    "DocumentRecord",
    "EventRecord",
    "Footnote",
    "FrusDocument",
    "Mention",
    "NoteRecord",
    "PageBreak",
    "ParsedVolume",
    "PersonRecord",
    "PlainTextRecord",
    "TermRecord",
    "VolumeHeader",
    "VolumeItem",
    "crest_record",
    "decode_file_date",
    "detect_format",
    "iter_paths",
    "iter_volume",
    "parse_crest",
    "parse_frus",
    "parse_month_date",
    "read_crest",
    "read_plaintext",
    "read_source",
    "read_volume",
]


def detect_format(text: str) -> Literal["frus", "crest"]:
    """Name the format whose parser accepts ``text``; SourceFormatError if neither does.

    Detection is by parsing, so a "frus" or "crest" answer guarantees the matching parser succeeds.
    """
    try:
        parse_crest(text)
    except SourceFormatError as crest_error:
        try:
            parse_frus(text)
        except SourceFormatError as frus_error:
            raise SourceFormatError(
                f"text is neither a CREST record ({crest_error}) nor a FRUS document ({frus_error})"
            ) from None
        return "frus"
    return "crest"
