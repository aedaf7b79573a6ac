"""`timeline report`: chronological order, date windows, filters and formats, as users see them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from click.testing import Result

# Issue 9: the finding is one act with the ban; the labor, the affidavits and the denials are
# dated only "by" a day (placed at it); the distribution is the original's (17 May) and the
# undated WASHFAX's ("16 May 1984 onward"); the forced-labor provisions in force in 1932.
CHRONOLOGY = [
    "1930-06-17-tariff-act-enacted",
    "1932-01-01-forced-labor-provisions-in-force",
    "1951-soviet-crab-meat-ban",
    "soviet-crab-industry-labor-before-1951-ban",
    "eyewitness-affidavits-before-1951-ban",
    "frus1961-63v05-d30-event",
    "1961-02-18-hammer-reports-crab-meat-talks",
    "frus1961-63v05-d32-event",
    "1961-02-21-crab-meat-discussion",
    "1961-02-22-message-to-khrushchev",
    "frus1961-63v05-d36-event",
    "1961-02-26-rusk-recommends-lifting-ban",
    "soviet-denials-of-convict-labor-in-crab-industry",
    "frus1961-63v05-d39-event",
    "frus1961-63v05-d41-event",
    "frus1961-63v05-d42-event",
    "frus1961-63v05-d43-event",
    "frus1961-63v05-d44-event",
    "frus1961-63v05-d45-event",
    "1961-03-20-treasury-lifts-crab-meat-ban",
    "cia-past-information-to-customs",
    "1984-05-16-casey-letter-to-regan",
    "1984-05-16-cia-estimate-of-forced-laborers",
    "1984-05-16-cia-conclusion-on-probative-value",
    "1984-05-16-casey-memorandum-to-shultz",
    "washfax-to-mcnamar",
    "1984-05-17-original-to-addressee",
]
CIA_DOCUMENT = "CIA-RDP88B00443R001500070028-8"


def report_json(run: Callable[..., Result], db: str, *args: str) -> list[dict[str, object]]:
    return json.loads(run("--db", db, "report", "--format", "json", *args).stdout)


def keys(events: list[dict[str, object]]) -> list[object]:
    return [event["key"] for event in events]


def test_first_report_creates_and_seeds_the_database(
    db_url: str, run: Callable[..., Result]
) -> None:
    result = run("--db", db_url, "report")
    assert "creating it and loading the seed" in result.stderr
    assert "loaded 17 documents, 28 events" in result.stderr
    assert "17 Jun 1930" in result.stdout and "Tariff Act of 1930 was" in result.stdout
    again = run("--db", db_url, "report")
    assert again.stderr == ""
    assert again.stdout == result.stdout


def test_default_report_is_1930_through_1984_in_order(
    seeded: str, run: Callable[..., Result]
) -> None:
    events = report_json(run, seeded)
    assert keys(events) == CHRONOLOGY
    dates = [event["date"] for event in events]
    assert dates[:5] == ["17 Jun 1930", "1 Jan 1932", "1951", "by 1951", "by 1951"]
    assert dates[12] == "by 26 Feb 1961" and dates[19:21] == ["20 Mar 1961", "by 16 May 1984"]
    assert dates[25:] == ["16 May 1984 onward", "17 May 1984"]


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
    assert {
        "name": "C. Douglas Dillon",
        "role": "concurring",
        "key": "dillon",
        "identified_by": "text",
    } in event["actors"]
    assert event["statutes"] == [
        {
            "key": "tariff-act-1930-s307",
            "citation": "Tariff Act of 1930 § 307, 46 Stat. 689, 19 U.S.C. 1307",
            "relation": "cited",
            "identified_by": "text",
        }
    ]
    assert event["date_basis"] == "document"
    source = event["sources"][4]
    assert source["document"] == "frus1961-63v05-d37"
    assert source["quote"].startswith("In the Departmentʼs opinion")  # the text's own U+02BC
    assert source["char_end"] - source["char_start"] == len(source["quote"])


def test_window_selects_events_whose_range_overlaps_it(
    seeded: str, run: Callable[..., Result]
) -> None:
    # the CIA's undated help to Customs ("by 16 May 1984") could fall in any earlier window
    undated = "cia-past-information-to-customs"
    denials = "soviet-denials-of-convict-labor-in-crab-industry"  # by 26 Feb 1961
    before_1951 = [
        "soviet-crab-industry-labor-before-1951-ban",
        "eyewitness-affidavits-before-1951-ban",
    ]
    assert keys(report_json(run, seeded, "--from", "1958", "--to", "1958")) == [denials, undated]
    # "1951" overlaps June 1951; so does what is dated "by 1951"
    assert keys(report_json(run, seeded, "--from", "1951-06", "--to", "1951-06-30")) == [
        "1951-soviet-crab-meat-ban",
        *before_1951,
        denials,
        undated,
    ]
    assert keys(report_json(run, seeded, "--from", "1961-02-22", "--to", "1961-02-22")) == [
        "1961-02-22-message-to-khrushchev",
        denials,
        undated,
    ]
    # the WASHFAX is undated: from the letter's day on
    assert keys(report_json(run, seeded, "--from", "1984-05-17", "--to", "1984-05")) == [
        "washfax-to-mcnamar",
        "1984-05-17-original-to-addressee",
    ]
    later = report_json(run, seeded, "--from", "1985", "--to", "2010")
    assert keys(later) == ["washfax-to-mcnamar", "2007-08-29-cia-release"]
    assert keys(report_json(run, seeded, "--from", "1933", "--to", "1940")) == [
        *before_1951,
        denials,
        undated,
    ]


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        (
            "--actor",
            "rusk",
            [
                "frus1961-63v05-d30-event",
                "1961-02-21-crab-meat-discussion",
                "1961-02-26-rusk-recommends-lifting-ban",
            ],
        ),
        ("--actor", "Wil iam", None),  # the OCR'd alias finds Casey
        (
            "--actor",
            "Mikoyan",
            [
                "1961-02-18-hammer-reports-crab-meat-talks",
                "soviet-denials-of-convict-labor-in-crab-industry",
            ],
        ),
        (
            "--statute",
            "tariff-act-1930",
            ["1930-06-17-tariff-act-enacted", "1951-soviet-crab-meat-ban"],
        ),
        ("--statute", "19 U.S.C. 1307", None),
        ("--document", "CIA-RDP88B00443R001500070028-8", None),
        ("--kind", "Denial", ["soviet-denials-of-convict-labor-in-crab-industry"]),
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
            "1932-01-01-forced-labor-provisions-in-force",
            "1951-soviet-crab-meat-ban",
            "1961-02-18-hammer-reports-crab-meat-talks",
            "1961-02-26-rusk-recommends-lifting-ban",
            "1961-03-20-treasury-lifts-crab-meat-ban",
            "1984-05-16-casey-letter-to-regan",
            "1984-05-16-cia-conclusion-on-probative-value",
        ]
    elif option == "--document":
        assert found == CHRONOLOGY[CHRONOLOGY.index("cia-past-information-to-customs") :]
    else:
        assert found == expected


def test_markdown_is_a_chronology_with_numbered_source_notes(
    seeded: str, run: Callable[..., Result]
) -> None:
    text = run("--db", seeded, "report", "-f", "markdown", "--sources").stdout
    assert text.startswith("# Chronology, 1930–1984\n")
    assert "## 17 Jun 1930 — The Tariff Act of 1930 was enacted" in text
    assert text.count("[^1]") == 2  # the mark and its note
    assert "[^54]" not in text  # the 2007 release is outside the window: 53 notes
    # issue 9: the full citation the first time a document is cited, its short form after
    assert "[^37]: Director of Central Intelligence" in text
    assert "[^38]: CREST, CIA-RDP88B00443R001500070028-8 (" in text
    assert "“Section 307 of the Tariff Act of 1930”" in text
    assert text.index("## 17 Jun 1930") < text.index("## 1 Jan 1932") < text.index("## 1951")


def test_csv_has_one_row_per_event(seeded: str, run: Callable[..., Result]) -> None:
    table = list(
        csv.DictReader(io.StringIO(run("--db", seeded, "report", "-f", "csv", "--sources").stdout))
    )
    assert [row["key"] for row in table] == CHRONOLOGY
    assert table[0]["edtf"] == "1930-06-17"
    assert table[0]["quotes"] == "Section 307 of the Tariff Act of 1930"
    assert "Dean Rusk (author)" in table[11]["actors"]


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


def test_the_seed_tells_how_the_ban_ended(seeded: str, run: Callable[..., Result]) -> None:
    """Issue 7: the excerpt's documents 32 and 43 add Hammer's report and the lifting of the ban."""
    out = run(
        "--db",
        seeded,
        "report",
        "--from",
        "1961-02",
        "--to",
        "1961-03",
        "--sources",
        "--format",
        "markdown",
    ).stdout
    assert "18 Feb 1961" in out and "reported Hammer's talks with Mikoyan and Khrushchev" in out
    assert "Both Mikoyan and Khrushchev stressed US inspection" in out
    assert "20 Mar 1961" in out and "lifting" in out
    assert (
        "On March 20 the Department of the Treasury announced that it was lifting the ban on "
        "the importation of Soviet crab meat." in out
    )
