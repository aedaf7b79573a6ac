"""The volume benchmarks/ingest.py builds is a valid FRUS volume that ingests cleanly: the
benchmark measures a real load, not an error path. No timings here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from click.testing import Result
from conftest import benchmark_module, planner_sizes, reset_postgres

from timeline.export.tables import tables
from timeline.planner_statistics import analyze_changed
from timeline.sources import read_volume


def test_the_generated_volume_follows_on(tmp_path: Path) -> None:
    volume = benchmark_module("ingest").build_volume(tmp_path / "v.xml", 40)
    parsed = read_volume(volume)
    assert len(parsed.persons) > 100 and len(parsed.terms) > 100
    numbers = [int(d.number or 0) for d in parsed.documents]
    assert numbers == list(range(30, 70))
    assert len({d.key for d in parsed.documents}) == 40
    assert [d.title.split(" ")[0] for d in parsed.documents[16:18]] == ["Memorandum", "Editorial"]
    pages = [int(d.page_first) for d in parsed.documents if d.page_first and d.page_first.isdigit()]
    assert pages == sorted(pages) and pages[-1] > 99 + 22  # the third copy's pages follow on
    second = parsed.documents[16]  # d30's copy: its notes and breaks kept, at its own offsets
    assert [n.number for n in second.notes] == [n.number for n in parsed.documents[0].notes]
    assert [pb.page for pb in second.page_breaks] == ["100"]


def test_the_generated_volume_ingests_and_checks(
    tmp_path: Path, db_url: str, run: Callable[..., Result]
) -> None:
    volume = benchmark_module("ingest").build_volume(tmp_path / "v.xml", 40)
    result = run("--db", db_url, "ingest", "frus", str(volume))
    assert result.stdout.splitlines()[0].endswith(": 40 documents, 24 events")
    assert "no problems" in run("--db", db_url, "check").stdout
    again = run("--db", db_url, "ingest", "frus", str(volume))
    assert "nothing changed" in again.stdout


def test_a_postgresql_ingest_brings_the_statistics_of_what_it_changed(
    tmp_path: Path, postgres_url: str, run: Callable[..., Result]
) -> None:
    """As an import does (tests/test_import_copy.py): a load that changes a table by as much as
    autovacuum waits for analyzes it before it commits, so the next report is planned for the
    rows there are; a table changed by less is left to autovacuum."""
    reset_postgres(postgres_url)
    volume = benchmark_module("ingest").build_volume(tmp_path / "v.xml", 120)
    run("--db", postgres_url, "ingest", "frus", str(volume))
    counted, planned = planner_sizes(postgres_url, [*(i.name for i in tables()), "search_index"])
    analyzed = {name for name, rows in counted.items() if rows >= 50}  # autovacuum's threshold
    assert {"documents", "events", "actor_aliases", "page_breaks", "search_index"} <= analyzed
    assert {name: planned[name] for name in analyzed} == {name: counted[name] for name in analyzed}
    assert all(planned[name] == -1 for name in counted.keys() - analyzed)  # never sampled

    # a load of a few documents more is not made to sample the tables; a tenth more is
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        assert analyze_changed(connection, {"documents": 3, "events": 2, "event_sources": 2}) == []
        grown = {"documents": counted["search_index"], "offices": 49}  # past both thresholds
        assert analyze_changed(connection, grown) == ["documents", "search_index"]
    engine.dispose()
