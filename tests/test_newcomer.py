"""What a newcomer met (issue 6, section 5): an empty database, search by number and citation,
tables on an 80-column terminal, and `show`/`report` taking what a reader types."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result

CREST = "CIA-RDP88B00443R001500070028-8"
EMPTY_HINT = "holds no records yet; run 'timeline seed' to load the seed, or 'timeline import FILE'"


def keys(run: Callable[..., Result], db: str, *args: str) -> list[str]:
    return [r["key"] for r in json.loads(run("--db", db, *args, "--format", "json").stdout)]


def found(run: Callable[..., Result], db: str, *query: str) -> set[tuple[str, str]]:
    rows: list[dict[str, Any]] = json.loads(
        run("--db", db, "search", *query, "-n", "1000", "-f", "json").stdout
    )
    return {(row["kind"], row["key"]) for row in rows}


@pytest.mark.parametrize("command", [["report"], ["search", "crab"], ["events"], ["actors"]])
def test_an_initialised_empty_database_says_how_to_fill_it(
    db_url: str, run: Callable[..., Result], command: list[str]
) -> None:
    run("--db", db_url, "init")
    result = run("--db", db_url, *command)
    assert result.stderr.splitlines()[0].endswith(EMPTY_HINT)
    run("--db", db_url, "seed")
    assert EMPTY_HINT not in run("--db", db_url, *command).stderr


def test_search_finds_the_statute_by_its_citations(seeded: str, run: Callable[..., Result]) -> None:
    statute = ("statute", "tariff-act-1930-s307")
    for query in ("1307", "19 U.S.C. 1307", "Section 307", "46 Stat. 689", "Smoot"):
        hits = found(run, seeded, query)
        assert statute in hits or ("statute", "tariff-act-1930") in hits, query
    # the descriptions cite the section too, in the editor's brackets (issue 9)
    assert found(run, seeded, "1307") == {
        statute,
        ("event", "1984-05-16-casey-letter-to-regan"),
        ("event", "1930-06-17-tariff-act-enacted"),
    }
    assert found(run, seeded, "Section 307", "--kind", "statute") == {statute}


def test_search_finds_the_crest_number_and_actors(seeded: str, run: Callable[..., Result]) -> None:
    assert ("document", CREST) in found(run, seeded, "R001500070028-8")
    assert found(run, seeded, "Dean Rusk", "--kind", "actor") == {("actor", "rusk")}
    assert ("actor", "dillon") in found(run, seeded, "Mr. Dillon")  # an alias
    assert ("actor", "casey") in found(run, seeded, "Director of Central Intelligence")  # office
    assert found(run, seeded, "Dean Rusk -Dean", "--kind", "actor") == set()
    table = run("--db", seeded, "search", "1307").stdout
    assert "│ statute │ tariff-act-1930-s307" in table and "**1307**" in table


def test_tables_fit_an_80_column_terminal(
    seeded: str, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    wide = run("--db", seeded, "report").stdout
    # piped: today's widths (the Date column's widest line is 11 since issue 9's dates)
    assert max(len(line) for line in wide.splitlines()) == 143
    monkeypatch.setenv("COLUMNS", "80")
    for command in (["report"], ["report", "--sources"], ["search", "Casey"], ["events"]):
        out = run("--db", seeded, *command).stdout
        assert max(len(line) for line in out.splitlines()) <= 80, command
    assert "The Tariff Act" in run("--db", seeded, "report").stdout


def test_show_prints_yes_and_no_and_finds_actors_by_name(
    seeded: str, run: Callable[..., Result]
) -> None:
    event = run("--db", seeded, "show", "1961-02-21-crab-meat-discussion").stdout
    assert "approximate  no\n" in event and "False" not in event
    assert run("--db", seeded, "show", "Dean Rusk").stdout.startswith("actor rusk\n")
    assert run("--db", seeded, "show", "mr. dillon").stdout.startswith("actor dillon\n")
    error = run("--db", seeded, "show", "Dean Rusks", expect=1).stderr
    assert error.endswith("did you mean rusk?\n") and error.count("\n") == 1


def test_report_takes_several_actors_and_kinds(seeded: str, run: Callable[..., Result]) -> None:
    rusk = keys(run, seeded, "report", "--actor", "Rusk")
    casey = keys(run, seeded, "report", "--actor", "Casey")
    both = keys(run, seeded, "report", "--actor", "Rusk", "--actor", "Casey")
    assert set(both) == set(rusk) | set(casey) and len(both) == len(rusk) + len(casey)
    assert keys(run, seeded, "report", "--kind", "REC") == [
        "1961-02-26-rusk-recommends-lifting-ban"
    ]
    assert len(keys(run, seeded, "report", "--kind", "ban", "--kind", "denial")) == 2
    assert "--actor TEXT" in run("report", "--help").stdout
    assert "repeatable" in run("report", "--help").stdout


def test_an_unknown_or_ambiguous_kind_lists_the_kinds(
    seeded: str, run: Callable[..., Result]
) -> None:
    error = run("--db", seeded, "report", "--kind", "coup", expect=1).stderr
    assert error.startswith(
        "Error: no event kind matches 'coup' (kinds: assessment, assistance, ban"
    )
    assert error.count("\n") == 1
    error = run("--db", seeded, "report", "--kind", "as", expect=1).stderr
    assert error == "Error: event kind 'as' could be assessment, assistance\n"
