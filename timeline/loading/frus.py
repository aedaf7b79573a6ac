"""FRUS TEI volumes as a load plan: documents, their notes and page breaks, the persons they name,
one event per dated document, and the volume's glossary.

Persons become actors only when a document names them (the persons list describes the whole
volume); each is looked for among the stored actors first (:mod:`timeline.loading.reconcile`).
A document without a date of its own (an editorial note has no dateline, and older volumes no
``frus:doc-dateTime``) is dated by its place in the volume, which the editors arrange in
chronological order: from the date of the document printed before it to that of the one printed
after it (``1961-02-17/1961-02-18``), open-ended at either end of the volume, with the date basis
"placement" and a note naming both neighbours. Such a document is stored, quotable and searchable,
but it is the editors' text, not an act of the period: it makes no event of its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from timeline.dates import HistDate
from timeline.errors import LoadError
from timeline.loading.plan import ActorMatch, DocumentPlan, EventPlan, LoadPlan, Row
from timeline.loading.reconcile import name_key
from timeline.sources import iter_volume
from timeline.sources.parsed import DocumentRecord, PersonRecord, TermRecord, VolumeHeader

SCHEME = "frus"
SEED_VOLUME = "frus1961-63v05"  # the volume whose persons-list ids the seed's frus_id holds
DOCUMENT_ROLES = {
    "author": "author",
    "recipient": "recipient",
    "signer": "signer",
    "participant": "participant",
    "mentioned": "mentioned",
}
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(name: str) -> str:
    """A stable key from a name: "Rusk, Dean" gives "rusk-dean"."""
    return _SLUG.sub("-", name_key(name)).strip("-") or "actor"


def citation(volume: str, number: str | None, pages: str | None) -> str:
    cited = f"Foreign Relations of the United States, {volume}"
    if number:
        cited += f", Document {number}"
    if pages:
        cited += f", {'pp.' if '–' in pages else 'p.'} {pages}"
    return cited


class FrusReader:
    """Adds FRUS volumes to a plan, file by file; ``keep`` names keys the plan must not take."""

    def __init__(self, plan: LoadPlan | None = None, *, seed_file: bool = False) -> None:
        self.plan = plan or LoadPlan()
        self.seed_file = seed_file
        self.origins: dict[str, str] = {key: d.origin for key, d in self.plan.documents.items()}
        self.kept: dict[str, str] = {}  # key -> why another text is kept (the seed's own)

    def read(self, paths: Iterable[Path], tick: Callable[[int], None] | None = None) -> LoadPlan:
        """Add every volume at ``paths``; ``tick`` is told the bytes read as they are read."""
        for path in paths:
            self.read_volume(path, tick)
        return self.plan

    def read_volume(self, path: Path, tick: Callable[[int], None] | None = None) -> None:
        header: VolumeHeader | None = None
        persons: dict[str, PersonRecord] = {}
        # Undated documents wait for the next dated one, which bounds them (at most a few).
        self.undated: list[DocumentRecord] = []
        self.previous: DocumentRecord | None = None
        for item in iter_volume(path, tick):
            if isinstance(item, VolumeHeader):
                header = item
            elif isinstance(item, PersonRecord):
                persons[item.frus_id] = item
            elif isinstance(item, TermRecord):
                self.plan.glossary.append(
                    {
                        "volume": item.volume_id,
                        "term_id": item.term_id,
                        "term": item.term,
                        "expansion": item.expansion,
                    }
                )
            else:
                assert header is not None
                if item.date is None:
                    self.undated.append(item)
                    continue
                self.place_undated(path, header, persons, item)
                self.document(path, header, persons, item)
                self.previous = item
        if header is not None:
            self.place_undated(path, header, persons, None)

    def place_undated(
        self,
        path: Path,
        header: VolumeHeader,
        persons: dict[str, PersonRecord],
        following: DocumentRecord | None,
    ) -> None:
        """Date the documents waiting in ``self.undated`` by the dated documents around them."""
        before, after = self.previous, following
        for r in self.undated:
            if before is None and after is None:
                self.plan.skipped.append(
                    (r.key, f"{r.doc_type} with no date, and no dated document in its volume")
                )
                continue
            assert before is None or before.date is not None
            assert after is None or after.date is not None
            low = before.date.start.isoformat() if before is not None and before.date else ".."
            high = after.date.end.isoformat() if after is not None and after.date else ".."
            if ".." not in (low, high) and low > high:
                # Out of date order: a new chapter of a volume arranged by topic. The note
                # belongs with what follows it; the one before says nothing of its date.
                low, before = "..", None
            dated = replace(
                r,
                date=HistDate.parse(low if low == high else f"{low}/{high}"),
                date_basis="placement",
            )
            sides = [
                f"{where} doc. {n.number} ({n.date.edtf})"
                for where, n in (("after", before), ("before", after))
                if n is not None and n.date is not None
            ]
            note = (
                "Undated in the edition; dated by its place in the volume, which is arranged in "
                f"chronological order: it stands {' and '.join(sides)}."
            )
            self.document(path, header, persons, dated, note)
        self.undated = []

    def document(
        self,
        path: Path,
        header: VolumeHeader,
        persons: dict[str, PersonRecord],
        r: DocumentRecord,
        note: str | None = None,
    ) -> None:
        plan = self.plan
        if r.key in self.kept:
            plan.skipped.append((r.key, self.kept[r.key]))
            return
        if r.key in self.origins:
            raise LoadError(
                f"{path.name}: document {r.key} is also in {self.origins[r.key]} "
                "(one key, two texts in the same load)"
            )
        self.origins[r.key] = path.name
        assert r.date is not None  # undated documents come through place_undated
        values: Row = {
            "key": r.key,
            "title": r.title,
            "subject": None,
            "doc_type": r.doc_type,
            "collection": r.collection,
            "volume": r.volume,
            "doc_number": r.number,
            "pages": r.pages,
            "place": r.place,
            "citation": citation(r.volume, r.number, r.pages),
            "url": r.url,
            "archival_source": r.archival_source,
            "classification": r.classification,
            "date": r.date,
            "date_time": r.time,
            "date_basis": r.date_basis,
            "source_note": r.source_note,
            "metadata_note": note,
            "seed_file": path.name if self.seed_file else None,
            "text": r.text,
            "text_sha256": hashlib.sha256(r.text.encode("utf-8")).hexdigest(),
            "source": None,
        }
        doc = DocumentPlan(
            key=r.key, values=values, ignore=r.marker_spans, origin=path.name, additive=True
        )
        doc.notes = [
            {
                "number": n.number,
                "text": n.text,
                "char_start": n.span[0],
                "char_end": n.span[1],
                "marker_start": n.marker[0] if n.marker else None,
                "marker_end": n.marker[1] if n.marker else None,
            }
            for n in r.notes
        ]
        doc.page_breaks = [
            {"page": pb.page, "char_start": pb.offset, "in_note": pb.in_note}
            for pb in r.page_breaks
        ]
        links: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for m in r.mentions:
            actor = self.actor(header, persons, m.frus_id, m.name, m.element, m.role)
            if actor is None:
                continue
            link = (actor, DOCUMENT_ROLES[m.role])
            if link not in links:
                links.append(link)
            alias = r.text[m.span[0] : m.span[1]]
            if (actor, alias) not in seen:
                seen.add((actor, alias))
                doc.mentions.append(
                    {"actor": actor, "alias": alias, "char_start": m.span[0], "char_end": m.span[1]}
                )
        doc.actors = links
        plan.documents[r.key] = doc
        if r.event is None or r.event.date is None or r.date_basis == "placement":
            return
        start, end = r.event.quote
        actors = []
        for frus_id, name, role in r.event.actors:
            key = self.actor(header, persons, frus_id, name, "gloss", role)
            if key is not None and (key, role) not in actors:
                actors.append((key, role))
        plan.events[r.event.key] = EventPlan(
            key=r.event.key,
            values={
                "kind": r.event.kind,
                "title": r.event.title,
                # The converter's words, bracketed as the editor's (docs/annotations.md).
                "description": f"[{r.event.title} ({values['citation']})]",
                "date": r.event.date,
                "date_note": f"the document's date, from its {r.date_basis}",
                "date_basis": "document",
                "sequence": 0,
                "source": None,
            },
            actors=actors,
            statutes=[],
            sources=[
                {
                    "document": r.key,
                    "quote": r.text[start:end],
                    "char_start": start,
                    "char_end": end,
                }
            ],
        )

    def actor(
        self,
        header: VolumeHeader,
        persons: dict[str, PersonRecord],
        frus_id: str | None,
        name: str,
        element: str,
        role: str,
    ) -> str | None:
        """The plan key of the actor a mention names; None for an unlisted passing mention."""
        plan = self.plan
        person = persons.get(frus_id) if frus_id else None
        if person is not None:
            ident = (SCHEME, f"{header.volume_id}#{person.frus_id}")
            key = slug(person.name)
            match = plan.matches.get(key)
            if match is None:
                plan.actors[key] = {
                    "name": person.display_name,
                    "sort_name": person.name,
                    "kind": "person",
                    "frus_id": None,
                    "description": person.description,
                    "source": None,
                }
                match = plan.matches[key] = ActorMatch(names=(person.display_name,))
            if ident not in match.identifiers:
                match.identifiers = (*match.identifiers, ident)
                if header.volume_id == SEED_VOLUME:
                    match.frus_id = person.frus_id
                plan.identifiers.setdefault(key, []).append(ident)
            return key
        if role == "mentioned":
            return None  # an unlisted name in passing: not enough to make an actor of
        key = slug(name)
        if key not in plan.matches:
            plan.actors[key] = {
                "name": name,
                "sort_name": name,
                "kind": "person" if element == "persName" else "organization",
                "frus_id": None,
                "description": None,
                "source": None,
            }
            plan.matches[key] = ActorMatch(names=(name,))
        return key


def frus_paths(arguments: Iterable[Path]) -> list[Path]:
    """The XML files named, a directory standing for the ``*.xml`` files in it (sorted)."""
    paths: list[Path] = []
    for argument in arguments:
        if argument.is_dir():
            found = sorted(argument.glob("*.xml"))
            if not found:
                raise LoadError(f"{argument}: no .xml files in this directory")
            paths.extend(found)
        else:
            paths.append(argument)
    return paths


def read_frus(paths: Iterable[Path], tick: Callable[[int], None] | None = None) -> LoadPlan:
    """A load plan for the FRUS TEI volumes at ``paths`` (files or directories of ``*.xml``);
    ``tick`` is called with the bytes read, adding up to the files' sizes."""
    return FrusReader().read(frus_paths(paths), tick)
