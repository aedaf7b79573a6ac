"""Issue 9: the seed read against its texts as a documentary editor would, and the rules that keep
it so: dates no more precise than their text, each with its basis; hedges kept; every description
sentence on a quote or bracketed; the editor's links marked as the editor's."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import execute

from timeline.description_rule import sentences, stem, unbracketed, unquoted_sentences

CREST = "CIA-RDP88B00443R001500070028-8"


def _events(run: Callable[..., Result], db: str) -> dict[str, dict]:
    records = json.loads(
        run("--db", db, "report", "--from", "1900", "--to", "2010", "--format", "json").output
    )
    return {record["key"]: record for record in records}


def _quotes(record: dict) -> str:
    return " | ".join(source["quote"] for source in record["sources"])


# --- the seed ----------------------------------------------------------------------------------


def test_no_date_is_more_precise_than_its_text(seeded: str, run: Callable[..., Result]) -> None:
    events = _events(run, seeded)
    # "In the last few years", written on 26 February 1961: before that day, no more.
    denials = events["soviet-denials-of-convict-labor-in-crab-industry"]
    assert (denials["edtf"], denials["date"], denials["date_basis"]) == (
        "../1961-02-26",
        "by 26 Feb 1961",
        "bounded",
    )
    # The labor and the affidavits are dated only as before the 1951 finding.
    for key in (
        "soviet-crab-industry-labor-before-1951-ban",
        "eyewitness-affidavits-before-1951-ban",
    ):
        assert (events[key]["edtf"], events[key]["date_basis"]) == ("../1951", "bounded")
    # The finding is one act with the ban, "in 1951".
    assert "1951-treasury-finding" not in events
    ban = events["1951-soviet-crab-meat-ban"]
    assert (ban["edtf"], ban["date_text"], ban["date_basis"]) == ("1951", "in 1951", "stated")
    assert "finding that Soviet crab meat was produced by convict" in _quotes(ban)
    assert not [e for e in events.values() if "~" in e["edtf"]]


def test_the_1930_enactment_and_the_1932_entry_into_force(
    seeded: str, run: Callable[..., Result]
) -> None:
    events = _events(run, seeded)
    enacted = events["1930-06-17-tariff-act-enacted"]
    assert enacted["date_basis"] == "external"
    assert "46 Stat. 689" in enacted["external_source"]
    assert "took effect only on 1 January 1932" in enacted["description"]
    in_force = events["1932-01-01-forced-labor-provisions-in-force"]
    assert (in_force["edtf"], in_force["date_basis"]) == ("1932-01-01", "external")
    assert "consumptive demands" in in_force["description"]


def test_the_distribution_dates_only_the_original(seeded: str, run: Callable[..., Result]) -> None:
    events = _events(run, seeded)
    original = events["1984-05-17-original-to-addressee"]
    assert (original["edtf"], original["date_text"]) == ("1984-05-17", "17 May 84")
    assert "McNamar" not in " ".join(a["name"] for a in original["actors"])
    washfax = events["washfax-to-mcnamar"]
    assert (washfax["edtf"], washfax["date"], washfax["date_basis"]) == (
        "1984-05-16/..",
        "16 May 1984 onward",
        "bounded",
    )
    assert "1984-05-17-letter-distributed" not in events


def test_ori_and_b_dci_are_readings(seeded: str, run: Callable[..., Result]) -> None:
    shown = run("--db", seeded, "show", CREST, "--format", "json").output
    readings = {(r["text"], r["reading"]) for r in json.loads(shown)["readings"]}
    assert {("Ori", "Orig"), ("b DCI", "1 - DCI")} <= readings


@pytest.mark.parametrize(
    ("key", "passage"),
    [
        ("1951-soviet-crab-meat-ban", "apparently regard"),
        ("1961-02-26-rusk-recommends-lifting-ban", "apparently regard"),
        ("1984-05-16-cia-conclusion-on-probative-value", "could not now be provided"),
        ("1984-05-16-cia-conclusion-on-probative-value", "in a legal proceeding"),
        ("1961-02-26-rusk-recommends-lifting-ban", "I am advised that Mr. Dillon concurs"),
        ("1961-02-26-rusk-recommends-lifting-ban", "It is our understanding that the Department"),
        ("1984-05-16-cia-conclusion-on-probative-value", "if we are able to develop"),
        ("1984-05-16-cia-conclusion-on-probative-value", "I am also concerned that the need"),
        ("eyewitness-affidavits-before-1951-ban", "mostly from former Japanese prisoners"),
        # claims that had no quote
        (
            "1961-02-26-rusk-recommends-lifting-ban",
            "remove a barrier to United States-Soviet trade",
        ),
        ("1984-05-16-cia-conclusion-on-probative-value", "estimate the proportion of total Soviet"),
        ("1984-05-16-cia-conclusion-on-probative-value", "keep your Department currently advised"),
        # Rusk's first stated reason
        ("1961-02-26-rusk-recommends-lifting-ban", "developing the channels of communication"),
    ],
)
def test_hedges_and_claims_rest_on_quotes(
    seeded: str, run: Callable[..., Result], key: str, passage: str
) -> None:
    record = _events(run, seeded)[key]
    assert passage in _quotes(record)


def test_the_hedges_reach_the_descriptions(seeded: str, run: Callable[..., Result]) -> None:
    events = _events(run, seeded)
    rusk = events["1961-02-26-rusk-recommends-lifting-ban"]["description"]
    assert "advised that Mr. Dillon concurred" in rusk
    assert (
        "Dillon and the Treasury concur"
        not in events["1961-02-26-rusk-recommends-lifting-ban"]["title"]
    )
    casey = events["1984-05-16-cia-conclusion-on-probative-value"]["description"]
    assert "could not now be provided with sufficient precision" in casey
    assert "in a legal proceeding" in casey
    assert "Casey was also concerned that" in casey
    assert "if it was able to develop" in casey


def test_titles_are_in_the_past_tense(seeded: str, run: Callable[..., Result]) -> None:
    titles = [e["title"] for e in _events(run, seeded).values()]
    for present in (" recommends ", " bans ", " writes ", " concludes ", " estimates ", " goes "):
        assert not [t for t in titles if present in t], present


def test_keys_imply_no_date_the_event_lacks(seeded: str, run: Callable[..., Result]) -> None:
    for key, record in _events(run, seeded).items():
        head = key.split("-")[0]
        if head.isdigit():
            assert record["edtf"].startswith(head), key


# --- the date basis ---------------------------------------------------------------------------


def test_show_and_reports_print_the_date_basis(seeded: str, run: Callable[..., Result]) -> None:
    shown = run("--db", seeded, "show", "soviet-denials-of-convict-labor-in-crab-industry").output
    assert re.search(r"^date basis +bounded$", shown, re.MULTILINE)
    markdown = run("--db", seeded, "report", "--format", "markdown").output
    assert "*ban* · date basis: stated · " in markdown
    assert "*recommendation* · date basis: document" in markdown
    assert "*meeting* · date basis: inferred" in markdown


def test_the_editors_link_is_marked(seeded: str, run: Callable[..., Result]) -> None:
    shown = run("--db", seeded, "show", "1984-05-16-casey-letter-to-regan").output
    assert "19 U.S.C. 1307 · subject · the editor's identification" in shown
    assert re.search(r"^editorial note +The letter describes", shown, re.MULTILINE)
    markdown = run("--db", seeded, "report", "--document", CREST, "--format", "markdown").output
    assert "19 U.S.C. 1307 (subject) [the editor's identification]" in markdown
    # The memorandum names Section 307: its link is the text's.
    rusk = run("--db", seeded, "show", "1961-02-26-rusk-recommends-lifting-ban").output
    assert "the editor's identification" not in rusk


def _annotation(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "extra.toml"
    path.write_text(
        'document = "frus1961-63v05-d37"\n\n[[event]]\nkey = "extra"\nkind = "assessment"\n'
        'title = "Extra"\nquotes = ["It is my recommendation that the ban against imported '
        'Soviet crab meat be lifted"]\n' + body,
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('date = "1961-02"\ndescription = "Recommendation."\n', "'date' needs a 'date_basis'"),
        (
            'date = "1961-02"\ndate_basis = "external"\ndescription = "Recommendation."\n',
            "name the outside source in 'source'",
        ),
        (
            'date_from = "document"\ndate_basis = "stated"\ndescription = "Recommendation."\n',
            "'date_from' is the basis \"document\"",
        ),
        (
            'date = "1961-02"\ndate_basis = "guessed"\ndescription = "Recommendation."\n',
            "unknown date basis 'guessed'",
        ),
    ],
)
def test_load_refuses_a_date_without_its_basis(
    seeded: str, run: Callable[..., Result], tmp_path: Path, body: str, message: str
) -> None:
    result = run("--db", seeded, "load", str(_annotation(tmp_path, body)), expect=1)
    assert message in result.stderr


def test_check_holds_an_external_date_to_its_source(
    seeded: str, run: Callable[..., Result]
) -> None:
    execute(
        seeded,
        "UPDATE events SET external_source_id = NULL WHERE key = '1930-06-17-tariff-act-enacted'",
    )
    result = run("--db", seeded, "check", expect=1)
    assert "date_basis is 'external' but the event names no external source" in result.output


# --- the description rule ---------------------------------------------------------------------


def test_the_seed_passes_the_description_rule(db_url: str, run: Callable[..., Result]) -> None:
    run("--db", db_url, "init")
    seeded = run("--db", db_url, "seed")
    assert "warning" not in seeded.stderr
    checked = run("--db", db_url, "check")
    assert "warning" not in checked.output
    assert checked.output.rstrip().endswith("no problems")


def test_check_warns_of_an_unquoted_description(seeded: str, run: Callable[..., Result]) -> None:
    execute(
        seeded,
        "UPDATE events SET description = 'The CIA will keep the Treasury advised. "
        "[This sentence is the editor''s.]' "
        "WHERE key = '1984-05-16-cia-estimate-of-forced-laborers'",
    )
    result = run("--db", seeded, "check")  # warnings leave the exit status 0
    lines = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(lines) == 1
    assert "1984-05-16-cia-estimate-of-forced-laborers" in lines[0]
    assert "(CIA, keep, Treasury, advised)" in lines[0]
    assert result.output.rstrip().endswith("no problems, 1 warning")


def test_load_warns_of_an_unquoted_description_on_stderr(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    failing = _annotation(
        tmp_path,
        'date_from = "document"\ndescription = "Rusk recommended lifting the ban; Dillon and the '
        'Treasury concur."\n',
    )
    result = run("--db", seeded, "load", "--dry-run", str(failing))
    warnings = result.stderr.splitlines()
    assert warnings == [
        'warning: event extra: description words in none of its quotes (Rusk): "Rusk recommended '
        'lifting the ban;" (quote them, or bracket the sentence [...])',
        "warning: event extra: description words in none of its quotes (Dillon, Treasury, concur): "
        '"Dillon and the Treasury concur." (quote them, or bracket the sentence [...])',
    ]
    passing = _annotation(
        tmp_path,
        'date_from = "document"\ndescription = "Rusk recommended that the ban against imported '
        'Soviet crab meat be lifted. [Dillon, he wrote, concurred.]"\n'
        'actors = [{ actor = "rusk", role = "author" }]\n',
    )
    assert "warning" not in run("--db", seeded, "load", "--dry-run", str(passing)).stderr


def test_the_rule_is_simple() -> None:
    assert [stem(w) for w in ("denied", "regarded", "labors", "Department's", "coming")] == [
        "deny",
        "regard",
        "labor",
        "department",
        "com",
    ]
    assert sentences("To Mr. McNamar. See vol. VI, pp. 5. And 19 U.S.C. 1307. End.") == [
        "To Mr. McNamar.",
        "See vol. VI, pp. 5.",
        "And 19 U.S.C. 1307.",
        "End.",
    ]
    assert unbracketed("A [b. C] d.").split() == ["A", "d."]
    quotes = ["It is my recommendation that the ban be lifted"]
    assert unquoted_sentences("He recommended that the ban be lifted.", quotes) == []
    (found,) = unquoted_sentences("The ban went. [Editor.] It was lifted.", quotes)
    assert found.words == ("went",)


def test_0006_gives_stored_events_a_date_basis(db_url: str) -> None:
    """Events stored before 0006 get a basis read from what they hold; their links are the
    text's; a downgrade drops the columns and an upgrade adds them again."""
    import sqlalchemy as sa

    from timeline.db import Database

    database = Database.open(db_url)
    try:
        database.upgrade("0005")
        with database.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO documents (id, key, title, doc_type, collection, citation, text, "
                    "text_sha256, date_edtf, date_start, date_end, date_precision, "
                    "date_approximate, date_uncertain, date_display) VALUES (1, 'd', 't', 'memo', "
                    "'c', 'c', 'the text', :sha, '1961-02-26', :day, :day, 'day', false, false, "
                    "'26 Feb 1961')"
                ),
                {"sha": "0" * 64, "day": dt.date(1961, 2, 26)},
            )
            for number, (edtf, start, end, precision, text) in enumerate(
                [
                    ("1961-02-26", "1961-02-26", "1961-02-26", "day", None),  # the document's
                    ("../1961-02-26", "0001-01-01", "1961-02-26", "day", None),  # bounded
                    ("1951", "1951-01-01", "1951-12-31", "year", "the text"),  # stated
                    ("1961-02-21", "1961-02-21", "1961-02-21", "day", None),  # inferred
                ],
                start=1,
            ):
                connection.execute(
                    sa.text(
                        "INSERT INTO events (id, key, kind, title, description, sequence, "
                        "date_edtf, date_start, date_end, date_precision, date_approximate, "
                        "date_uncertain, date_text, date_display) VALUES (:n, :key, 'ban', 't', "
                        "'d', 0, :edtf, :start, :end, :precision, false, false, :text, 'x')"
                    ),
                    {
                        "n": number,
                        "key": f"e{number}",
                        "edtf": edtf,
                        "start": dt.date.fromisoformat(start),
                        "end": dt.date.fromisoformat(end),
                        "precision": precision,
                        "text": text,
                    },
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO event_sources (event_id, document_id, quote, char_start, "
                        "char_end, position) VALUES (:n, 1, 'the', 0, 3, 0)"
                    ),
                    {"n": number},
                )
        database.upgrade()
        with database.connect() as connection:
            bases = connection.execute(
                sa.text("SELECT key, date_basis FROM events ORDER BY key")
            ).all()
        assert [tuple(row) for row in bases] == [
            ("e1", "document"),
            ("e2", "bounded"),
            ("e3", "stated"),
            ("e4", "inferred"),
        ]
        database.downgrade("0005")
        with database.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("events")}
        assert "date_basis" not in columns and "editorial_note" not in columns
        database.upgrade()
    finally:
        database.dispose()
