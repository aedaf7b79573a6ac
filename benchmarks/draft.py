"""How much of the curator's work `timeline draft` finds, on the two seed texts.

For each seed document, its curated events are hidden (drafting reads only the text, the
document's date and notes, and the stored actors and statutes) and its candidates drafted. Then:

- recall: the share of the curated quotes of that document that overlap a candidate's quote;
- noise: candidates per curated event.

Run ``.venv/bin/python benchmarks/draft.py`` (a fresh seeded SQLite database in a temporary
folder). Give FRUS TEI files or folders as arguments to ingest them too and print how many
candidates each of their documents gets (they have no curated events to compare with).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from sqlalchemy import select
from tabulate import tabulate

from timeline.db import Database
from timeline.drafting.store import draft_document
from timeline.loading import load_plan
from timeline.loading.frus import frus_paths, read_frus
from timeline.models import Document, Event, EventSource
from timeline.seed import load_seed

SEED_DOCUMENTS = ("frus1961-63v05-d37", "CIA-RDP88B00443R001500070028-8")


def _curated(database: Database, key: str) -> tuple[list[tuple[int, int]], int]:
    with database.session() as session:
        rows = session.execute(
            select(EventSource.char_start, EventSource.char_end, Event.key)
            .join(Document, Document.id == EventSource.document_id)
            .join(Event, Event.id == EventSource.event_id)
            .where(Document.key == key)
        ).all()
    return [(start, end) for start, end, _ in rows], len({event for _, _, event in rows})


def main(arguments: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(str(Path(folder) / "draft.db"))
        database.upgrade()
        load_seed(database)
        rows = []
        for key in SEED_DOCUMENTS:
            quotes, events = _curated(database, key)
            _, candidates = draft_document(database, key)
            hit = sum(any(s < c.end and c.start < e for c in candidates) for s, e in quotes)
            rows.append(
                (
                    key,
                    events,
                    len(quotes),
                    len(candidates),
                    f"{hit}/{len(quotes)} = {hit / len(quotes):.0%}",
                    f"{len(candidates) / events:.2f}",
                )
            )
        print(
            tabulate(
                rows,
                headers=["document", "events", "quotes", "candidates", "recall", "noise"],
                tablefmt="github",
            )
        )
        if arguments:
            load_plan(database, read_frus(frus_paths([Path(a) for a in arguments])))
            with database.session() as session:
                keys = list(
                    session.scalars(select(Document.key).where(Document.key.not_in(SEED_DOCUMENTS)))
                )
            counts = [(key, len(draft_document(database, key)[1])) for key in sorted(keys)]
            print()
            print(tabulate(counts, headers=["document", "candidates"], tablefmt="github"))
        database.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
