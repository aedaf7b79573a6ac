"""A plain-text reading of one FRUS TEI document, with the offsets of what the markup marked.

The reading is what a person sees on the printed page: the head, openers, dateline, paragraphs,
lists and closer, in document order, blocks separated by blank lines, list items and ``lb`` by
line breaks, the XML's line wrapping collapsed to single spaces. Footnote markers stay glued to the
word before them ("meat.2"), as printed, and the notes follow the body as a numbered list
("2. Presumably ..."), the way the seed texts store them. Page breaks leave no mark in the text;
their offsets are recorded instead, so a quote never straddles a "[Page 87]".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from timeline.sources.parsed import Mention, NoteRecord, PageBreak, Span

__all__ = ["FRUS", "TEI", "Reading", "read_document"]

TEI = "{http://www.tei-c.org/ns/1.0}"
FRUS = "{http://history.state.gov/frus/ns/1.0}"

_WS = re.compile(r"\s+")
_PARA = 2
_LINE = 1
_BLOCKS = frozenset(
    f"{TEI}{name}"
    for name in (
        *("head", "p", "dateline", "opener", "closer", "list", "table"),
        *("postscript", "div", "ab", "figure", "byline", "docDate", "trailer", "lg"),
    )
) | {f"{FRUS}attachment"}
_LINES = frozenset(f"{TEI}{name}" for name in ("item", "row", "signed", "salute", "l"))
_SKIP = frozenset(f"{TEI}{name}" for name in ("graphic", "gap", "fw", "milestone", "anchor"))
_NAMES = frozenset(f"{TEI}{name}" for name in ("persName", "gloss", "orgName"))
_HEAD_ROLES = {"from": "author", "to": "recipient"}
_NOTE = f"{TEI}note"
_PB = f"{TEI}pb"
_LB = f"{TEI}lb"
_SPACE = f"{TEI}space"
_HEAD = f"{TEI}head"
_DATELINE = f"{TEI}dateline"
_LIST = f"{TEI}list"
_SIGNED = f"{TEI}signed"
_PERSNAME = f"{TEI}persName"
_ATTACHMENT = f"{FRUS}attachment"
# Elements whose handling goes beyond writing their text.
_SPECIAL = _NAMES | {_HEAD, _DATELINE, _LIST, _SIGNED, _ATTACHMENT}


@dataclass
class Reading:
    """What :func:`read_document` finds: the text and the offsets into it."""

    text: str = ""
    body_end: int = 0
    title: str = ""
    title_span: Span = (0, 0)
    notes: list[NoteRecord] = field(default_factory=list)
    page_breaks: list[PageBreak] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    dateline: Element | None = None
    place: str | None = None
    source_note: NoteRecord | None = None


class _Writer:
    """Accumulates text; breaks and spaces are held back until the next visible character."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.pending_break = 0
        self.pending_space = False
        self.anchors: list[list[int]] = []

    def _flush(self) -> None:
        if self.length:
            if self.pending_break:
                gap = "\n" * self.pending_break
                self.parts.append(gap)
                self.length += len(gap)
            elif self.pending_space:
                self.parts.append(" ")
                self.length += 1
        self.pending_break = 0
        self.pending_space = False
        if self.anchors:
            for anchor in self.anchors:
                anchor.append(self.length)
            self.anchors.clear()

    def _raw(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def text(self, s: str | None) -> None:
        if not s:
            return
        core = " ".join(s.split())
        if not core:
            self.pending_space = True
            return
        if s[0].isspace():
            self.pending_space = True
        if self.pending_break or self.pending_space or self.anchors:
            self._flush()
        self.parts.append(core)
        self.length += len(core)
        self.pending_space = s[-1].isspace()

    def glued(self, s: str) -> Span:
        """Write ``s`` against the previous character, keeping a pending space for after it."""
        space = self.pending_space
        self.pending_space = False
        self._flush()
        start = self.length
        self._raw(s)
        self.pending_space = space
        return start, self.length

    def block(self, level: int) -> None:
        self.pending_break = max(self.pending_break, level)
        self.pending_space = False

    def anchor(self) -> list[int]:
        """An offset resolved when the next character is written (or at the end)."""
        handle: list[int] = []
        self.anchors.append(handle)
        return handle

    def finish(self) -> str:
        for anchor in self.anchors:
            anchor.append(self.length)
        self.anchors.clear()
        return "".join(self.parts)


def _corresp_ids(value: str | None) -> list[str]:
    return [token.lstrip("#") for token in (value or "").split() if token.startswith("#")]


def _plain(el: Element) -> str:
    """The element's words, notes left out, whitespace collapsed."""
    out: list[str] = []

    def walk(node: Element) -> None:
        if node.tag != f"{TEI}note":
            out.append(node.text or "")
            for child in node:
                walk(child)
        out.append(node.tail or "")

    out.append(el.text or "")
    for child in el:
        walk(child)
    return _WS.sub(" ", "".join(out)).strip()


class _Reader:
    def __init__(self) -> None:
        self.w = _Writer()
        self.reading = Reading()
        self.queue: list[tuple[Element, Span | None]] = []
        self.in_note = False
        self.attachment_depth = 0
        self.head: Element | None = None
        self.head_start: list[int] = []
        self.head_end = 0
        self.signed_ids: list[str] = []
        self.breaks: list[tuple[list[int], str, bool]] = []
        self.spans: list[tuple[list[int], int, str, list[str | None], str]] = []
        self.inline_notes: list[tuple[Element, list[int], int]] = []

    def render(self, el: Element, role: str | None) -> None:
        tag = el.tag
        w = self.w
        if tag not in _SPECIAL:
            if tag == _NOTE:
                self.note(el)
            elif tag == _PB:
                page = el.get("n")
                if page:
                    self.breaks.append((w.anchor(), page, self.in_note))
            elif tag == _LB:
                w.block(_LINE)
            elif tag == _SPACE:
                w.pending_space = True
            elif tag not in _SKIP:
                # The common case: paragraphs, items, highlighting; only their text matters.
                block = _PARA if tag in _BLOCKS else _LINE if tag in _LINES else 0
                if block:
                    w.block(block)
                w.text(el.text)
                for child in el:
                    self.render(child, role)
                    w.text(child.tail)
                if block:
                    w.block(block)
            return
        block = _PARA if tag in _BLOCKS else _LINE if tag in _LINES else 0
        if block:
            w.block(block)
        if tag == _ATTACHMENT:
            self.attachment_depth += 1
        elif tag == _DATELINE and self.reading.dateline is None:
            if not self.in_note and not self.attachment_depth:
                self.reading.dateline = el
                place = el.find(f".//{TEI}placeName")
                self.reading.place = _plain(place) or None if place is not None else None
        elif tag == _LIST and el.get("type") == "participants":
            role = "participant"
        elif tag == _SIGNED and not self.in_note:
            role = "signer"
            self.signed_ids = _corresp_ids(el.get("corresp"))

        start = w.anchor()
        is_head = self.head is None and tag == _HEAD and not self.attachment_depth
        if is_head:
            self.head = el
        w.text(el.text)
        for child in el:
            self.render(child, "head" if is_head else role)
            w.text(child.tail)
        end = w.length
        if is_head:
            self.head_start, self.head_end = start, end
        if tag == _ATTACHMENT:
            self.attachment_depth -= 1
        if block:
            w.block(block)
        self.found(el, role, start, end)

    def found(self, el: Element, role: str | None, start: list[int], end: int) -> None:
        """Record ``el`` as a mention when it names someone in a part that counts."""
        tag = el.tag
        ids = _corresp_ids(el.get("corresp"))
        if tag in _NAMES:
            kind = el.get("type")
            if role == "head" and kind in _HEAD_ROLES:
                part = _HEAD_ROLES[kind]
            elif role in ("signer", "participant") and tag == f"{TEI}persName":
                part = role
                ids = ids or (self.signed_ids if role == "signer" else [])
            elif ids and tag == f"{TEI}persName":
                part = "mentioned"
            else:
                return
            self.spans.append((start, end, part, ids or [None], tag))
        elif tag == f"{TEI}signed" and not self.in_note and el.find(f".//{TEI}persName") is None:
            self.spans.append((start, end, "signer", ids or [None], tag))

    def note(self, el: Element) -> None:
        w = self.w
        if el.get("rend") == "inline" or el.get("place") == "inline":
            # The 1930s source line ("500.A15a3/749: Telegram"), printed in place, not called.
            w.block(_PARA)
            start = w.anchor()
            was, self.in_note = self.in_note, True
            w.text(el.text)
            for child in el:
                self.render(child, None)
                w.text(child.tail)
            self.in_note = was
            w.block(_PARA)
            self.inline_notes.append((el, start, w.length))
            return
        label = (el.get("n") or "").strip()
        marker = w.glued(label) if label else None
        self.queue.append((el, marker))

    def run(self, div: Element) -> Reading:
        w = self.w
        w.text(div.text)
        for child in div:
            self.render(child, None)
            w.text(child.tail)
        body_end = w.length
        w.block(_PARA)
        notes: list[tuple[Element, Span | None, list[int], int, str]] = []
        index = 0
        self.in_note = True
        while index < len(self.queue):
            el, marker = self.queue[index]
            index += 1
            label = (el.get("n") or "").strip() or str(index)
            w.text(f"{label}. ")
            start = w.anchor()
            w.text(el.text)
            for child in el:
                self.render(child, None)
                w.text(child.tail)
            notes.append((el, marker, start, w.length, label))
            w.block(_LINE)
        text = w.finish()
        return self.collect(text, body_end, notes)

    def collect(
        self,
        text: str,
        body_end: int,
        notes: list[tuple[Element, Span | None, list[int], int, str]],
    ) -> Reading:
        r = self.reading
        r.text = text
        r.body_end = body_end
        for handle, page, in_note in self.breaks:
            r.page_breaks.append(PageBreak(page, handle[0], in_note))
        r.page_breaks.sort(key=lambda pb: pb.offset)
        for start, end, role, ids, tag in self.spans:
            s = start[0]
            if s >= end:
                continue
            name = text[s:end]
            for frus_id in ids:
                r.mentions.append(Mention(role, frus_id, name, (s, end), tag.rpartition("}")[2]))
        r.mentions.sort(key=lambda m: m.span)
        ordered: list[tuple[Element, Span | None, int, int, str | None]] = [
            (el, None, start[0], end, None) for el, start, end in self.inline_notes
        ]
        ordered += [(el, marker, start[0], end, label) for el, marker, start, end, label in notes]
        for number, (el, marker, start, end, label) in enumerate(ordered, start=1):
            note = NoteRecord(
                number=number,
                label=label,
                xml_id=el.get("{http://www.w3.org/XML/1998/namespace}id"),
                kind=el.get("type"),
                text=text[start:end],
                span=(start, end),
                marker=marker,
            )
            r.notes.append(note)
        r.source_note = next((n for n in r.notes if n.kind == "source"), None) or next(
            (n for n in r.notes if n.text.startswith("Source:")), None
        )
        if self.head is not None and self.head_start:
            r.title, r.title_span = _title(text, self.head_start[0], self.head_end, r.notes)
        return r


_NUMBER = re.compile(r"\d+[A-Za-z]?\.\s+")


def _title(text: str, start: int, end: int, notes: list[NoteRecord]) -> tuple[str, Span]:
    """The head without its number ("37. ") and without the note markers in it."""
    markers = sorted(n.marker for n in notes if n.marker and start <= n.marker[0] < end)
    while markers and markers[-1][1] >= end:
        end = markers.pop()[0]
    number = _NUMBER.match(text, start, end)
    if number is not None:
        start = number.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    pieces, at = [], start
    for m_start, m_end in markers:
        pieces.append(text[at:m_start])
        at = m_end
    pieces.append(text[at:end])
    return "".join(pieces), (start, end)


def read_document(div: Element) -> Reading:
    """Read a ``div[@type="document"]`` element into text, notes, page breaks and mentions."""
    return _Reader().run(div)
