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


def test_records_stop_at_the_limit_and_keep_their_order(seeded: str) -> None:
    """The first N records are the first N of the whole list: reading stops once they are found."""
    groups = ((("secretary",),),)
    with Database.open(seeded).session() as session:
        every = search_records(session, groups, ())
        first = search_records(session, groups, (), limit=2)
    assert len(every) > 2
    assert first == every[:2]


def test_no_full_text_query_when_records_fill_the_limit(seeded: str) -> None:
    """Records are listed first: when they fill the limit no full-text hit could be shown."""
    from sqlalchemy import event

    from timeline.search import search

    database = Database.open(seeded)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", seen)
    with database.session() as session:
        hits = search(session, "secretary", limit=1)
        assert [h.kind for h in hits] == ["actor"]
        assert not any("search_index" in s for s in statements)
        statements.clear()
        assert len(search(session, "secretary", limit=200)) > 1
    assert any("search_index" in s for s in statements)
