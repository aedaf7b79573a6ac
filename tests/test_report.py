"""`timeline report`: chronological order, date windows, filters and formats, as users see them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from click.testing import Result

CHRONOLOGY = [
    "1930-06-17-tariff-act-enacted",
    "1945-forced-labor-soviet-crab-industry",
    "1951-eyewitness-affidavits",
    "1951-treasury-finding",
    "1951-soviet-crab-meat-ban",
    "1956-1961-soviet-denials",
    "1961-02-21-crab-meat-discussion",
    "1961-02-22-message-to-khrushchev",
    "1961-02-26-rusk-recommends-lifting-ban",
    "1984-cia-past-information-to-customs",
    "1984-05-16-casey-letter-to-regan",
    "1984-05-16-cia-estimate-of-forced-laborers",
    "1984-05-16-cia-conclusion-on-probative-value",
    "1984-05-16-casey-memorandum-to-shultz",
    "1984-05-17-letter-distributed",
]


def report_json(run: Callable[..., Result], db: str, *args: str) -> list[dict[str, object]]:
    return json.loads(run("--db", db, "report", "--format", "json", *args).stdout)


def keys(events: list[dict[str, object]]) -> list[object]:
    return [event["key"] for event in events]


def test_first_report_creates_and_seeds_the_database(
    db_url: str, run: Callable[..., Result]
) -> None:
    result = run("--db", db_url, "report")
    assert "creating it and loading the seed" in result.stderr
    assert "loaded 2 documents, 16 events" in result.stderr
    assert "17 Jun 1930" in result.stdout and "Tariff Act of 1930 enacted" in result.stdout
    again = run("--db", db_url, "report")
    assert again.stderr == ""
    assert again.stdout == result.stdout


def test_default_report_is_1930_through_1984_in_order(
    seeded: str, run: Callable[..., Result]
) -> None:
    events = report_json(run, seeded)
    assert keys(events) == CHRONOLOGY
    dates = [event["date"] for event in events]
    assert dates[:6] == [
        "17 Jun 1930",
        "c. 1945",
        "c. 1945 – 1951",
        "1951",
        "1951",
        "c. 1956 – 26 Feb 1961",
    ]
    assert dates[9] == "by 16 May 1984"


def test_json_has_what_the_issue_promises(seeded: str, run: Callable[..., Result]) -> None:
    events = report_json(run, seeded, "--from", "1961-02-26", "--to", "1961-02-26")
    (event,) = [e for e in events if e["key"] == "1961-02-26-rusk-recommends-lifting-ban"]
    assert {
        k: event[k] for k in ("date", "edtf", "date_start", "date_end", "precision", "kind")
    } == {
        "date": "26 Feb 1961",
        "edtf": "1961-02-26",
        "date_start": "1961-02-26",
        "date_end": "1961-02-26",
        "precision": "day",
        "kind": "recommendation",
    }
    assert {"name": "C. Douglas Dillon", "role": "concurring", "key": "dillon"} in event["actors"]
    assert event["statutes"] == [
        {
            "key": "tariff-act-1930-s307",
            "citation": "Tariff Act of 1930 § 307, 46 Stat. 689, 19 U.S.C. 1307",
            "relation": "cited",
        }
    ]
    source = event["sources"][2]
    assert source["document"] == "frus1961-63v05-d37"
    assert source["quote"].startswith("In the Departmentʼs opinion")  # the text's own U+02BC
    assert source["char_end"] - source["char_start"] == len(source["quote"])


def test_window_selects_events_whose_range_overlaps_it(
    seeded: str, run: Callable[..., Result]
) -> None:
    # the CIA's undated help to Customs ("by 16 May 1984") could fall in any earlier window
    undated = "1984-cia-past-information-to-customs"
    # the denials run c. 1956 – 26 Feb 1961: inside a window of 1958 alone
    assert keys(report_json(run, seeded, "--from", "1958", "--to", "1958")) == [
        "1956-1961-soviet-denials",
        undated,
    ]
    # "1951" overlaps June 1951; so do the affidavits (c. 1945 – 1951)
    assert keys(report_json(run, seeded, "--from", "1951-06", "--to", "1951-06-30")) == [
        "1951-eyewitness-affidavits",
        "1951-treasury-finding",
        "1951-soviet-crab-meat-ban",
        undated,
    ]
    assert keys(report_json(run, seeded, "--from", "1961-02-22", "--to", "1961-02-22")) == [
        "1956-1961-soviet-denials",
        "1961-02-22-message-to-khrushchev",
        undated,
    ]
    assert keys(report_json(run, seeded, "--from", "1984-05-17", "--to", "1984-05")) == [
        "1984-05-17-letter-distributed"
    ]
    later = report_json(run, seeded, "--from", "1985", "--to", "2010")
    assert keys(later) == ["2007-08-29-cia-release"]
    assert keys(report_json(run, seeded, "--from", "1932", "--to", "1940")) == [undated]


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        (
            "--actor",
            "rusk",
            ["1961-02-21-crab-meat-discussion", "1961-02-26-rusk-recommends-lifting-ban"],
        ),
        ("--actor", "Wil iam", None),  # the OCR'd alias finds Casey
        ("--actor", "Mikoyan", ["1956-1961-soviet-denials"]),
        (
            "--statute",
            "tariff-act-1930",
            ["1930-06-17-tariff-act-enacted", "1951-soviet-crab-meat-ban"],
        ),
        ("--statute", "19 U.S.C. 1307", None),
        ("--document", "CIA-RDP88B00443R001500070028-8", None),
        ("--kind", "Denial", ["1956-1961-soviet-denials"]),
    ],
)
def test_filters(
    seeded: str, run: Callable[..., Result], option: str, value: str, expected: list[str] | None
) -> None:
    found = keys(report_json(run, seeded, option, value))
    if option == "--actor" and value == "Wil iam":
        assert found == [k for k in CHRONOLOGY if "casey" in k or "conclusion" in k]
    elif option == "--statute" and value == "19 U.S.C. 1307":
        assert found == [
            "1930-06-17-tariff-act-enacted",
            "1951-treasury-finding",
            "1951-soviet-crab-meat-ban",
            "1961-02-26-rusk-recommends-lifting-ban",
            "1984-05-16-casey-letter-to-regan",
            "1984-05-16-cia-conclusion-on-probative-value",
        ]
    elif option == "--document":
        assert found == [k for k in CHRONOLOGY if k.startswith("1984")]
    else:
        assert found == expected


def test_markdown_is_a_chronology_with_numbered_source_notes(
    seeded: str, run: Callable[..., Result]
) -> None:
    text = run("--db", seeded, "report", "-f", "markdown", "--sources").stdout
    assert text.startswith("# Chronology, 1930–1984\n")
    assert "## 17 Jun 1930 — Tariff Act of 1930 enacted" in text
    assert text.count("[^1]") == 2  # the mark and its note
    assert "[^34]" not in text  # the 2007 release is outside the window: 31 notes
    # issue 9: the full citation the first time a document is cited, its short form after
    assert "[^31]: CREST, CIA-RDP88B00443R001500070028-8 (" in text
    assert "“Section 307 of the Tariff Act of 1930”" in text
    assert text.index("## 17 Jun 1930") < text.index("## c. 1945") < text.index("## 1951")


def test_csv_has_one_row_per_event(seeded: str, run: Callable[..., Result]) -> None:
    table = list(
        csv.DictReader(io.StringIO(run("--db", seeded, "report", "-f", "csv", "--sources").stdout))
    )
    assert [row["key"] for row in table] == CHRONOLOGY
    assert table[0]["edtf"] == "1930-06-17"
    assert table[0]["quotes"] == "Section 307 of the Tariff Act of 1930"
    assert "Dean Rusk (author)" in table[8]["actors"]


def test_table_shows_quotes_only_when_asked(seeded: str, run: Callable[..., Result]) -> None:
    plain = run("--db", seeded, "report", "--from", "1930", "--to", "1930").stdout
    quoted = run("--db", seeded, "report", "--from", "1930", "--to", "1930", "--sources").stdout
    assert "“Section 307 of the Tariff Act" not in plain
    assert "“Section 307 of the Tariff Act" in quoted


def test_postgresql_and_sqlite_give_identical_reports(
    tmp_path, postgres_url: str, run: Callable[..., Result]
) -> None:
    from conftest import reset_postgres

    if "postgresql" not in __import__("conftest").BACKENDS:
        pytest.skip("TIMELINE_TEST_BACKENDS leaves PostgreSQL out")
    reset_postgres(postgres_url)
    sqlite = str(tmp_path / "parity.db")
    for fmt in ("table", "markdown", "csv", "json"):
        for args in ([], ["--sources"], ["--from", "1900", "--to", "2020"]):
            outputs = [
                run("--db", db, "report", "-f", fmt, *args).stdout for db in (sqlite, postgres_url)
            ]
            assert outputs[0] == outputs[1], (fmt, args)
