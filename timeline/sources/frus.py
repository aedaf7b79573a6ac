"""Parse the plain-text rendering of a Foreign Relations of the United States (FRUS) document.

The expected shape is a numbered heading line ("37. Memorandum From ..."), an optional SUBJECT
block, the body with "[Page N]" markers, a signature line, and the notes list ("  1. Source: ...").
Footnote markers are digits glued to the preceding word ("Kennedy0", "meat.1"). Their printed
numbers need not agree with the notes list, so markers and notes are paired by order.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from timeline.errors import SourceFormatError
from timeline.sources.spans import Span, line_spans, strip_span

__all__ = ["Footnote", "FrusDocument", "decode_file_date", "parse_frus"]


_HEADING = re.compile(r"[ \t]*(\d+)\.[ \t]+(\S.*?)[ \t\r]*$")
_NOTE = re.compile(r"[ \t]*(\d+)\.[ \t]+(?=\S)")
_PAGE = re.compile(r"\[Page[ \t\u00a0]+(\d+)\]")
_SUBJECT_ALONE = re.compile(r"[ \t]*SUBJECT[ \t]*:?[ \t\r]*$")
_SUBJECT_INLINE = re.compile(r"[ \t]*(?i:subject)[ \t]*:[ \t\u00a0]*(\S.*?)[ \t\r]*$")
_ORNAMENT = " \t\u00a0•·‣▪◦*-–—"
_DIGITS = re.compile(r"\d{1,3}")
# Punctuation a footnote marker can be glued to ("meat.1", "said,”2").
_MARKER_AFTER_PUNCT = frozenset(".,;:!?)]\"'\u02bc\u2019\u201d")
_MARKER_FOLLOWED_BY = frozenset(".,;:!?)]")
_CLASSIFICATION = re.compile(
    r"\.\s+((?:Top Secret|Secret|Confidential|Limited Official Use|Official Use Only"
    r"|Unclassified|Restricted|No classification marking)\b[^.]*)\.(?:\s|$)"
)
_FIRST_SENTENCE_END = re.compile(r"\.(?:\s+(?=[A-Z])|\s*$)")
# State Department decimal file, e.g. 411.616/2-2661, 770G.00/ 2-2861, 397.5611-GE/2-2861.
_DECIMAL_FILE = re.compile(
    r"\b\d{3}[A-Z]?(?:\.[0-9A-Z]+)*(?:-[A-Z]+)?/[ ]?(\d{1,2})[-–](\d{1,2})(\d{2})\b"
)
_SIGNER_MAX_CHARS = 60
_SIGNER_MAX_WORDS = 6
_INITIALS = re.compile(r"(?:[A-Z]\.[ ]?)+")


@dataclass(frozen=True)
class Footnote:
    """One entry of the notes list, with the inline marker it belongs to (paired by order)."""

    number: int
    text: str
    span: Span
    marker: Span | None


@dataclass(frozen=True)
class FrusDocument:
    """A parsed FRUS document; every span is a pair of code-point offsets into ``text``."""

    number: int
    heading: str
    heading_span: Span
    doc_type: str
    subject: str | None
    pages: tuple[int, ...]
    page_markers: tuple[Span, ...]
    footnotes: tuple[Footnote, ...]
    source_note: Footnote | None
    archival_source: str | None
    file_number: str | None
    file_date: datetime.date | None
    classification: str | None
    signer: str | None
    signer_span: Span | None
    body_span: Span
    text: str = field(repr=False)

    @property
    def marker_spans(self) -> tuple[Span, ...]:
        """Footnote and page marker spans, sorted, ready for ``find_quote(ignore=...)``."""
        spans = [note.marker for note in self.footnotes if note.marker is not None]
        return tuple(sorted([*spans, *self.page_markers]))

    @property
    def body(self) -> str:
        """The raw body text, from the line after the heading to the end of the signature."""
        return self.text[self.body_span[0] : self.body_span[1]]


def decode_file_date(file_number: str) -> datetime.date | None:
    """Decode the date of a State Department decimal-file number ("411.616/2-2661" -> 1961-02-26).

    After the slash comes month-day-year with a two-digit year of the 1900s; the day may have one
    or two digits, which the dash before it makes unambiguous. None when it cannot be decoded.
    """
    match = _DECIMAL_FILE.search(file_number)
    if match is None:
        return None
    month, day, year = (int(group) for group in match.groups())
    try:
        return datetime.date(1900 + year, month, day)
    except ValueError:
        return None


def _find_notes(text: str, lines: list[Span], first: int) -> tuple[int, list[tuple[int, Span]]]:
    """Locate the trailing notes list: returns the index of its first line and (number, span) pairs.

    The list is the last run of lines, starting with "1.", in which each numbered line carries the
    next number; unnumbered lines directly below a note continue it.
    """
    for begin in range(len(lines) - 1, first, -1):
        start, end = lines[begin]
        head = _NOTE.match(text, start, end)
        if head is None or int(head.group(1)) != 1:
            continue
        notes: list[tuple[int, Span]] = []
        previous_blank = False
        for line_start, line_end in lines[begin:]:
            numbered = _NOTE.match(text, line_start, line_end)
            if numbered is not None and int(numbered.group(1)) == len(notes) + 1:
                notes.append((len(notes) + 1, (numbered.end(), line_end)))
            elif text[line_start:line_end].strip() == "":
                previous_blank = True
                continue
            elif notes and not previous_blank:
                number, (note_start, _) = notes[-1]
                notes[-1] = (number, (note_start, line_end))
            else:
                break
            previous_blank = False
        else:
            return begin, [(n, strip_span(text, s, e)) for n, (s, e) in notes]
    raise SourceFormatError(
        "FRUS text has no notes list at its end "
        "(every FRUS document carries at least a source note)"
    )


def _marker_candidates(text: str, start: int, end: int, skip: list[Span]) -> list[tuple[int, Span]]:
    """Digit runs glued to the preceding word or punctuation, as footnote markers are printed."""
    found: list[tuple[int, Span]] = []
    for match in _DIGITS.finditer(text, start, end):
        s, e = match.span()
        if s == 0 or any(a <= s < b for a, b in skip):
            continue
        before = text[s - 1]
        if before.isdigit() or (e < len(text) and text[e].isdigit()):
            continue
        glued = before.isalpha() or (
            before in _MARKER_AFTER_PUNCT and s >= 2 and not text[s - 2].isdigit()
        )
        after_ok = e == len(text) or text[e].isspace() or text[e] in _MARKER_FOLLOWED_BY
        if glued and after_ok:
            found.append((int(match.group()), (s, e)))
    return found


def _pair_markers(candidates: list[tuple[int, Span]], count: int) -> list[Span]:
    """Pick the longest run of consecutively numbered markers (from 0 or 1), in text order.

    Printed numbering may start at 0 or 1; requiring consecutive numbers filters out digits that
    merely look glued (model numbers and the like).
    """
    best: list[Span] = []
    for first in (0, 1):
        chosen: list[Span] = []
        for value, span in candidates:
            if len(chosen) == count:
                break
            if value == first + len(chosen):
                chosen.append(span)
        if len(chosen) > len(best):
            best = chosen
    return best


def _trim_marker(span: Span, markers: list[Span]) -> Span:
    """Drop a footnote marker glued to the end of ``span``."""
    start, end = span
    for marker_start, marker_end in markers:
        if marker_end == end and start < marker_start:
            return start, marker_start
    return span


def _looks_like_signature(line: str) -> bool:
    if not line or len(line) > _SIGNER_MAX_CHARS or len(line.split()) > _SIGNER_MAX_WORDS:
        return False
    if not line[0].isupper():
        return False
    return line[-1] not in ".?!:;," or _INITIALS.fullmatch(line) is not None


def _parse_source_note(note: str) -> tuple[str | None, str | None]:
    """Split "Source: ARCHIVE. CLASSIFICATION. ..." into the archival source and classification."""
    rest = note.removeprefix("Source:").strip()
    match = _CLASSIFICATION.search(rest)
    if match is not None:
        archival, classification = rest[: match.start()], " ".join(match.group(1).split())
    else:
        end = _FIRST_SENTENCE_END.search(rest)
        archival, classification = (rest[: end.start()] if end else rest), None
    archival = " ".join(archival.split())
    return archival or None, classification


def parse_frus(text: str) -> FrusDocument:
    """Parse a FRUS document text; raises SourceFormatError if it is not of the expected shape."""
    lines = line_spans(text, 0, len(text))
    first = next((i for i, (s, e) in enumerate(lines) if text[s:e].strip()), None)
    if first is None:
        raise SourceFormatError("FRUS text is empty")
    heading_match = _HEADING.match(text, *lines[first])
    if heading_match is None:
        raise SourceFormatError(
            f"FRUS text does not start with a numbered heading ('37. Memorandum From ...'): "
            f"{text[slice(*lines[first])][:60]!r}"
        )
    notes_line, notes = _find_notes(text, lines, first)
    notes_start = lines[notes_line][0]
    heading_line_end = lines[first][1]
    body_span = strip_span(text, heading_line_end, notes_start)
    if body_span[0] == body_span[1]:
        raise SourceFormatError("FRUS text has no body between its heading and its notes list")

    page_found = list(_PAGE.finditer(text, body_span[0], body_span[1]))
    page_markers = [m.span() for m in page_found]
    candidates = _marker_candidates(text, heading_match.start(2), body_span[1], page_markers)
    markers = _pair_markers(candidates, len(notes))
    footnotes = tuple(
        Footnote(
            number=number,
            text=text[span[0] : span[1]],
            span=span,
            marker=markers[i] if i < len(markers) else None,
        )
        for i, (number, span) in enumerate(notes)
    )

    heading_span = strip_span(text, *_trim_marker(heading_match.span(2), markers))
    heading = text[heading_span[0] : heading_span[1]]
    subject = _find_subject(text, lines[first + 1 : notes_line], markers)
    signer, signer_span = _find_signer(text, lines[first + 1 : notes_line], markers)

    source_note = next((n for n in footnotes if n.text.startswith("Source:")), None)
    archival_source = classification = file_number = None
    file_date = None
    if source_note is not None:
        archival_source, classification = _parse_source_note(source_note.text)
        decimal = _DECIMAL_FILE.search(archival_source or "")
        if decimal is not None:
            file_number = decimal.group()
            file_date = decode_file_date(file_number)

    return FrusDocument(
        number=int(heading_match.group(1)),
        heading=heading,
        heading_span=heading_span,
        doc_type=heading.split()[0].lower(),
        subject=subject,
        pages=tuple(int(m.group(1)) for m in page_found),
        page_markers=tuple(page_markers),
        footnotes=footnotes,
        source_note=source_note,
        archival_source=archival_source,
        file_number=file_number,
        file_date=file_date,
        classification=classification,
        signer=signer,
        signer_span=signer_span,
        body_span=body_span,
        text=text,
    )


def _find_subject(text: str, body_lines: list[Span], markers: list[Span]) -> str | None:
    """The SUBJECT block's first line, either "SUBJECT: X" or "SUBJECT" above a bulleted "X"."""
    for i, (start, end) in enumerate(body_lines):
        inline = _SUBJECT_INLINE.match(text, start, end)
        if inline is not None:
            span = inline.span(1)
        elif _SUBJECT_ALONE.match(text, start, end):
            following = [s for s in body_lines[i + 1 :] if text[s[0] : s[1]].strip()]
            if not following:
                return None
            span = following[0]
        else:
            continue
        s, e = _trim_marker(span, markers)
        subject = text[s:e].strip(_ORNAMENT)
        return subject or None
    return None


def _find_signer(
    text: str, body_lines: list[Span], markers: list[Span]
) -> tuple[str | None, Span | None]:
    """The last body line, when it is short enough to be a signature rather than prose."""
    for start, end in reversed(body_lines):
        if not text[start:end].strip():
            continue
        span = strip_span(text, *_trim_marker(strip_span(text, start, end), markers))
        signer = text[span[0] : span[1]]
        if _looks_like_signature(signer):
            return signer, span
        return None, None
    return None, None
