"""Search reads from the actors and documents tables only the rows that could match, not the
whole tables (hundreds of thousands of documents after ingest); what it finds is unchanged."""

from __future__ import annotations

from timeline.db import Database
from timeline.models import Actor, Document
from timeline.search_records import _fields, search_records


def test_only_candidate_actors_and_documents_are_read(seeded: str) -> None:
    groups = ((("rusk",),),)
    with Database.open(seeded).session() as session:
        actors = session.query(Actor).count()
        documents = session.query(Document).count()
        read = list(_fields(session, None, groups))
        hits = search_records(session, groups, ())
    read_actors = [r for r in read if r[0] == "actor"]
    read_documents = [r for r in read if r[0] == "document"]
    assert 1 <= len(read_actors) < actors
    assert len(read_documents) < documents
    assert [h.key for h in hits if h.kind == "actor"] == [
        r[1] for r in read_actors if "rusk" in r[1]
    ]


def test_a_word_in_any_script_still_reads_everything(seeded: str) -> None:
    """SQL cannot fold non-ASCII case as Python does: such a word does not narrow the read."""
    with Database.open(seeded).session() as session:
        actors = session.query(Actor).count()
        read = list(_fields(session, "actor", ((("rüsk",),),)))
    assert len(read) == actors
