"""Publishing exports: TimelineJS3 JSON, and the chronology as Markdown and as one HTML page.

The writers are tested on databases built by the real migrations and seeded through the CLI,
on SQLite and PostgreSQL. The TimelineJS output is checked by `timelinejs_problems`, which
applies the rules TimelineJS3 itself applies when it loads a configuration.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TextIO

import pytest
from click.testing import Result
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from test_report import CHRONOLOGY

from timeline.dates import HistDate
from timeline.db import Database
from timeline.errors import ExportError
from timeline.export.document import markdown_escape, write_html, write_markdown
from timeline.export.timelinejs import date_fields, era_dates, write_timelinejs
from timeline.models import Document, Event, EventSource
from timeline.report import chronological, chronological_order, stream_events

Writer = Callable[[Session, TextIO, Callable[[int], None]], None]
WRITERS: dict[str, Writer] = {
    "timelinejs": write_timelinejs,
    "markdown": write_markdown,
    "html": write_html,
}

# Every event of the seed, 2007 included, in chronological order (tests/test_report.py has the
# 1930–1984 window of it).
ALL_EVENTS = [*CHRONOLOGY, "2007-08-29-cia-release"]
SEED_SOURCES = 56  # quotes over all events: the 1930–1984 report has 53 notes, 2007 adds 3

HOSTILE_TITLE = '<script>alert("x")</script> & <b>bold</b> *not emphasis* [^1]'


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """The html page says when it was made: the same day for every export of a test."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.fixture
def database(seeded: str) -> Iterator[Database]:
    database = Database.open(seeded)
    yield database
    database.dispose()


def export(database: Database, fmt: str) -> tuple[str, int]:
    """(output, ticks) of one writer."""
    out = io.StringIO()
    ticks: list[int] = []
    with database.session() as session:
        WRITERS[fmt](session, out, ticks.append)
    assert set(ticks) <= {1}
    return out.getvalue(), len(ticks)


def add_hostile_event(database: Database) -> None:
    """An event whose every text field is markup, cited from a real document (test data only)."""
    with database.begin() as session:
        document = session.scalars(select(Document).order_by(Document.key)).first()
        assert document is not None
        event = Event(
            key="test-escaping",
            kind="test <kind>",
            title=HOSTILE_TITLE,
            description="Description with <i>tags</i> & an ampersand\n- and a line like a list",
            date_note='A note with "quotes" & <em>tags</em>',
            sequence=0,
            date_basis="stated",
        )
        event.date = HistDate.parse("1961-02-23")
        event.sources.append(
            EventSource(
                document=document,
                quote="<quote> & </blockquote>",
                char_start=0,
                char_end=23,
                position=0,
            )
        )
        session.add(event)


# --- TimelineJS3 conformance ------------------------------------------------------------------

# These rules are TimelineJS3's own, read in NUKnightLab/TimelineJS3 (release 3.9.11, the npm
# package @knight-lab/timelinejs): src/js/core/TimelineConfig.js (the constructor, addEvent,
# addEra, validate, _assignID, _processDates, _tidyFields), src/js/date/TLDate.js
# (TLDate._getDateData, DATE_PARTS, makeDate), src/js/date/DateUtil.js (validDateConfig,
# sortByDate) and src/js/core/Util.js (trim, ensureUniqueKey, stripMarkup).

DATE_PARTS = ("millisecond", "second", "minute", "hour", "day", "month", "year")
DATE_KEYS = {*DATE_PARTS, "display_date", "format"}
SLIDE_KEYS = {
    "start_date",
    "end_date",
    "text",
    "media",
    "group",
    "display_date",
    "background",
    "autolink",
    "unique_id",
    "type",
}
# what DOMPurify (TimelineConfig._tl_sanitize) keeps as it is, and what we mean to send
SAFE_TAGS = {"p", "em", "strong", "cite", "ol", "ul", "li", "blockquote", "q", "code", "br"}
HUMAN_YEARS = range(-271820, 275760)  # TimelineConfig._ensureValidScale: else "cosmological"


class _Fragment(HTMLParser):
    """Tags of an HTML fragment, with anything TimelineJS's sanitizer would change."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SAFE_TAGS or attrs:
            self.problems.append(f"<{tag} {attrs}>")
        if tag != "br":
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unbalanced </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def fragment_text(markup: str) -> tuple[str, list[str]]:
    parser = _Fragment()
    parser.feed(markup)
    parser.close()
    problems = parser.problems + [f"unclosed <{tag}>" for tag in parser.stack]
    return "".join(parser.text), problems


def _date_problems(where: str, date: Any) -> list[str]:
    """TLDate._getDateData, made strict: integers, and only as far down as the date goes."""
    if not isinstance(date, dict):
        return [f"{where}: not an object"]
    problems = [f"{where}: unknown key {k!r}" for k in date if k not in DATE_KEYS]
    parts = {k: v for k, v in date.items() if k in DATE_PARTS}
    for name, value in parts.items():
        # TimelineJS accepts strings matching /^-?\d*$/ too; this export promises integers.
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{where}.{name}: {value!r} is not an integer")
    if problems:
        return problems
    if "year" not in parts:
        problems.append(f"{where}: no year")  # TLDate would silently use year 0
    elif parts["year"] not in HUMAN_YEARS:
        problems.append(f"{where}: year outside the human scale")
    if "day" in parts and "month" not in parts:
        problems.append(f"{where}: a day without a month")
    if any(k in parts for k in DATE_PARTS[:4]):
        problems.append(f"{where}: a time of day")
    if "month" in parts and not 1 <= parts["month"] <= 12:
        problems.append(f"{where}: month {parts['month']}")  # JS Date would roll it over
    if not problems and "day" in parts:
        try:
            dt.date(parts["year"], parts["month"], parts["day"])
        except ValueError:
            problems.append(f"{where}: no such day")  # JS Date would roll it over too
    if "display_date" in date:
        problems += _plain_problems(f"{where}.display_date", date["display_date"])
    return problems


def _plain_problems(where: str, value: Any) -> list[str]:
    """display_date and group go through stripMarkup (DOMParser textContent): escaped text."""
    if not isinstance(value, str) or not value.strip():
        return [f"{where}: not a non-empty string"]
    if html.escape(html.unescape(value), quote=False) != value:
        return [f"{where}: {value!r} is not escaped plain text"]
    if value != value.strip():
        return [f"{where}: not trimmed"]
    return []


def _instant(date: dict[str, int]) -> tuple[int, int, int]:
    """TLDate's defaults for a missing month or day (1), to compare dates as TimelineJS does."""
    return (date["year"], date.get("month", 1), date.get("day", 1))


def _redundant_end(start: dict[str, Any], end: dict[str, Any]) -> bool:
    """TimelineConfig._processDates drops an end date equal on every key the start date has."""
    return all(end.get(k) == v for k, v in start.items())


def _slide_problems(where: str, slide: Any, *, era: bool = False) -> list[str]:
    if not isinstance(slide, dict):
        return [f"{where}: not an object"]
    problems = [f"{where}: unknown key {k!r}" for k in slide if k not in SLIDE_KEYS]
    text = slide.get("text")
    if not isinstance(text, dict) or not isinstance(text.get("headline"), str):
        problems.append(f"{where}: text.headline missing")  # addEra reads data.text.headline
    else:
        for field in ("headline", "text"):
            if not isinstance(text.get(field, ""), str):
                problems.append(f"{where}: text.{field} not a string")
            else:
                _, markup = fragment_text(text.get(field, ""))
                problems += [f"{where}.text.{field}: {p}" for p in markup]
    for field in ("group", "display_date"):
        if field in slide:
            problems += _plain_problems(f"{where}.{field}", slide[field])
    if "start_date" not in slide:
        return [*problems, f"{where}: missing start_date"]  # missing_start_date_err
    problems += _date_problems(f"{where}.start_date", slide["start_date"])
    if "end_date" in slide:
        problems += _date_problems(f"{where}.end_date", slide["end_date"])
        if not problems:
            start, end = slide["start_date"], slide["end_date"]
            if _redundant_end(start, end):
                problems.append(f"{where}: end_date equals start_date and would be dropped")
            elif _instant(end) < _instant(start):
                problems.append(f"{where}: end_date before start_date")
    elif era:
        problems.append(f"{where}: All eras must have start and end dates.")  # validate()
    return problems


def timelinejs_problems(config: Any) -> list[str]:
    """Everything TimelineJS3 would refuse, repair or silently change in a configuration."""
    if not isinstance(config, dict) or not config.get("events"):
        # the constructor reads nothing without `events`; validate(): no events
        return ["Timeline configuration has no events."]
    problems: list[str] = []
    ids: list[str] = []
    if "title" in config:
        title = config["title"]
        problems += [p for p in _slide_problems("title", title) if "start_date" not in p]
        ids.append(title.get("unique_id", ""))
    for number, event in enumerate(config["events"]):
        problems += _slide_problems(f"events[{number}]", event)
        ids.append(event.get("unique_id", "") if isinstance(event, dict) else "")
    # _assignID: a missing id is made from the headline; ensureUniqueKey renames a duplicate
    problems += [f"unique_id {i!r} missing or repeated" for i in ids if not i or ids.count(i) > 1]
    for number, era in enumerate(config.get("eras", [])):
        problems += _slide_problems(f"eras[{number}]", era, era=True)
    if not problems:
        # sortByDate re-sorts the events by start date: ours must already be in that order
        starts = [_instant(event["start_date"]) for event in config["events"]]
        if starts != sorted(starts):
            problems.append("events are not in start-date order")
    return problems


def test_the_validator_catches_what_timelinejs_refuses() -> None:
    good = {"year": 1961, "month": 2, "day": 26}
    event = {"unique_id": "e", "start_date": good, "text": {"headline": "h", "text": "<p>t</p>"}}
    assert timelinejs_problems({"events": [event]}) == []
    assert timelinejs_problems({"events": []}) == ["Timeline configuration has no events."]
    broken = [
        {**event, "start_date": {"year": "1961"}},
        {**event, "start_date": {"month": 2}},
        {**event, "start_date": {"year": 1961, "month": 2, "day": 30}},
        {**event, "start_date": {"year": 1961, "day": 3}},
        {**event, "start_date": {"year": 1961, "month": 13}},
        {k: v for k, v in event.items() if k != "start_date"},
        {**event, "end_date": {"year": 1961}},  # redundant: dropped by TimelineJS
        {**event, "end_date": {"year": 1960}},
        {**event, "display_date": "<b>c.</b> 1961"},
        {**event, "group": " padded "},
        {**event, "text": {"headline": "h", "text": '<p onclick="x">t</p>'}},
        {**event, "text": {"headline": "h", "text": "<p>t"}},
        {**event, "text": {"headline": "<script>x</script>", "text": ""}},
        {**event, "media_url": "x"},
    ]
    for bad in broken:
        assert timelinejs_problems({"events": [bad]}), bad
    assert timelinejs_problems({"events": [event, event]})  # repeated unique_id
    era = {"start_date": {"year": 1956}, "text": {"headline": "x"}}
    assert "All eras must have" in timelinejs_problems({"events": [event], "eras": [era]})[0]
    later = {**event, "unique_id": "f", "start_date": {"year": 1930}}
    assert timelinejs_problems({"events": [event, later]}) == ["events are not in start-date order"]


# --- the order ----------------------------------------------------------------------------------


def test_sql_order_is_the_chronological_order(database: Database) -> None:
    with database.session() as session:
        streamed = [event.key for event in stream_events(session, batch=3)]
        in_python = [e.key for e in sorted(session.scalars(select(Event)), key=chronological)]
    assert streamed == in_python == ALL_EVENTS


def test_sql_order_breaks_ties_by_key_in_code_point_order(database: Database) -> None:
    # PostgreSQL's default collation would put "a" before "B" and ignore the hyphen; Python
    # and the "C" collation compare code points.
    keys = ["zz-tie", "B-tie", "a-tie", "a_tie", "a-tie-2", "é-tie", "Z tie"]
    with database.begin() as session:
        for key in keys:
            event = Event(
                key=key,
                kind="test",
                title=key,
                description="ordering test",
                sequence=0,
                date_basis="stated",
            )
            event.date = HistDate.parse("1970-01-01")
            session.add(event)
    with database.session() as session:
        streamed = [event.key for event in stream_events(session)]
        in_python = [e.key for e in sorted(session.scalars(select(Event)), key=chronological)]
    assert streamed == in_python
    assert [k for k in streamed if k in keys] == sorted(keys)
    # a server whose default collation is not C must still sort keys by code point
    ordered = select(Event.key).order_by(*chronological_order("postgresql"))
    assert 'COLLATE "C"' in str(ordered.compile(dialect=postgresql.dialect()))


# --- TimelineJS -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edtf", "start", "end", "display"),
    [
        ("1961-02-26", {"year": 1961, "month": 2, "day": 26}, None, None),
        ("1961-02", {"year": 1961, "month": 2}, None, None),
        ("1951", {"year": 1951}, None, None),
        ("1961-XX", {"year": 1961}, None, None),
        ("1945~", {"year": 1945}, None, "c. 1945"),
        ("1961-02-26?", {"year": 1961, "month": 2, "day": 26}, None, "26 Feb 1961?"),
        ("1961-21", {"year": 1961, "month": 3}, {"year": 1961, "month": 5}, "Spring 1961"),
        ("1961-24", {"year": 1961, "month": 12}, {"year": 1962, "month": 2}, "Winter 1961"),
        ("195X", {"year": 1950}, {"year": 1959}, "1950s"),
        ("19XX", {"year": 1900}, {"year": 1999}, "1900s"),
        ("1945~/1951", {"year": 1945}, {"year": 1951}, "c. 1945 – 1951"),
        (
            "1956~/1961-02-26",
            {"year": 1956},
            {"year": 1961, "month": 2, "day": 26},
            "c. 1956 – 26 Feb 1961",
        ),
        ("../1984-05-16", {"year": 1984, "month": 5, "day": 16}, None, "by 16 May 1984"),
        ("/1984", {"year": 1984}, None, "? – 1984"),
        ("1956/..", {"year": 1956}, None, "1956 onward"),
        ("1956-03/", {"year": 1956, "month": 3}, None, "Mar 1956 – ?"),
        # TimelineJS would drop an end equal to the start on the start's keys: none is sent
        ("1961/1961-03", {"year": 1961}, None, "1961 – Mar 1961"),
        (
            "1961-02/1961-03-05",
            {"year": 1961, "month": 2},
            {"year": 1961, "month": 3, "day": 5},
            "Feb 1961 – 5 Mar 1961",
        ),
    ],
)
def test_dates_carry_exactly_their_precision(
    edtf: str, start: dict[str, int], end: dict[str, int] | None, display: str | None
) -> None:
    assert date_fields(HistDate.parse(edtf)) == (start, end, display)


@pytest.mark.parametrize(
    ("edtf", "era"),
    [
        ("1956~/1961-02-26", ({"year": 1956}, {"year": 1961, "month": 2, "day": 26})),
        ("1945~/1951", ({"year": 1945}, {"year": 1951})),
        ("1961-02/1961-03", None),  # within one year
        ("../1984-05-16", None),  # no start
        ("1956/..", None),  # no end
        ("195X", None),  # a decade is a precision, not a span the data gives
        ("1951", None),
    ],
)
def test_eras_are_ranges_between_known_dates_in_different_years(
    edtf: str, era: tuple[dict[str, int], dict[str, int]] | None
) -> None:
    assert era_dates(HistDate.parse(edtf)) == era


def test_timelinejs_export_of_the_seed(database: Database) -> None:
    text, ticks = export(database, "timelinejs")
    config = json.loads(text)
    assert timelinejs_problems(config) == []
    assert ticks == len(ALL_EVENTS)
    events = {event["unique_id"]: event for event in config["events"]}
    assert list(events) == ALL_EVENTS

    assert events["1951-soviet-crab-meat-ban"]["start_date"] == {"year": 1951}
    assert events["1961-02-26-rusk-recommends-lifting-ban"]["start_date"] == {
        "year": 1961,
        "month": 2,
        "day": 26,
    }
    for event in config["events"]:
        for name in ("start_date", "end_date"):
            for value in event.get(name, {}).values():
                assert type(value) is int
    # display_date exactly where the integers alone would misstate the date
    # (issue 9: the seed's dates are no more precise than their texts: "by" a day, or onward)
    assert {key: e["display_date"] for key, e in events.items() if "display_date" in e} == {
        "soviet-crab-industry-labor-before-1951-ban": "by 1951",
        "eyewitness-affidavits-before-1951-ban": "by 1951",
        "soviet-denials-of-convict-labor-in-crab-industry": "by 26 Feb 1961",
        "cia-past-information-to-customs": "by 16 May 1984",
        "washfax-to-mcnamar": "16 May 1984 onward",
    }
    denials = events["soviet-denials-of-convict-labor-in-crab-industry"]
    assert denials["start_date"] == {"year": 1961, "month": 2, "day": 26}
    # an open start is placed at its end, where the chronology files it
    assert events["cia-past-information-to-customs"]["start_date"] == {
        "year": 1984,
        "month": 5,
        "day": 16,
    }
    assert "end_date" not in events["cia-past-information-to-customs"]
    assert "end_date" not in events["washfax-to-mcnamar"]  # an open end

    # group: the act the event bears on, else its first actor
    assert events["1961-02-26-rusk-recommends-lifting-ban"]["group"] == "Tariff Act of 1930"
    assert denials["group"] == "Anastas I. Mikoyan"

    rusk = events["1961-02-26-rusk-recommends-lifting-ban"]["text"]
    assert rusk["headline"].startswith("Rusk recommended to Kennedy")
    body, _ = fragment_text(rusk["text"])
    assert "Foreign Relations of the United States, 1961–1963, Volume V" in body
    assert "“In the Departmentʼs opinion these statements should be sufficient" in body
    assert body.count("frus1961-63v05-d37, characters") == 7

    assert config["title"]["text"]["headline"] == "Chronology"
    title_text, _ = fragment_text(config["title"]["text"]["text"])
    assert "28 events drawn from 11 documents" in title_text


def test_eras_come_only_from_dated_spans_in_the_data(database: Database) -> None:
    config = json.loads(export(database, "timelinejs")[0])
    eras = {era["unique_id"]: era for era in config["eras"]}
    # Since issue 9 the seed dates no span with two ends (the denials are "by 26 Feb 1961",
    # the affidavits "by 1951"): no eras.
    assert list(eras) == []
    # the texts mention the Korean War without dating it: it is no era
    assert "Korea" not in json.dumps(config["eras"])


def test_timelinejs_escapes_markup_from_the_data(database: Database) -> None:
    add_hostile_event(database)
    text, _ = export(database, "timelinejs")
    config = json.loads(text)
    assert timelinejs_problems(config) == []
    (event,) = [e for e in config["events"] if e["unique_id"] == "test-escaping"]
    assert event["text"]["headline"] == html.escape(HOSTILE_TITLE)
    body, problems = fragment_text(event["text"]["text"])
    assert problems == []
    assert "Description with <i>tags</i> & an ampersand" in body
    assert "“<quote> & </blockquote>”" in body
    assert "<script" not in text


def test_timelinejs_title_id_steps_aside_for_an_event_called_title(database: Database) -> None:
    with database.begin() as session:
        event = Event(
            key="title", kind="test", title="t", description="d", sequence=0, date_basis="stated"
        )
        event.date = HistDate.parse("1999")
        session.add(event)
    config = json.loads(export(database, "timelinejs")[0])
    assert config["title"]["unique_id"] == "title-1"
    assert timelinejs_problems(config) == []


def test_timelinejs_refuses_a_database_without_events(
    db_url: str, run: Callable[..., Result]
) -> None:
    run("--db", db_url, "init")
    database = Database.open(db_url)
    try:
        out = io.StringIO()
        with database.session() as session, pytest.raises(ExportError, match="no events"):
            write_timelinejs(session, out, lambda _: None)
        assert out.getvalue() == ""
    finally:
        database.dispose()


# --- Markdown ---------------------------------------------------------------------------------


def _footnotes(text: str) -> tuple[list[int], list[int]]:
    """(numbers referenced in the body, numbers defined), in order."""
    body, _, notes = text.partition("\n---\n\n")
    refs = [int(n) for n in re.findall(r"\[\^(\d+)\](?!:)", body)]
    defined = [int(n) for n in re.findall(r"^\[\^(\d+)\]: ", notes, re.MULTILINE)]
    return refs, defined


def test_markdown_is_the_whole_chronology_with_every_note(database: Database) -> None:
    text, ticks = export(database, "markdown")
    assert ticks == len(ALL_EVENTS)
    assert text.startswith("# Chronology, 1930–2007\n\n28 events from 11 documents.")
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert headings.pop() == "Documents cited"  # issue 9: each with its source note
    with database.session() as session:
        titles = {e.key: e.title for e in session.scalars(select(Event))}
    assert [h.split(" — ", 1)[1] for h in headings] == [titles[k] for k in ALL_EVENTS]
    assert headings[12] == (
        "by 26 Feb 1961 — Soviet officials, Mikoyan and Kuzmin among them, denied that "
        "slave or convict labor conditions existed in the Soviet crab meat industry"
    )
    refs, defined = _footnotes(text)
    assert refs == defined == list(range(1, SEED_SOURCES + 1))
    assert "[^1]: Foreign Relations of the United States, 1961–1963" in text
    assert (
        "(`frus1961-63v05-d37`, characters 1064–1101): “Section 307 of the Tariff Act of 1930”."
        in text
    )
    # issue 9: the full citation the first time a document is cited, its short form after
    assert "[^37]: Director of Central Intelligence" in text
    assert "[^38]: CREST, CIA-RDP88B00443R001500070028-8 (" in text
    assert text.endswith("“Release Decision: RIFPUB”.\n")


def test_markdown_shows_markup_from_the_data_as_text(database: Database) -> None:
    add_hostile_event(database)
    text = export(database, "markdown")[0]
    assert "<script>" not in text and "<b>" not in text and "<i>" not in text
    assert r"\<script\>alert(\"x\")" not in text  # quotes need no escape
    assert r'\<script\>alert("x")\</script\> \& \<b\>bold\</b\> \*not emphasis\* \[^1\]' in text
    assert "\n\\- and a line like a list" in text
    refs, defined = _footnotes(text)
    assert refs == defined == list(range(1, SEED_SOURCES + 2))


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain words, 1951 – 1961.", "plain words, 1951 – 1961."),
        (
            "a *b* _c_ `d` [e](f) <g> & h | ~i~ #j",
            r"a \*b\* \_c\_ \`d\` \[e\](f) \<g\> \& h \| \~i\~ \#j",
        ),
        (
            "- item\n+ item\n1984. Year\n2) two\n===",
            "\\- item\n\\+ item\n1984\\. Year\n2\\) two\n\\===",
        ),
        (r"back\slash", r"back\\slash"),
    ],
)
def test_markdown_escape(text: str, escaped: str) -> None:
    assert markdown_escape(text) == escaped


# --- HTML -------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Page(HTMLParser):
    """An HTML page's elements: balanced tags, ids, links, and the text of each element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self.doctype: str | None = None
        self.text: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.append(attributes["id"] or "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.problems.append(f"end tag for void <{tag}>")
        elif not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unbalanced </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    page.problems += [f"unclosed <{tag}>" for tag in page.stack]
    return page


def test_html_is_one_valid_self_contained_page(database: Database) -> None:
    text, ticks = export(database, "html")
    assert ticks == len(ALL_EVENTS)
    page = parse_page(text)
    assert page.problems == []
    assert page.doctype == "DOCTYPE html"
    tags = [tag for tag, _ in page.tags]
    assert tags[:3] == ["html", "head", "meta"]
    assert page.tags[0][1] == {"lang": "en"} and page.tags[2][1] == {"charset": "utf-8"}
    assert tags.count("title") == 1 and tags.count("h1") == 1 and tags.count("body") == 1
    assert len(page.ids) == len(set(page.ids))
    # nothing fetched: inline scripts only (issue 10: the page is drawn by its script, from its
    # embedded data), no external resources of any kind; the only links that leave the page go
    # to the sources online, for a reader to follow
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert scripts == [{}, {"type": "application/json", "id": "timeline-data"}, {}]
    assert "link" not in tags and "img" not in tags and "iframe" not in tags
    assert not any("src" in attrs for _, attrs in page.tags)
    assert all((attrs.get("href") or "#").startswith("#") for _, attrs in page.tags)
    assert "@import" not in text and "url(" not in text and "http" not in text.split("</style>")[0]
    assert "fetch(" not in text and "XMLHttpRequest" not in text and "import(" not in text
    assert "@media print" in text


def test_html_shows_every_event_in_order_with_linked_notes(database: Database) -> None:
    text = export(database, "html")[0]
    page = parse_page(text)
    events = [
        attrs["id"] for tag, attrs in page.tags if tag == "li" and attrs.get("class") == "event"
    ]
    assert events == [f"event-{key}" for key in ALL_EVENTS]
    notes = [attrs["id"] for tag, attrs in page.tags if (attrs.get("id") or "").startswith("note-")]
    assert notes == [f"note-{n}" for n in range(1, SEED_SOURCES + 1)]
    refs = [
        attrs
        for tag, attrs in page.tags
        if tag == "a" and (attrs.get("id") or "").startswith("ref-")
    ]
    assert [a["href"] for a in refs] == [f"#note-{n}" for n in range(1, SEED_SOURCES + 1)]
    backs = [attrs["href"] for tag, attrs in page.tags if attrs.get("class") == "back"]
    assert backs == [f"#ref-{n}" for n in range(1, SEED_SOURCES + 1)]
    # the notes list comes after the timeline, and each note is a citation and its passage
    assert text.index('id="note-1"') > text.index('id="event-2007-08-29-cia-release"')
    note = "“Section 307 of the Tariff Act of 1930”."
    assert f"(<code>frus1961-63v05-d37</code>, characters 1064–1101): {note}" in text
    plain = "".join(page.text)
    for label in ("17 Jun 1930", "by 26 Feb 1961", "by 16 May 1984", "29 Aug 2007"):
        assert label in plain
    assert '<time datetime="1930-06-17">17 Jun 1930</time>' in text
    assert '<time datetime="1951">1951</time>' in text
    assert "Dean Rusk (author)" in plain and "19 U.S.C. 1307 (cited)" in plain


def test_html_escapes_markup_from_the_data(database: Database) -> None:
    add_hostile_event(database)
    text = export(database, "html")[0]
    page = parse_page(text)
    assert page.problems == []
    tags = {tag for tag, _ in page.tags}
    # the page's own three scripts only (issue 10): the data's "</script>" does not end one early
    assert [tag for tag, _ in page.tags].count("script") == 3
    assert "b" not in tags and "i" not in tags and "quote" not in tags
    plain = "".join(page.text)
    assert HOSTILE_TITLE in plain
    assert "Description with <i>tags</i> & an ampersand" in plain
    assert "“<quote> & </blockquote>”" in plain
    assert 'A note with "quotes" & <em>tags</em>' in plain


def test_html_and_markdown_of_a_database_without_events(
    db_url: str, run: Callable[..., Result]
) -> None:
    run("--db", db_url, "init")
    database = Database.open(db_url)
    try:
        markdown, ticks = export(database, "markdown")
        assert ticks == 0
        assert markdown.startswith("# Chronology\n\n0 events from 0 documents.")
        assert "[^" not in markdown
        page = parse_page(export(database, "html")[0])
        assert page.problems == []
        assert not any(attrs.get("class") == "event" for _, attrs in page.tags)
    finally:
        database.dispose()


# --- streaming and determinism ----------------------------------------------------------------


class _Recorder(io.StringIO):
    """Output that remembers how many events had been ticked off when each piece was written."""

    def __init__(self, ticks: list[int]) -> None:
        super().__init__()
        self.ticks = ticks
        self.writes: list[tuple[int, str]] = []

    def write(self, text: str) -> int:
        self.writes.append((len(self.ticks), text))
        return super().write(text)


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_events_are_written_as_they_are_read(database: Database, fmt: str) -> None:
    ticks: list[int] = []
    out = _Recorder(ticks)
    with database.session() as session:
        titles = [e.title for e in stream_events(session)]
        WRITERS[fmt](session, out, ticks.append)
    at = 0  # titles repeat (a volume's telegrams share one heading): look past the last match
    for number, title in enumerate(titles):
        escaped = {"timelinejs": html.escape(title), "html": html.escape(title, quote=False)}
        needle = escaped.get(fmt, markdown_escape(title))
        at = next(i for i in range(at, len(out.writes)) if needle in out.writes[i][1])
        # the event's title goes out before the next event is read
        assert out.writes[at][0] == number
        at += 1


def test_page_documents_and_actors_are_written_a_batch_at_a_time(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's documents (their texts) and actors are read and written a batch at a time,
    not gathered first: the same bytes whatever the batch; every document in key order, the
    texts of the cited ones alone, counted in the provenance from SQL."""
    from timeline.export.page import data

    whole = export(database, "html")[0]
    for batch, run in ((1, 2), (2, 3)):  # the actors' order sorted in runs, merged from disk
        monkeypatch.setattr(data, "BATCH", batch)
        monkeypatch.setattr(data, "SORT_RUN", run)
        assert export(database, "html")[0] == whole
    payload = whole.split('id="timeline-data">', 1)[1].split("</script>", 1)[0]
    page = json.loads(payload)
    with database.session() as session:
        keys = sorted(session.scalars(select(Document.key)))
        cited = set(session.scalars(select(Document.key).join(EventSource).distinct()))
    assert [d["key"] for d in page["documents"]] == keys
    assert {d["key"] for d in page["documents"] if "text" in d} == cited
    assert cited < set(keys)  # the seed's volume holds documents no event cites
    assert f"Compiled from {len(keys)} primary documents" in page["meta"]["provenance"]
    assert f"{len(cited)} of them cited by events" in page["meta"]["provenance"]
    names = [a["name"] for a in page["actors"]]
    assert len(names) > 2 and len(set(a["key"] for a in page["actors"])) == len(names)


@pytest.mark.parametrize("run", [1, 2, 7, 1000])
def test_the_sort_spilled_to_disk_is_sorted(run: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    from timeline.export.page import data

    monkeypatch.setattr(data, "SORT_RUN", run)
    rng = random.Random(run)
    words = ["straße", "STRASSE", "Ærø", "aero", "Zoë", "zoe", "", "\u00df", "ǅ", "x\ty", '"q"']
    items = [(rng.choice(words).casefold(), f"k{rng.randrange(50)}", n) for n in range(200)]
    assert list(data._sorted_on_disk(iter(items))) == sorted(items)
    assert list(data._sorted_on_disk(iter([]))) == []


def test_same_bytes_on_sqlite_and_postgresql(
    tmp_path: Path, postgres_url: str, run: Callable[..., Result]
) -> None:
    from conftest import BACKENDS, reset_postgres

    if "postgresql" not in BACKENDS:
        pytest.skip("TIMELINE_TEST_BACKENDS leaves PostgreSQL out")
    reset_postgres(postgres_url)
    sqlite = str(tmp_path / "parity.db")
    outputs: dict[str, list[str]] = {fmt: [] for fmt in WRITERS}
    for url in (sqlite, postgres_url):
        run("--db", url, "init")
        run("--db", url, "seed")
        database = Database.open(url)
        try:
            add_hostile_event(database)
            for fmt in WRITERS:
                first = export(database, fmt)[0]
                assert export(database, fmt)[0] == first  # deterministic
                outputs[fmt].append(first)
        finally:
            database.dispose()
    for fmt, (on_sqlite, on_postgres) in outputs.items():
        assert on_sqlite.encode() == on_postgres.encode(), fmt


# --- through `timeline export` ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_cli_export_writes_what_the_writer_writes(
    seeded: str, run: Callable[..., Result], tmp_path: Path, fmt: str
) -> None:
    database = Database.open(seeded)
    try:
        expected = export(database, fmt)[0]
    finally:
        database.dispose()
    assert run("--db", seeded, "export", fmt).stdout == expected
    target = tmp_path / f"chronology.{fmt}"
    result = run("--db", seeded, "export", fmt, "-o", str(target))
    assert result.stdout == "" and result.stderr == ""  # no progress bar when not on a terminal
    assert target.read_text(encoding="utf-8") == expected
    if fmt == "timelinejs":
        assert timelinejs_problems(json.loads(expected)) == []
    elif fmt == "html":
        assert parse_page(expected).problems == []


def test_cli_timelinejs_export_of_a_database_without_events(
    db_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    run("--db", db_url, "init")
    result = run("--db", db_url, "export", "timelinejs", expect=1)
    assert result.stdout == ""
    assert result.stderr == (
        "Error: the database has no events; a TimelineJS timeline needs one at least\n"
    )
    target = tmp_path / "timeline.json"
    run("--db", db_url, "export", "timelinejs", "-o", str(target), expect=1)
    assert not target.exists() and list(tmp_path.glob(".timeline.json.*")) == []
    # the documents have nothing to refuse: a chronology of no events
    assert run("--db", db_url, "export", "markdown").stdout.startswith("# Chronology\n\n0 events")


# --- the sqlite export in datasette -----------------------------------------------------------


def test_datasette_searches_the_sqlite_export(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    """datasette's search box (``?_search=``) finds events and documents in the export."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from datasette.app import Datasette

    target = tmp_path / "published.db"
    run("--db", seeded, "export", "sqlite", "-o", str(target))

    async def ask(table: str, words: str) -> list[str]:
        response = await Datasette([str(target)]).client.get(
            f"/published/{table}.json?_search={words}&_shape=array&_col=key"
        )
        assert response.status_code == 200, response.text
        return sorted(row["key"] for row in response.json())

    def search(table: str, words: str) -> list[str]:
        # In a thread of its own: the browser tests' Playwright keeps an event loop running in
        # this one, where asyncio.run refuses to start another.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, ask(table, words)).result()

    crab = search("events", "crab")
    assert "1951-soviet-crab-meat-ban" in crab
    assert "1984-05-16-cia-estimate-of-forced-laborers" not in crab
    assert "1984-05-16-casey-letter-to-regan" in search("events", "Regan")
    assert search("events", "nosuchword") == []
    assert search("documents", "Casey") == ["CIA-RDP88B00443R001500070028-8"]
    assert search("documents", "Kuzmin") == ["frus1961-63v05-d37"]
    assert search("documents", "Hammer")[0] == "frus1961-63v05-d32"
    # the export stays a timeline database that timeline can read and check
    assert run("--db", str(target), "check").exit_code == 0
