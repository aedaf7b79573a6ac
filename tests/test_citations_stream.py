"""The Markdown report and export cite as they did before citations streamed, byte for byte.

tests/data/citations/*.md.gz were written by the code of commit 6e8a5a4, which read each cited
document and each actor with its own ORM query and remembered every document cited in a list:
`report --format markdown` (with and without --sources) over windows of every kind, and
`export markdown`, on the seed (seed.json.gz, its `export json` at that commit: dates of day,
month and year precision, approximate ones, intervals and an open start) and on three copies of
it made by the benchmark's generator. Batches and caches are made tiny here, so that every
batch boundary is crossed and documents and actors are evicted and read again.
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from conftest import benchmark_module

from timeline import chronology, citation_loading
from timeline.citation_loading import LRU, BatchCache

DATA = Path(__file__).parent / "data" / "citations"
WINDOWS = {
    "default": [],
    "1961-1970": ["--from", "1961", "--to", "1970"],
    "1961-02-03": ["--from", "1961-02", "--to", "1961-03"],
    "1951": ["--from", "1951", "--to", "1951"],
    "actor-rusk": ["--actor", "Rusk"],
    "document-crest": ["--document", "CREST"],
    "empty": ["--from", "1900", "--to", "1901"],
}


def _load(dataset: str, db: str, run: Callable[..., Result], tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_bytes(gzip.decompress((DATA / "seed.json.gz").read_bytes()))
    if dataset == "seed":
        run("--db", db, "import", str(seed))
        return
    module = benchmark_module("run")
    module.write_copies(json.loads(seed.read_text()), 3, tmp_path / "copies3.json")
    run("--db", db, "import", str(tmp_path / "copies3.json"))


@pytest.fixture
def tiny_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chronology, "BATCH", 3)
    monkeypatch.setattr(citation_loading, "BATCH", 2)
    monkeypatch.setattr(citation_loading, "CACHE", 2)


@pytest.mark.usefixtures("tiny_batches")
@pytest.mark.parametrize("dataset", ["seed", "copies3"])
def test_streamed_citations_are_the_old_ones(
    dataset: str, db_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    _load(dataset, db_url, run, tmp_path)
    compared = 0
    for golden in sorted(DATA.glob(f"{dataset}.*.md.gz")):
        name = golden.name.removesuffix(".md.gz").split(".")[1:]
        if name == ["export"]:
            args = ["export", "markdown"]
        else:
            args = ["report", *WINDOWS[name[0]], "--format", "markdown"]
            args += ["--sources"] if name[1:] == ["sources"] else []
        expected = gzip.decompress(golden.read_bytes()).decode("utf-8")
        assert run("--db", db_url, *args).stdout == expected, golden.name
        compared += 1
    assert compared == 2 * len(WINDOWS) + 1


def test_cache_is_bounded_and_a_batch_keeps_its_own() -> None:
    loads: list[list[str]] = []

    def load(keys: list[str]) -> dict[str, str]:
        loads.append(list(keys))
        return {key: key.upper() for key in keys if key != "missing"}

    cache: BatchCache[str] = BatchCache(load, size=2)
    cache.prefetch(["a", "b", "c", "a", "missing"])
    # The batch outgrew the cache, yet none of its keys is read again.
    assert [cache.get(k) for k in ("a", "b", "c", "missing")] == ["A", "B", "C", None]
    assert loads == [["a", "b", "c", "missing"]]
    cache.prefetch(["c", "d"])
    assert loads[-1] == ["d"]  # "c" was still cached
    assert len(cache._cache) == 2
    lru: LRU[str, int] = LRU(2)
    for n, key in enumerate("abca"):
        lru.put(key, n)
    assert "b" not in lru and lru.get("a") == 3 and len(lru) == 2


def test_a_value_kept_partial_is_read_again_where_a_whole_one_is_wanted() -> None:
    loads: list[tuple[str, list[str]]] = []

    def loader(kind: str) -> Callable[[list[str]], dict[str, tuple[str, bool]]]:
        def load(keys: list[str]) -> dict[str, tuple[str, bool]]:
            loads.append((kind, list(keys)))
            return {key: (key.upper(), kind == "whole") for key in keys}

        return load

    cache: BatchCache[tuple[str, bool]] = BatchCache(
        loader("whole"), size=4, partial=loader("partial"), whole=lambda value: value[1]
    )
    cache.prefetch(["a", "b"], whole={"a"})
    assert loads == [("whole", ["a"]), ("partial", ["b"])]
    assert cache.get("a") == ("A", True) and cache.get("b") == ("B", False)
    cache.prefetch(["a", "b", "c"], whole={"b"})  # a: kept whole, serves; b: kept partial
    assert loads[2:] == [("whole", ["b"]), ("partial", ["c"])]
    assert cache.get("b") == ("B", True)
    cache.prefetch(["a", "b", "c"])  # every key whole: c is read again
    assert loads[4:] == [("whole", ["c"])]


@pytest.mark.usefixtures("tiny_batches")
def test_a_document_cited_again_once_forgotten_is_read_for_its_citations_alone(
    db_url: str, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Markdown report reads a document whole (its text, for the signature note, and what
    its entry prints) where it is first cited; cited again once the cache has let it go, it
    is read without them. The report is the same (the golden, written before)."""
    from timeline import citations

    _load("copies3", db_url, run, tmp_path)
    calls: list[bool] = []
    original = citations.load_cited_documents

    def spy(session: object, keys: object, *, entries: bool = True) -> object:
        calls.append(entries)
        return original(session, keys, entries=entries)  # type: ignore[arg-type]

    monkeypatch.setattr(citations, "load_cited_documents", spy)
    golden = DATA / "copies3.1961-1970.sources.md.gz"
    expected = gzip.decompress(golden.read_bytes()).decode("utf-8")
    args = ["report", *WINDOWS["1961-1970"], "--format", "markdown", "--sources"]
    assert run("--db", db_url, *args).stdout == expected
    assert True in calls and False in calls, calls


def test_first_citation_is_told_by_sql(
    seeded: str, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report keeps no set of the documents cited: a window over the report's order tells
    each source whether it is its document's first citation."""
    from timeline.citations import Citations

    cited_sets: list[dict[str, None]] = []
    original = Citations.__init__

    def spy(self: Citations, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        cited_sets.append(self.cited)

    monkeypatch.setattr(Citations, "__init__", spy)
    output = run("--db", seeded, "report", "--format", "markdown", "--sources").stdout
    assert "Documents cited" in output and "[^1]: " in output
    assert cited_sets and all(not cited for cited in cited_sets)


def test_window_functions_run_on_the_backend(seeded: str) -> None:
    from timeline.citation_loading import documents_first_cited, first_citations
    from timeline.db import Database
    from timeline.report import EventFilter, Window, chronological_order, event_conditions

    database = Database.open(seeded)
    try:
        with database.session() as session:
            flt = EventFilter(Window.parse("1961", "1961"))
            conditions = event_conditions(session, flt)
            order = chronological_order(session.get_bind().dialect.name)
            firsts = list(first_citations(session, conditions, order))
            documents = list(documents_first_cited(session, conditions, order))
            assert [key for key, first in firsts if first] == documents
            assert len(set(documents)) == len(documents) == len({k for k, _ in firsts})
            assert session.scalar(sa.text("SELECT 1")) == 1
    finally:
        database.dispose()


def test_a_parts_cited_sources_are_the_wholes_in_its_stretch(seeded: str) -> None:
    """Each part's sources with their first citations, ranked only up to the part's end, are
    the whole report's in that stretch: the sources as Chronology.sources() gives them, each
    first where no source before it cites its document."""
    from timeline.chronology import Chronology
    from timeline.citation_loading import cited_sources
    from timeline.db import Database
    from timeline.report import EventFilter, Window
    from timeline.report_cuts import bounds

    database = Database.open(seeded)
    try:
        with database.session() as session:
            whole = Chronology(session, EventFilter(Window.parse("1930", "1984")))
            every = list(cited_sources(session, whole.conditions, whole.order))
            seen: set[str] = set()
            expected = []
            for source in whole.sources():
                expected.append((source, source["document"] not in seen))
                seen.add(source["document"])
            assert every == expected
            assert 0 < len(seen) < len(expected)  # some documents cited again
            edges = [None, *bounds(whole, 4), None]
            assert len(edges) > 3
            pieces = []
            for start, stop in itertools.pairwise(edges):
                part = whole.part(start, stop)
                pieces += cited_sources(
                    session, whole.conditions, whole.order, part.within, part.until
                )
            assert pieces == every
    finally:
        database.dispose()


def test_identities_selected_with_the_events_name_actors_as_loaded_ones_do(seeded: str) -> None:
    """The report selects each actor's words and offices with its event (records(identified=
    True)); they name every actor of every event as the identities read with all their
    aliases do, including where the words differ from the name."""
    from timeline.chronology import Chronology
    from timeline.db import Database
    from timeline.identities import Identities
    from timeline.report import EventFilter, Window

    database = Database.open(seeded)
    try:
        with database.session() as session:
            events = Chronology(session, EventFilter(Window.parse("1930", "1984")))
            loaded, selected = Identities(session), Identities(session, aliases=False)
            pairs = zip(events.records(), events.records(identified=True), strict=True)
            names = []
            for plain, identified in pairs:
                assert [a["key"] for a in plain["actors"]] == [
                    a["key"] for a in identified["actors"]
                ]
                for actor, carried in zip(plain["actors"], identified["actors"], strict=True):
                    names.append(loaded.named(actor, plain))
                    assert selected.named(carried, identified) == names[-1]
            assert any("identified from:" in name for name in names)
            assert any(name.startswith("“") for name in names)
            with pytest.raises(ValueError, match="carries no 'said'"):
                for plain in events.records():
                    for actor in plain["actors"]:
                        selected.named(actor, plain)
    finally:
        database.dispose()


def test_an_actor_no_outside_source_identifies_carries_no_words(seeded: str) -> None:
    """An actor's words are selected only where Identities.named can print them: for an actor
    an outside source identifies. The seed names actors no outside source identifies in the
    very documents their events cite: their words are there, and not read."""
    from timeline.chronology import Chronology
    from timeline.db import Database
    from timeline.identities import Identities
    from timeline.report import EventFilter, Window

    database = Database.open(seeded)
    try:
        with database.session() as session:
            events = Chronology(session, EventFilter(Window.parse("1930", "1984")))
            loaded = Identities(session)
            unread = 0
            for record in events.records(identified=True):
                cited = {s["document"] for s in record["sources"]}
                for actor in record["actors"]:
                    if actor["identity"] is not None:
                        assert actor["identity"].name_source or actor["identity"].offices
                        continue
                    assert actor["said"] is None, actor
                    who = loaded.identity(actor["key"])
                    assert who is not None
                    unread += any(document in cited for document, _ in who.aliases)
            assert unread > 0
    finally:
        database.dispose()


def test_a_batch_of_keys_is_one_parameter_on_postgresql(seeded: str, backend: str) -> None:
    """Documents and identities read a batch of keys with one statement per table; on
    PostgreSQL the keys go as one array (``= ANY``), not a parameter apiece, and what is read
    is what each key read alone gives."""
    from timeline.citations import load_cited_documents
    from timeline.db import Database
    from timeline.identities import load_identities

    database = Database.open(seeded)
    executed: list[tuple[str, object]] = []

    def record(_conn: object, _cursor: object, statement: str, parameters: object, *_: object):
        executed.append((statement, parameters))

    try:
        with database.session() as session:
            documents = list(session.scalars(sa.text("SELECT key FROM documents ORDER BY key")))
            actors = list(session.scalars(sa.text("SELECT key FROM actors ORDER BY key")))
            alone_documents = {k: load_cited_documents(session, [k])[k] for k in documents}
            alone_actors = {k: load_identities(session, [k])[k] for k in actors}
            sa.event.listen(database.engine, "before_cursor_execute", record)
            assert load_cited_documents(session, documents) == alone_documents
            assert load_identities(session, actors) == alone_actors
            sa.event.remove(database.engine, "before_cursor_execute", record)
    finally:
        database.dispose()
    assert len(executed) == 7  # documents, breaks, notes, readings; actors, aliases, offices
    if backend == "postgresql":
        for statement, parameters in executed:
            assert "= ANY (" in statement, statement
            assert isinstance(parameters, dict) and len(parameters) == 1, parameters
