"""Seeding: the texts verbatim, every quote where it says it is, idempotent and all-or-nothing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from conftest import dump

from timeline.db import Database
from timeline.errors import DatabaseError, SeedError
from timeline.paths import seed_dir
from timeline.seed import load_seed, read_seed

SEED_TEXTS = ("000_b383fc1ab894f415.txt", "004_cc4de62e6d221da1.txt")


def rows(url: str, sql: str) -> list[tuple[object, ...]]:
    database = Database.open(url)
    with database.connect() as connection:
        result = [tuple(r) for r in connection.execute(sa.text(sql))]
    database.dispose()
    return result


def test_seed_texts_are_the_shared_sources_verbatim(repo_root: Path) -> None:
    shared = repo_root.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("no shared/ beside this checkout")  # a lone clone; CI has shared/
    for name in SEED_TEXTS:
        assert (seed_dir() / name).read_bytes() == (shared / name).read_bytes()


def test_seed_loads_what_the_texts_establish(seeded: str) -> None:
    counts = dict(
        rows(
            seeded,
            "SELECT 'documents', count(*) FROM documents UNION ALL "
            "SELECT 'events', count(*) FROM events UNION ALL "
            "SELECT 'actors', count(*) FROM actors UNION ALL "
            "SELECT 'statutes', count(*) FROM statutes UNION ALL "
            "SELECT 'sources', count(*) FROM event_sources",
        )
    )
    # The seed's two texts, nine dated documents of the FRUS excerpt (issue 7) and their events.
    assert counts == {"documents": 17, "events": 28, "actors": 49, "statutes": 2, "sources": 56}


def test_documents_are_stored_verbatim_with_their_hash(seeded: str) -> None:
    for key, seed_file, text, digest in rows(
        seeded, "SELECT key, seed_file, text, text_sha256 FROM documents"
    ):
        if str(seed_file).endswith(".xml"):  # a FRUS volume's document: the text it gives
            assert digest == hashlib.sha256(str(text).encode("utf-8")).hexdigest()
            continue
        raw = (seed_dir() / str(seed_file)).read_bytes()
        assert str(text).encode("utf-8") == raw, key
        assert digest == hashlib.sha256(raw).hexdigest()


def test_every_quote_is_the_text_at_its_offsets(seeded: str) -> None:
    quotes = rows(
        seeded,
        "SELECT s.quote, s.char_start, s.char_end, d.text, "
        "substr(d.text, s.char_start + 1, s.char_end - s.char_start) "
        "FROM event_sources s JOIN documents d ON d.id = s.document_id",
    )
    assert len(quotes) == 56
    for quote, start, end, text, sql_slice in quotes:
        assert text[start:end] == quote == sql_slice  # type: ignore[index]


def test_aliases_keep_the_sources_spellings(seeded: str) -> None:
    aliases = {a for (a,) in rows(seeded, "SELECT alias FROM actor_aliases")}
    assert {"Wil iam J. Casey", "Mr. Dillon", "Soviet Deputy Premier Mikoyan"} <= aliases
    for alias, start, end, text in rows(
        seeded,
        "SELECT a.alias, a.char_start, a.char_end, d.text "
        "FROM actor_aliases a JOIN documents d ON d.id = a.document_id",
    ):
        assert text[start:end] == alias  # type: ignore[index]


def test_every_event_has_a_source_and_every_outside_fact_a_citation(seeded: str) -> None:
    assert (
        rows(
            seeded,
            "SELECT key FROM events WHERE id NOT IN (SELECT event_id FROM event_sources)",
        )
        == []
    )
    assert (
        rows(
            seeded,
            "SELECT title FROM offices WHERE external_source_id IS NULL AND document_id IS NULL",
        )
        == []
    )
    assert rows(seeded, "SELECT key FROM statutes WHERE external_source_id IS NULL") == []
    # names the texts do not give in full say where they come from
    unsourced = rows(
        seeded,
        "SELECT key FROM actors WHERE key IN ('kennedy', 'dillon', 'casey', 'mcnamar', "
        "'shultz') AND external_source_id IS NULL",
    )
    assert unsourced == []


def test_document_metadata_comes_from_the_texts(seeded: str) -> None:
    frus, crest = rows(
        seeded,
        "SELECT key, doc_number, date_edtf, archival_source, classification, release_date, "
        "approved_for_release, page_count, content_type, release_decision, sequence_number "
        "FROM documents WHERE seed_file NOT LIKE '%.xml' ORDER BY date_start",
    )
    assert frus[:5] == (
        "frus1961-63v05-d37",
        "37",
        "1961-02-26",
        "Department of State, Central Files, 411.616/2-2661",
        "Confidential",
    )
    assert crest[0] == crest[1] == "CIA-RDP88B00443R001500070028-8"
    assert crest[2] == "1984-05-16"
    assert [str(v) for v in crest[5:8]] == ["2007-08-27", "2007-08-29", "2"]
    assert crest[8:] == ("MEMO", "RIFPUB", 28)
    notes = rows(
        seeded,
        "SELECT n.number, n.text FROM document_notes n JOIN documents d ON d.id = n.document_id "
        "WHERE d.key = 'frus1961-63v05-d37' ORDER BY n.number",
    )
    assert [n for n, _ in notes] == [1, 2, 3]
    assert str(notes[1][1]).startswith("Presumably at the meeting")


def test_statutes_are_an_act_and_its_section(seeded: str) -> None:
    (section,) = rows(
        seeded,
        "SELECT s.section, s.us_code, s.statutes_at_large, p.title, p.public_law, "
        "p.statutes_at_large, p.enacted FROM statutes s JOIN statutes p ON p.id = s.parent_id",
    )
    assert section[:6] == (
        "307",
        "19 U.S.C. 1307",
        "46 Stat. 689",
        "Tariff Act of 1930",
        "Pub. L. 71-361",
        "46 Stat. 590",
    )
    assert str(section[6]) == "1930-06-17"


def test_a_first_seed_only_inserts(db_url: str, run: Callable[..., Result]) -> None:
    # The Act's section gets its parent after both are inserted: that is part of inserting it,
    # not an update of a stored row.
    result = run("--db", db_url, "seed")
    assert "inserted: " in result.stdout and "2 statutes" in result.stdout
    assert "updated:" not in result.stdout


def test_seeding_twice_changes_nothing(seeded: str, run: Callable[..., Result]) -> None:
    before = dump(seeded)
    result = run("--db", seeded, "seed")
    assert "nothing changed" in result.stdout
    assert dump(seeded) == before


def test_a_quote_not_in_its_text_is_refused_by_name(
    seeded: str, seed_copy: Path, run: Callable[..., Result]
) -> None:
    annotation = seed_copy / "004_cc4de62e6d221da1.toml"
    text = annotation.read_text(encoding="utf-8")
    annotation.write_text(
        text.replace("We estimate that there are approximately 2 million", "We estimate 3 million"),
        encoding="utf-8",
    )
    before = dump(seeded)
    result = run("--db", seeded, "seed", "--dir", str(seed_copy), expect=1)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "004_cc4de62e6d221da1.toml" in message
    assert "1984-05-16-cia-estimate-of-forced-laborers" in message
    assert "quote 2" in message and "not found" in message
    assert dump(seeded) == before


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '{ actor = "kuzmin", role = "denying" }',
            '{ actor = "kuzmin2", role = "denying" }',
            "unknown actor 'kuzmin2'",
        ),
        ('kind = "denial"', 'kind = "denail"', "unknown event kind 'denail'"),
        ('date = "1932-01-01"', 'date = "1932-13"', "no month 13"),
        ('date_basis = "bounded"', 'date_basis = "reckoned"', "unknown date basis 'reckoned'"),
        ('date_basis = "external"\n', "", "'date' needs a 'date_basis'"),
        ('resolve = "February 21"', 'resolve = "Februar 21"', "Februar 21"),
        ('date_text = "in 1951"', 'date_text = "in 1952"', "not found"),
        (
            '{ actor = "dillon", text = "Mr. Dillon" }',
            '{ actor = "dillon", text = "Mr. Dilon" }',
            "mention",
        ),
        ('title = "The Treasury banned', 'titel = "The Treasury banned', "missing field(s): title"),
        ('kind = "ban"', 'kind = "ban"\ncolour = "red"', "unknown field(s): colour"),
    ],
)
def test_bad_annotations_are_refused(seed_copy: Path, old: str, new: str, expected: str) -> None:
    annotation = seed_copy / "000_b383fc1ab894f415.toml"
    text = annotation.read_text(encoding="utf-8")
    assert old in text
    annotation.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SeedError, match=re.escape(expected)) as caught:
        read_seed(seed_copy)
    assert str(caught.value).startswith("000_b383fc1ab894f415.toml")


def test_a_text_changed_under_its_annotations_is_refused(seed_copy: Path) -> None:
    path = seed_copy / "000_b383fc1ab894f415.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Mr. Dillon", "Secretary Dillon"),
        encoding="utf-8",
    )
    with pytest.raises(SeedError, match=re.escape("Mr. Dillon")):
        read_seed(seed_copy)


def test_a_failure_while_writing_leaves_the_database_as_it_was(
    seeded: str, seed_copy: Path
) -> None:
    """A conflict only the database can see (a duplicate FRUS id) rolls everything back."""
    actors = seed_copy / "actors.toml"
    text = actors.read_text(encoding="utf-8")
    actors.write_text(
        text.replace(
            'key = "kuzmin"\nname = "Kuzmin"', 'key = "kuzmin"\nname = "Kuzmin"\nfrus_id = "p_RD1"'
        ),
        encoding="utf-8",
    )
    # and an edit that, alone, would be written: it must be rolled back too
    statutes = seed_copy / "statutes.toml"
    statutes.write_text(
        statutes.read_text(encoding="utf-8").replace("Smoot–Hawley", "Hawley–Smoot"),
        encoding="utf-8",
    )
    before = dump(seeded)
    database = Database.open(seeded)
    with pytest.raises(DatabaseError):
        load_seed(database, seed_copy)
    database.dispose()
    assert dump(seeded) == before


def test_seed_refuses_a_database_without_the_schema(db_url: str) -> None:
    database = Database.open(db_url)
    with pytest.raises(DatabaseError, match="timeline init"):
        load_seed(database)
    database.dispose()


def test_a_mention_outside_its_within_passage_is_refused(seed_copy: Path) -> None:
    annotation = seed_copy / "004_cc4de62e6d221da1.toml"
    text = annotation.read_text(encoding="utf-8")
    old = '{ actor = "cia-er", text = "ER", within = "ER File" }'
    assert old in text
    annotation.write_text(
        text.replace(old, '{ actor = "cia-er", text = "ER", within = "OGC 1" }'), encoding="utf-8"
    )
    with pytest.raises(SeedError, match=re.escape("""'ER' is not part of "OGC 1\"""")):
        read_seed(seed_copy)
