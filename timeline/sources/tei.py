"""Stream a FRUS TEI volume (HistoryAtState/frus ``volumes/*.xml``) into plain records.

``iter_volume`` yields the :class:`VolumeHeader` first, then the persons and terms lists as they
come, then each document as soon as its ``div`` closes. Every finished element is detached from
the tree, so memory stays flat however long the volume. Bad input raises SourceFormatError with
the file name and a line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from timeline.errors import SourceFormatError
from timeline.sources.files import open_regular
from timeline.sources.parsed import (
    DocumentRecord,
    EventRecord,
    Mention,
    PersonRecord,
    TermRecord,
    VolumeHeader,
    VolumeItem,
)
from timeline.sources.tei_meta import (
    date_from_dateline,
    date_from_div,
    doc_type,
    event_kind,
    split_source_note,
)
from timeline.sources.tei_text import TEI, read_document
from timeline.sources.xml_prolog import check_prolog

__all__ = ["ParsedVolume", "iter_volume", "read_volume"]

XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
URL = "https://history.state.gov/historicaldocuments/{volume}/{doc}"
SERIES = "Foreign Relations of the United States"

_VOLUME_ID = re.compile(r"frus[0-9A-Za-z][0-9A-Za-z_-]*")
_WS = re.compile(r"\s+")
# Finished elements directly under these are detached once read.
_CONTAINERS = frozenset(
    f"{TEI}{name}" for name in ("TEI", "text", "front", "body", "back", "group", "div")
)


def _words(el: ET.Element | None) -> str:
    return _WS.sub(" ", "".join(el.itertext())).strip() if el is not None else ""


def _volume_string(*parts: str | None) -> str:
    return ", ".join(p for p in parts if p)


def _header(root: ET.Element, header: ET.Element, name: str, line: int) -> VolumeHeader:
    idno = header.find(f".//{TEI}publicationStmt/{TEI}idno[@type='frus']")
    volume_id = root.get(XML_ID) or _words(idno)
    if not _VOLUME_ID.fullmatch(volume_id):
        raise SourceFormatError(
            f"{name}, line {line}: a TEI file but not a FRUS volume "
            f"(no FRUS volume id such as 'frus1961-63v05' on <TEI xml:id> or <idno type=\"frus\">)"
        )
    titles = {
        t.get("type"): _words(t)
        for t in header.iterfind(f"{TEI}fileDesc/{TEI}titleStmt/{TEI}title")
    }
    series = _words(header.find(f"{TEI}fileDesc/{TEI}seriesStmt/{TEI}title"))
    sub, number, subject = (
        titles.get("sub-series"),
        titles.get("volume-number"),
        titles.get("volume"),
    )
    published = header.find(f".//{TEI}publicationStmt/{TEI}date")
    return VolumeHeader(
        volume_id=volume_id,
        collection=series or (titles.get("series") if titles.get("series") == SERIES else SERIES),
        title=titles.get("complete") or _volume_string(titles.get("series"), sub, number, subject),
        volume=_volume_string(sub, number, subject),
        sub_series=sub or None,
        volume_number=number or None,
        volume_title=subject or None,
        editors=tuple(_words(e) for e in header.iterfind(f".//{TEI}titleStmt/{TEI}editor")),
        published=_words(published) or None,
    )


def _person(volume_id: str, el: ET.Element, item: ET.Element) -> PersonRecord:
    name = _words(el)
    parts = [p.strip() for p in name.split(",")]
    whole = _words(item)
    description = whole.removeprefix(name) if whole.startswith(name) else whole.replace(name, "", 1)
    description = description.lstrip(" ,;:").strip() or None
    return PersonRecord(
        volume_id=volume_id,
        frus_id=el.get(XML_ID, ""),
        name=name,
        surname=parts[0],
        forenames=parts[1] if len(parts) > 1 and parts[1] else None,
        suffix=", ".join(p for p in parts[2:] if p) or None,
        description=description,
    )


def _term(volume_id: str, el: ET.Element, item: ET.Element) -> TermRecord:
    term = _words(el)
    whole = _words(item)
    expansion = whole.removeprefix(term) if whole.startswith(term) else whole
    return TermRecord(volume_id, el.get(XML_ID, ""), term, expansion.lstrip(" ,;:").strip())


class _Stream:
    def __init__(self, name: str, root_line: int) -> None:
        self.name = name
        self.root_line = root_line
        self.header: VolumeHeader | None = None
        self.page: str | None = None
        self.documents = 0

    def items(self, handle: BinaryIO) -> Iterator[VolumeItem]:
        stack: list[ET.Element] = []
        doc_depth = 0
        for event, el in ET.iterparse(handle, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if not stack and tag != f"{TEI}TEI":
                    raise SourceFormatError(
                        f"{self.name}, line {self.root_line}: not a TEI file "
                        f"(root element <{tag.rpartition('}')[2]}>, expected <TEI> "
                        "in the TEI namespace)"
                    )
                if tag == f"{TEI}text" and self.header is None:
                    raise SourceFormatError(
                        f"{self.name}, line {self.root_line}: not a FRUS volume (no teiHeader)"
                    )
                if tag == f"{TEI}div" and el.get("type") == "document":
                    doc_depth += 1
                stack.append(el)
                continue
            stack.pop()
            parent = stack[-1] if stack else None
            if tag == f"{TEI}div" and el.get("type") == "document":
                doc_depth -= 1
                if doc_depth == 0:
                    yield self.document(el)
            elif doc_depth:
                continue
            elif tag == f"{TEI}teiHeader":
                self.header = _header(stack[0], el, self.name, self.root_line)
                yield self.header
            elif tag == f"{TEI}pb" and el.get("n"):
                self.page = el.get("n")
            elif tag == f"{TEI}item" and self.header is not None:
                yield from self.entries(el)
            if parent is not None and parent.tag in _CONTAINERS:
                parent.remove(el)
        if self.documents == 0:
            raise SourceFormatError(
                f'{self.name}: no documents in this TEI file (no <div type="document">)'
            )

    def entries(self, item: ET.Element) -> Iterator[PersonRecord | TermRecord]:
        assert self.header is not None
        found = False
        for person in item.iter(f"{TEI}persName"):
            if person.get(XML_ID):
                found = True
                yield _person(self.header.volume_id, person, item)
                break
        for term in item.iter(f"{TEI}term"):
            if term.get(XML_ID) and not found:
                found = True
                yield _term(self.header.volume_id, term, item)
                break
        if found:
            # Nested lists (1980s volumes): the outer item must not find this entry again.
            item.clear()

    def document(self, div: ET.Element) -> DocumentRecord:
        if self.header is None:
            raise SourceFormatError(f"{self.name}: a document before the teiHeader")
        xml_id = div.get(XML_ID)
        if not xml_id:
            raise SourceFormatError(
                f"{self.name}: document {div.get('n') or self.documents + 1} has no xml:id"
            )
        self.documents += 1
        r = read_document(div)
        # A break before any text starts the document's first page; one after all its text
        # starts the next document's.
        first = self.page
        breaks = []
        for pb in r.page_breaks:
            if pb.in_note:
                breaks.append(pb)
            elif pb.offset == 0:
                first = pb.page
            elif pb.offset >= r.body_end:
                self.page = pb.page
                continue
            else:
                breaks.append(pb)
            if not pb.in_note:
                self.page = pb.page
        body_pages = [pb.page for pb in breaks if not pb.in_note]
        last = body_pages[-1] if body_pages else first
        first = _page_before(body_pages[0], first) if body_pages else first
        source = r.source_note.text if r.source_note else None
        archival, classification = split_source_note(source) if source else (None, None)
        kind = doc_type(r.title, div.get("subtype"), source)
        found = date_from_dateline(r.dateline) if r.dateline is not None else None
        basis = "dateline"
        if found is None:
            found, basis = date_from_div(div), "doc-dateTime"
        if found is None:
            basis = "none"
        date, time = found if found is not None else (None, None)
        key = f"{self.header.volume_id}-{xml_id}"
        title = r.title or f"Document {div.get('n') or xml_id}"
        event = None
        act = event_kind(kind)
        if act is not None and r.title:
            event = EventRecord(
                key=f"{key}-event",
                kind=act,
                title=title,
                date=date,
                time=time,
                place=r.place,
                actors=_event_actors(r.mentions),
                quote=r.title_span,
            )
        return DocumentRecord(
            key=key,
            volume_id=self.header.volume_id,
            xml_id=xml_id,
            collection=self.header.collection,
            volume=self.header.volume,
            number=div.get("n"),
            title=title,
            title_span=r.title_span,
            doc_type=kind,
            subtype=div.get("subtype"),
            date=date,
            time=time,
            date_basis=basis,
            place=r.place,
            source_note=source,
            archival_source=archival,
            classification=classification,
            page_first=first,
            page_last=last,
            url=URL.format(volume=self.header.volume_id, doc=xml_id),
            notes=tuple(r.notes),
            page_breaks=tuple(breaks),
            mentions=tuple(r.mentions),
            event=event,
            body_end=r.body_end,
            text=r.text,
        )


def _event_actors(mentions: list[Mention]) -> tuple[tuple[str | None, str, str], ...]:
    """Sender, recipient and participants; the signer is the sender when the head names none."""
    chosen: list[tuple[str | None, str, str]] = []
    seen: set[tuple[str, str]] = set()
    roles = {"author": "author", "recipient": "recipient", "participant": "participant"}
    if not any(m.role == "author" for m in mentions):
        roles["signer"] = "author"
    for m in mentions:
        role = roles.get(m.role)
        if role is None:
            continue
        ident = (m.frus_id or m.name, role)
        if ident in seen:
            continue
        seen.add(ident)
        chosen.append((m.frus_id, m.name, role))
    return tuple(chosen)


def iter_volume(
    path: Path | str, progress: Callable[[int], None] | None = None
) -> Iterator[VolumeItem]:
    """Yield the header, persons, terms and documents of a FRUS TEI volume, in file order.

    ``progress``, if given, is called with the bytes read since its last call, so that its
    calls add up to the file's size.
    """
    path = Path(path)
    stream = _Stream(path.name, check_prolog(path))
    try:
        with open_regular(path) as handle:
            if progress is None:
                yield from stream.items(handle)
                return
            done = 0
            for item in stream.items(handle):
                yield item
                at = handle.tell()
                if at > done:
                    progress(at - done)
                    done = at
            end = handle.seek(0, 2)
            if end > done:
                progress(end - done)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        raise SourceFormatError(
            f"{path.name}, line {line}, column {column + 1}: malformed XML ({reason})"
        ) from None
    except OSError as exc:
        raise SourceFormatError(f"{path.name}: cannot read the file ({exc.strerror})") from None


@dataclass(frozen=True)
class ParsedVolume:
    """A whole volume in memory: for small files and tests; loaders should stream."""

    header: VolumeHeader
    persons: tuple[PersonRecord, ...]
    terms: tuple[TermRecord, ...]
    documents: tuple[DocumentRecord, ...]


def read_volume(path: Path | str) -> ParsedVolume:
    """Collect :func:`iter_volume` into one value."""
    header = None
    persons: list[PersonRecord] = []
    terms: list[TermRecord] = []
    documents: list[DocumentRecord] = []
    for item in iter_volume(path):
        if isinstance(item, VolumeHeader):
            header = item
        elif isinstance(item, PersonRecord):
            persons.append(item)
        elif isinstance(item, TermRecord):
            terms.append(item)
        else:
            documents.append(item)
    assert header is not None
    return ParsedVolume(header, tuple(persons), tuple(terms), tuple(documents))


def _page_before(inner: str, previous: str | None) -> str | None:
    """The page a document starts on, when a break inside it starts page ``inner``: the page
    before that one, where the body's pages are numbered consecutively. The last break before the
    document says the same in a whole volume; in an excerpt that skips pages it would not (the
    1961-63 excerpt goes from its page 1 to document 30, which begins on p. 77)."""
    if inner.isdigit() and int(inner) > 1 and (previous is None or previous.isdigit()):
        return str(int(inner) - 1)
    return previous
