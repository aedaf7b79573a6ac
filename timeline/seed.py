"""Seeding: read the primary-source texts and their annotation files, check them, load them.

Reading is pure: :func:`read_seed` parses every text and annotation, finds every quote in its text
and checks every reference, without touching a database. :func:`load_seed` then writes the result
through the one loader (:mod:`timeline.loading`), in one transaction, matching rows by their
stable keys, so a second run changes nothing and a failed run changes nothing either.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from timeline import vocabulary
from timeline.annotations import (
    Entry,
    check_key,
    check_word,
    load_toml,
    parse_date,
    read_document,
    read_keyed,
)
from timeline.db import Database
from timeline.description_rule import plan_warnings
from timeline.errors import SeedError
from timeline.loading import LoadPlan, LoadSummary, Row, load_plan
from timeline.loading.frus import FrusReader
from timeline.paths import seed_dir as default_seed_dir

SEED_VOLUME = "frus1961-63v05"
SeedPlan = LoadPlan
SeedSummary = LoadSummary


def read_seed(directory: Path | None = None) -> LoadPlan:
    """Read and check the whole seed folder; raise ``SeedError`` naming the file and entry."""
    directory = directory or default_seed_dir()
    if not directory.is_dir():
        raise SeedError(f"seed folder '{directory}' does not exist")
    plan = LoadPlan()
    _read_sources(plan, directory / "sources.toml")
    _read_statutes(plan, directory / "statutes.toml")
    actor_entries = _read_actors(plan, directory / "actors.toml")
    texts = sorted(directory.glob("*.txt"))
    if not texts:
        raise SeedError(f"seed folder '{directory}' holds no texts (*.txt)")
    keyed = []  # annotation files naming a document by key (one of the volumes' documents)
    for annotation in sorted(directory.glob("*.toml")):
        if annotation.name in ("sources.toml", "statutes.toml", "actors.toml"):
            continue
        if isinstance(load_toml(annotation).get("document"), str):
            keyed.append(annotation)
        elif not annotation.with_suffix(".txt").exists():
            raise SeedError(f"{annotation.name}: no text {annotation.with_suffix('.txt').name}")
    for text_path in texts:
        read_document(plan, text_path)
    _read_volumes(plan, sorted(directory.glob("*.xml")))
    for annotation in keyed:
        read_keyed(plan, annotation)
    # Offices may cite a document, so they are checked once all documents are known.
    for entry in actor_entries:
        plan.offices[entry.data["key"]] = [
            _office(plan, Entry(office, f"{entry.where}, office {number}"))
            for number, office in enumerate(entry.list("offices"), start=1)
        ]
    names: dict[str, list[str]] = {key: [row["name"]] for key, row in plan.actors.items()}
    readings: list[tuple[str, str]] = []
    for document in plan.documents.values():
        for mention in document.mentions:
            names[mention["actor"]].append(mention["alias"])
        readings.extend((row["text"], row["reading"]) for row in document.readings)
    plan.warnings.extend(plan_warnings(plan.events, names, readings))
    return plan


def _read_volumes(plan: LoadPlan, paths: list[Path]) -> None:
    """FRUS TEI volumes (excerpts) through the ingest converter; where a volume holds a document
    the seed has as a text of its own, the seed's text is the one stored (and the volume's is
    reported as kept out)."""
    if not paths:
        return
    own = {key: doc.values["seed_file"] for key, doc in plan.documents.items()}
    reader = FrusReader(plan, seed_file=True)
    reader.kept.update(
        (key, f"the seed's own text of it ({name}) is the one stored") for key, name in own.items()
    )
    reader.read(paths)


def _read_sources(plan: LoadPlan, path: Path) -> None:
    for number, data in enumerate(load_toml(path).get("source", []), start=1):
        entry = Entry(data, f"{path.name}: source {number}")
        entry.check_fields({"key", "citation"}, {"url", "note"})
        key = entry.str("key")
        if key in plan.sources:
            raise entry.fail(f"duplicate key '{key}'")
        plan.sources[key] = {
            "citation": entry.str("citation"),
            "url": entry.str("url"),
            "note": entry.str("note"),
        }


def _read_statutes(plan: LoadPlan, path: Path) -> None:
    fields = (
        "title",
        "section",
        "short_title",
        "popular_title",
        "public_law",
        "statutes_at_large",
        "us_code",
        "chapter",
        "bill",
        "summary",
    )
    for number, data in enumerate(load_toml(path).get("statute", []), start=1):
        entry = Entry(data, f"{path.name}: statute {number}")
        entry.check_fields({"key", "title", "source"}, {*fields, "parent", "enacted"})
        key = entry.str("key")
        if key in plan.statutes:
            raise entry.fail(f"duplicate key '{key}'")
        parent = entry.str("parent")
        if parent is not None:
            check_key(entry, "parent statute", parent, plan.statutes)
        enacted = data.get("enacted")
        if enacted is not None and not isinstance(enacted, dt.date):
            raise entry.fail("'enacted' must be a TOML date (YYYY-MM-DD)")
        plan.statutes[key] = {
            **{name: entry.str(name) for name in fields},
            "parent": parent,
            "enacted": enacted,
            "source": check_key(entry, "source", entry.str("source"), plan.sources),
        }


def _read_actors(plan: LoadPlan, path: Path) -> list[Entry]:
    entries = []
    for number, data in enumerate(load_toml(path).get("actor", []), start=1):
        entry = Entry(data, f"{path.name}: actor {data.get('key', number)!s}")
        entry.check_fields(
            {"key", "name", "sort_name", "kind"}, {"frus_id", "description", "source", "offices"}
        )
        key = entry.str("key")
        if key in plan.actors:
            raise entry.fail(f"duplicate key '{key}'")
        source = entry.str("source")
        plan.actors[key] = {
            "name": entry.str("name"),
            "sort_name": entry.str("sort_name"),
            "kind": check_word(entry, "actor kind", entry.str("kind"), vocabulary.ACTOR_KINDS),
            "frus_id": entry.str("frus_id"),
            "description": entry.str("description"),
            "source": source and check_key(entry, "source", source, plan.sources),
        }
        if plan.actors[key]["frus_id"]:
            # The seed's FRUS ids are those of vol. V's persons list (facts.md).
            plan.identifiers[key] = [("frus", f"{SEED_VOLUME}#{plan.actors[key]['frus_id']}")]
        entries.append(entry)
    return entries


def _office(plan: LoadPlan, entry: Entry) -> Row:
    entry.check_fields({"title"}, {"term", "source", "document"})
    source, document = entry.str("source"), entry.str("document")
    if source is None and document is None:
        raise entry.fail("an office needs a 'source' or a 'document' that states it")
    term = entry.str("term")
    date = parse_date(entry, term) if term else None
    return {
        "title": entry.str("title"),
        "term_edtf": str(date) if date else None,
        "term_start": date.start if date else None,
        "term_end": date.end if date else None,
        "source": source and check_key(entry, "source", source, plan.sources),
        "document": document and check_key(entry, "document", document, plan.documents),
    }


def load_seed(database: Database, directory: Path | None = None) -> LoadSummary:
    """Check the seed, then load it in one transaction; nothing changes if anything fails."""
    return load_plan(database, read_seed(directory))
