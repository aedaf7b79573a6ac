"""Citations as a documentary edition gives them: each quote at its printed page, the editors'
notes told from the document's own words, the damage a quote carries shown with its reading,
and what a reader needs to know of each document (source note, classification, signature note,
release data).

A page comes from the document's page breaks (:class:`timeline.models.PageBreak`), the first page
from ``documents.pages`` where no break stands at the text's start; a text without printed pages
(a CREST scan) is cited without one. A quote inside a document note is the editors' note: its
page is the page of the note's marker ("p. 86 n. 2"), moved on by any break inside the note.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from timeline.citation_loading import BatchCache, document_rows

# Re-exported: identities were part of this module before it grew too long.
from timeline.identities import Identities as Identities
from timeline.identities import Identity as Identity

# CREST's release-decision codes. No published key to them was found (see README, Citations):
# the glosses are the project's reading of the codes, and say so wherever they are printed.
RELEASE_CODES = {"RIFPUB": "released in full", "RIPPUB": "released in part"}
RELEASE_GLOSS_NOTE = "the project's reading of CREST's code; no published key to it was found"
EDITORS_NOTE = "editors' note, not the document's text"

_TRAILING_PAGES = re.compile(r",\s*pp?\.\s*[0-9ivxlcdm]+(?:\s*[–-]\s*[0-9ivxlcdm]+)?\s*$")
_FRUS_VOLUME = re.compile(r"^(?P<years>[^,]+), Volume (?P<volume>[^,]+)(?:, (?P<part>Part \w+))?")
_NOTES_START = re.compile(r"\s*(?:\d+\.\s*)?")
_SIGNATURE_LINE = 60  # characters: a longer line is prose, not a signature


# Reading, Note and Pinpoint are named tuples, not frozen dataclasses: a Markdown report builds
# one of each for every note it prints and every note and reading of every document it reads,
# half a million a part at a million events, and a frozen dataclass takes four times as long to
# build.


class Reading(NamedTuple):
    start: int
    end: int
    text: str
    reading: str
    note: str


class Note(NamedTuple):
    number: int
    start: int
    end: int
    marker: int | None
    text: str


class Pinpoint(NamedTuple):
    """Where a passage stands: its page(s), and the note it is part of, if any."""

    pages: str | None
    note: int | None

    def __str__(self) -> str:
        if self.pages is None:
            return f"n. {self.note}" if self.note is not None else ""
        label = f"{'pp.' if '–' in self.pages else 'p.'} {self.pages}"
        return f"{label} n. {self.note}" if self.note is not None else label


@dataclass(frozen=True)
class CitedDocument:
    """One document as citations need it; built once per document by :class:`Citations`."""

    key: str
    title: str
    citation: str
    short: str
    collection: str
    first_page: str | None
    breaks: tuple[tuple[int, str, bool], ...]  # char_start, page, in_note
    notes: tuple[Note, ...]
    readings: tuple[Reading, ...]
    source_note: str | None
    signature_note: Note | None
    facts: tuple[tuple[str, str], ...]  # what a reader needs beyond the citation, labelled
    # False: read for citations alone (load_cited_documents' entries), without the source
    # note, signature note and facts its entry among the documents cited prints
    entered: bool = True
    # The body's breaks, apart: page_at runs several times for every passage cited.
    _body_at: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _body_pages: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        body = [(at, page) for at, page, in_note in self.breaks if not in_note]
        object.__setattr__(self, "_body_at", tuple(at for at, _ in body))
        object.__setattr__(self, "_body_pages", tuple(page for _, page in body))

    def page_at(self, offset: int) -> str | None:
        """The printed page on which the character at ``offset`` stands (None: unpaged)."""
        index = bisect.bisect_right(self._body_at, offset)
        return self._body_pages[index - 1] if index else self.first_page

    def note_at(self, start: int, end: int) -> Note | None:
        return next((n for n in self.notes if n.start <= start and end <= n.end), None)

    def pinpoint(self, start: int, end: int) -> Pinpoint:
        note = self.note_at(start, end) if self.notes else None
        if note is not None:
            page = self.page_at(note.marker) if note.marker is not None else self.first_page
            for at, in_page, in_note in self.breaks:
                if in_note and note.start <= at <= start:
                    page = in_page
            return Pinpoint(page, note.number)
        first, last = self.page_at(start), self.page_at(max(start, end - 1))
        if first is None or last is None or first == last:
            return Pinpoint(first or last, None)
        return Pinpoint(f"{first}–{last}", None)

    def cite(self, start: int, end: int, *, full: bool) -> str:
        """The citation of a passage: the document's in full (its page range replaced by the
        passage's page), or its short form; a note is labelled as the editors'."""
        return self.cite_at(self.pinpoint(start, end), full=full)

    def cite_at(self, point: Pinpoint, *, full: bool) -> str:
        """:meth:`cite`, the passage's :meth:`pinpoint` given."""
        base = self._unpaged if full else self.short
        where = str(point)
        cited = f"{base}, {where}" if where else base
        if point.note is not None:
            cited += f" ({EDITORS_NOTE})"
        return cited

    @functools.cached_property
    def _unpaged(self) -> str:
        """The full citation without its page range, which a passage's page replaces."""
        return _TRAILING_PAGES.sub("", self.citation.rstrip("."))

    def damage_marks(self) -> list[tuple[int, int, str, str]]:
        """Each damaged passage's damaged words (start, end in the text), reading and note."""
        marks = []
        for r in self.readings:
            a, b, read = damage(r.text, r.reading)
            marks.append((r.start + a, r.start + b, read, r.note))
        return marks

    def shown(self, quote: str, start: int) -> str:
        """The quote with each damaged passage followed by its reading in brackets:
        "Wil iam [William] J. Casey", "pp. 56 [5–6]". Never silently corrected or left."""
        if not self.readings:
            return quote
        end = start + len(quote)
        parts, at = [], 0
        for r in self.readings:
            if r.end <= start or r.start >= end:
                continue
            a, b = max(r.start, start) - start, min(r.end, end) - start
            parts.append(quote[at:a])
            if a == r.start - start and b == r.end - start and quote[a:b] == r.text:
                parts.append(marked(r.text, r.reading))
            else:  # the quote holds part of the damaged passage: name the whole
                parts.append(f"{quote[a:b]} [“{r.text}” reads “{r.reading}”]")
            at = b
        parts.append(quote[at:])
        return "".join(parts)


def marked(damaged: str, reading: str) -> str:
    """The damaged words and, in brackets after them, what they read; the words both share
    stay outside the brackets."""
    _, end, read = damage(damaged, reading)
    return f"{damaged[:end]} [{read}]{damaged[end:]}"


def damage(damaged: str, reading: str) -> tuple[int, int, str]:
    """Where in ``damaged`` the damage lies (whole words: what it shares with ``reading`` at
    either end is left out), and what those words read."""
    size = min(len(damaged), len(reading))
    prefix = 0
    while prefix < size and damaged[prefix] == reading[prefix]:
        prefix += 1
    while prefix and not damaged[prefix - 1].isspace():
        prefix -= 1
    suffix = 0
    while suffix < size - prefix and damaged[-1 - suffix] == reading[-1 - suffix]:
        suffix += 1
    while suffix and not damaged[len(damaged) - suffix].isspace():
        suffix -= 1
    core, read = damaged[prefix : len(damaged) - suffix], reading[prefix : len(reading) - suffix]
    if not core.strip() or not read.strip():
        return 0, len(damaged), reading
    return prefix, len(damaged) - suffix, read


def short_form(doc: Any) -> str:
    """The short citation: "FRUS, 1961–1963, vol. V, doc. 37"; a CREST number; else the title."""
    if doc.collection == "Foreign Relations of the United States" and doc.volume:
        match = _FRUS_VOLUME.match(doc.volume)
        if match:
            volume = f"vol. {match['volume']}" + (
                f", pt. {match['part'][5:]}" if match["part"] else ""
            )
            number = f", doc. {doc.doc_number}" if doc.doc_number else ""
            return f"FRUS, {match['years']}, {volume}{number}"
    if "CREST" in doc.collection and doc.doc_number:
        return f"CREST, {doc.doc_number}"
    return f"{doc.collection}, {doc.doc_number}" if doc.doc_number else doc.title


def release_code(code: str) -> str:
    gloss = RELEASE_CODES.get(code)
    return f"{code} ({gloss}; {RELEASE_GLOSS_NOTE})" if gloss else code


def _facts(doc: Any, source_note: str | None, signature: Note | None) -> list[tuple[str, str]]:
    crest = "CREST" in doc.collection
    facts = [
        ("Source note", source_note),
        ("Archival source", doc.archival_source if not source_note else None),
        ("Original classification" if crest else "Classification", doc.classification),
        ("Signature note", f"n. {signature.number}: {signature.text}" if signature else None),
        ("Release decision", release_code(doc.release_decision) if doc.release_decision else None),
        ("Document release date", doc.release_date and doc.release_date.isoformat()),
        ("Approved for release", doc.approved_for_release and doc.approved_for_release.isoformat()),
        (
            "Document creation date (the catalogue record's)",
            doc.record_created and doc.record_created.isoformat(),
        ),
        ("Page count", str(doc.page_count) if doc.page_count else None),
        ("Content type", doc.content_type),
        ("Sequence number", str(doc.sequence_number) if doc.sequence_number is not None else None),
        ("Online", doc.url),
    ]
    return [(label, value) for label, value in facts if value]


def _signature_note(text: str, notes: list[Note]) -> Note | None:
    """The note called from the signature: its marker ends the body's last line, which is short
    enough to be a signature, and nothing but the notes list follows it."""
    if not notes:
        return None
    first = min(n.start for n in notes)
    for note in notes:
        if note.marker is None:
            continue
        end = note.marker + 1
        while end < len(text) and text[end].isdigit():
            end += 1
        line_start = text.rfind("\n", 0, note.marker) + 1
        if _NOTES_START.fullmatch(text, end, first) and end - line_start <= _SIGNATURE_LINE:
            return note
    return None


def cited_document(session: Session, key: str) -> CitedDocument | None:
    return load_cited_documents(session, [key]).get(key)


def load_cited_documents(
    session: Session, keys: Sequence[str], *, entries: bool = True
) -> dict[str, CitedDocument]:
    """The documents among ``keys`` as citations need them, read together (their texts are
    read to find the signature note, and not kept). Not ``entries``: as citations alone need
    them (:attr:`CitedDocument.entered` False), without their texts: a Markdown report reads a
    document again for a later citation where it has been forgotten since its first, which
    its entry among the documents cited followed."""
    found = {}
    for doc, breaks, note_rows, readings in document_rows(session, keys, text=entries):
        notes = [Note(*n) for n in note_rows]
        source_note, signature = None, None
        if entries:
            source_note = doc.source_note or next(
                (n.text for n in notes if n.text.startswith("Source:")), None
            )
            if source_note:
                source_note = source_note.removeprefix("Source:").strip()
            signature = _signature_note(doc.text, notes)
        first = doc.pages.split("–")[0].strip() if doc.pages else None
        found[doc.key] = CitedDocument(
            key=doc.key,
            title=doc.title,
            citation=doc.citation,
            short=short_form(doc),
            collection=doc.collection,
            first_page=first or None,
            breaks=tuple((at, page, in_note) for at, page, in_note in breaks),
            notes=tuple(notes),
            readings=tuple(Reading(*r) for r in readings),
            source_note=source_note,
            signature_note=signature,
            facts=tuple(_facts(doc, source_note, signature)) if entries else (),
            entered=entries,
        )
    return found


class Citations:
    """Cites passages in reading order: the full citation the first time a document is cited,
    its short form after. Documents are read a batch at a time and a few thousand kept (no
    texts); :meth:`source` told ``first`` (the report knows it from SQL) remembers nothing."""

    def __init__(self, session: Session, *, cache: int | None = None) -> None:
        self.session = session
        self._documents: BatchCache[CitedDocument] = BatchCache(
            lambda keys: load_cited_documents(session, keys),
            cache,
            partial=lambda keys: load_cited_documents(session, keys, entries=False),
            whole=lambda doc: doc.entered,
        )
        self.cited: dict[str, None] = {}  # in the order first cited, by source() alone

    def document(self, key: str) -> CitedDocument | None:
        return self._documents.get(key)

    def documents(self, keys: Iterable[str]) -> Iterator[CitedDocument]:
        """The documents of ``keys`` that exist, in that order, read a batch ahead."""
        return (doc for doc in self._documents.many(keys) if doc is not None)

    def prefetch(
        self, sources: Iterable[dict[str, Any]], *, entered: Container[str] | None = None
    ) -> None:
        """Read the documents of ``sources`` not yet known, together. ``entered``: the keys of
        those whose entry (:attr:`CitedDocument.entered`) is wanted (None: all); the others
        are read for citations alone, where not known."""
        self._documents.prefetch((source["document"] for source in sources), whole=entered)

    def source(self, source: dict[str, Any], *, first: bool | None = None) -> dict[str, Any]:
        """A report's source (document, citation, quote, char_start, char_end) with its
        ``cited`` citation (full or short), ``pinpoint``, ``in_note`` and ``shown`` quote.
        In full where ``first``; not given, where this is the first source of its document."""
        doc = self.document(source["document"])
        if doc is None:
            return {**source, "cited": source["citation"], "shown": source["quote"]}
        if first is None:
            first = doc.key not in self.cited
            self.cited.setdefault(doc.key)
        point = doc.pinpoint(source["char_start"], source["char_end"])
        return {
            **source,
            "cited": doc.cite_at(point, full=first),
            "cited_full": doc.cite_at(point, full=True),
            "pinpoint": str(point) or None,
            "in_note": point.note is not None,
            "shown": _shown(doc, source),
        }

    def cited_and_shown(
        self, source: Mapping[str, Any], *, first: bool, shown: bool = True
    ) -> tuple[str, str | None]:
        """What a note on ``source`` prints of :meth:`source`: its ``cited`` citation (in full
        where ``first``), and its ``shown`` quote (None where not ``shown``), without the
        rest, which a Markdown report's half a million notes a part do not print."""
        doc = self.document(source["document"])
        if doc is None:
            return source["citation"], source["quote"] if shown else None
        point = doc.pinpoint(source["char_start"], source["char_end"])
        return doc.cite_at(point, full=first), _shown(doc, source) if shown else None


def _shown(doc: CitedDocument, source: Mapping[str, Any]) -> str:
    """The source's quote as the reader should see it: with its readings, where it is exactly
    its span (readings are placed by offset; only such a quote can carry them)."""
    quote: str = source["quote"]
    if len(quote) != source["char_end"] - source["char_start"]:
        return quote
    return doc.shown(quote, source["char_start"])
