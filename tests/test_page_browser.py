"""The html page, as a reader uses it: driven in headless Chromium through Playwright.

The browser is Debian's chromium (scripts/browser-setup installs it; Playwright only drives it,
through ``executable_path``, and downloads nothing). The seed database is exported once for the
session, on SQLite (the export is byte-identical on PostgreSQL: tests/test_publish.py). Every
test fails on a console error, an uncaught exception, or any request but the page file itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from timeline.cli import main
from timeline.db import Database
from timeline.report import event_record, stream_events

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("TIMELINE_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium reaches for the network in the background (and the closed network
# here refuses it, noisily).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
RUSK_MEMO = "1961-02-26-rusk-recommends-lifting-ban"


def _cli(*args: str) -> None:
    result = CliRunner().invoke(main, list(args), prog_name="timeline")
    assert result.exit_code == 0, (result.output, result.exception)


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The seed's page, and its events as `timeline report --format json` gives them."""
    folder = tmp_path_factory.mktemp("page")
    db = str(folder / "seed.db")
    _cli("--db", db, "seed")
    page = folder / "chronology.html"
    _cli("--db", db, "export", "html", "-o", str(page))
    database = Database.open(db)
    try:
        with database.session() as session:
            records = [event_record(event) for event in stream_events(session)]
    finally:
        database.dispose()
    return page, records


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/browser-setup to install Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Reader:
    """A browser tab on the page that records every request and every error."""

    def __init__(self, browser: Any, page_file: Path, *, javascript: bool = True) -> None:
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
        )
        self.page = self.context.new_page()
        self.file_url = page_file.as_uri()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.route("**/*", self._request)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _request(self, route: Any) -> None:
        url = route.request.url
        if url.split("#")[0] == self.file_url or url.startswith("data:"):
            route.continue_()
        else:
            self.problems.append(f"request: {url}")
            route.abort()

    def open(self, fragment: str = "") -> Any:
        self.page.goto(self.file_url + fragment)
        self.page.wait_for_selector("html[data-ready]", state="attached", timeout=10000)
        return self.page

    def fragment(self) -> str:
        return str(self.page.evaluate("location.hash"))


@pytest.fixture
def reader(browser: Any, exported: tuple[Path, list[dict[str, Any]]]) -> Iterator[Reader]:
    tab = Reader(browser, exported[0])
    yield tab
    tab.context.close()
    assert tab.problems == []


def _axis_span(page: Any) -> float:
    return float(page.evaluate("timelinePage.axis.view[1] - timelinePage.axis.view[0]"))


def test_the_page_opens_and_zooms(reader: Reader, exported: Any) -> None:
    records = exported[1]
    page = reader.open()
    assert page.locator("#count").inner_text() == f"All {len(records)} events"
    assert page.locator("#static").is_hidden()
    assert 0 < page.locator("#rows li").count() < len(records)  # only the rows in view are drawn
    whole = _axis_span(page)
    page.click("#zoom-in")
    page.wait_for_timeout(50)
    assert _axis_span(page) == pytest.approx(whole / 2)
    box = page.locator("#axis").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + 100)
    page.mouse.wheel(0, -400)  # the wheel zooms in where it points
    page.wait_for_timeout(50)
    assert _axis_span(page) < whole / 2
    assert "Feb 1961" not in page.locator("#axis-range").inner_text()
    page.click("#zoom-fit")
    assert _axis_span(page) == pytest.approx(whole)


def test_filter_by_actor_counts_and_keeps_the_state_in_the_url(
    reader: Reader, exported: Any
) -> None:
    records = exported[1]
    expected = [r["key"] for r in records if any(a["key"] == "rusk" for a in r["actors"])]
    page = reader.open()
    page.select_option("#f-actor", "rusk")
    assert page.locator("#count").inner_text() == f"{len(expected)} of {len(records)} events"
    assert reader.fragment() == "#actor=rusk"
    keys = page.locator("#rows li").evaluate_all("items => items.map(li => li.dataset.key)")
    assert keys == expected
    # the counts of the other filters follow: every kind offered has events among Rusk's
    kinds = page.locator("#f-kind option").evaluate_all(
        "options => options.filter(o => !o.hidden).map(o => o.textContent)"
    )
    assert kinds[0] == "All kinds" and all(k.endswith("(1)") for k in kinds[1:])
    # a link with the fragment opens the same view
    page = reader.open("#actor=rusk&q=crab")
    assert page.locator("#f-actor").input_value() == "rusk"
    assert page.locator("#f-q").input_value() == "crab"
    crab = [k for k in expected if "crab" in str(next(r for r in records if r["key"] == k))]
    assert page.locator("#count").inner_text() == f"{len(crab)} of {len(records)} events"


def test_an_event_shows_each_quote_highlighted_in_its_document(
    reader: Reader, exported: Any
) -> None:
    record = next(r for r in exported[1] if r["key"] == RUSK_MEMO)
    page = reader.open("#actor=rusk")  # only the rows in view are drawn: bring the memo's in
    page.locator(f'#rows li[data-key="{RUSK_MEMO}"] a').click()
    assert page.locator("#detail-title").inner_text() == record["title"]
    marks = page.locator("#detail mark.quote").all_text_contents()
    assert marks == [source["quote"] for source in record["sources"]]
    assert reader.fragment() == f"#actor=rusk&event={RUSK_MEMO}"
    online = page.locator("#detail a.online").first
    assert online.get_attribute("href") == (
        "https://history.state.gov/historicaldocuments/frus1961-63v05/d37"
    )
    # the whole document, the quote marked in it at its stored offsets
    page.locator("#detail li.source button").nth(1).click()
    assert page.locator("#reader").is_visible()
    current = "".join(page.locator("#reader a.cited.current").all_text_contents())
    assert current == record["sources"][1]["quote"]
    cited = page.locator("#reader a.cited").count()
    assert cited >= len(record["sources"])
    page.keyboard.press("Escape")
    assert not page.locator("#reader").is_visible()


def test_the_crest_document_links_to_the_cia_reading_room(reader: Reader) -> None:
    page = reader.open("#view=documents")
    links = page.locator("#view-documents a.online").evaluate_all("a => a.map(x => x.href)")
    assert "https://www.cia.gov/readingroom/document/cia-rdp88b00443r001500070028-8" in links
    page = reader.open("#view=people")
    assert "Secretary of State" in page.locator("#view-people").inner_text()


def test_a_link_to_one_event_opens_it(reader: Reader, exported: Any) -> None:
    record = next(r for r in exported[1] if r["title"].startswith("Casey wrote"))
    page = reader.open(f"#event={record['key']}")
    assert page.locator("#detail").is_visible()
    assert page.locator("#detail-title").inner_text() == record["title"]
    current = page.locator("#rows li[aria-current]")
    assert current.get_attribute("data-key") == record["key"]


def test_the_page_works_by_keyboard_alone(reader: Reader, exported: Any) -> None:
    page = reader.open()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "f-q":
            break
    page.keyboard.type("Casey")
    focused = ""
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        if focused == "row":
            break
    assert focused == "row"
    page.keyboard.press("ArrowDown")
    key = page.evaluate("document.activeElement.parentElement.dataset.key")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "detail-title"
    title = next(r["title"] for r in exported[1] if r["key"] == key)
    assert page.locator("#detail-title").inner_text() == title
    page.keyboard.press("Escape")
    assert page.locator("#detail").is_hidden()
    assert page.evaluate("document.activeElement.parentElement.dataset.key") == key


def test_without_scripts_the_plain_chronology_shows(browser: Any, exported: Any) -> None:
    tab, records = Reader(browser, exported[0], javascript=False), exported[1]
    try:
        tab.page.goto(tab.file_url)
        assert tab.page.locator("#static").is_visible()
        assert tab.page.locator("#static li.event").count() == len(records)
        assert tab.page.locator("#app").is_hidden()
    finally:
        tab.context.close()
    assert tab.problems == []


def test_each_quote_shows_its_page_and_its_documents_source_note(
    reader: Reader, exported: Any
) -> None:
    """Issue 10's "p. 87": the page of each quote, the editors' notes told apart, the source
    note and release data of the document, and damaged words shown with their reading."""
    page = reader.open(f"#event={RUSK_MEMO}")
    lines = page.locator("#detail li.source p.page").all_inner_texts()
    pages = [line.split(" · ")[0] for line in lines]
    record = next(r for r in exported[1] if r["key"] == RUSK_MEMO)
    assert len(pages) == len(record["sources"]) and pages[0] == "p. 86"
    assert set(pages) == {"p. 86", "p. 87"}
    cites = page.locator("#detail li.source p.cite").all_inner_texts()
    assert cites[0] == (
        "Foreign Relations of the United States, 1961–1963, Volume V, Soviet Union, "
        "Document 37, p. 86"
    )
    assert cites[1].endswith("Document 37, p. 87")
    facts = page.locator("#detail li.source").first.locator("dl.doc-facts").inner_text()
    assert "Department of State, Central Files, 411.616/2-2661" in facts
    assert "Printed from a copy that bears this stamped signature." in facts

    page = reader.open("#event=1961-02-22-message-to-khrushchev")
    lines = page.locator("#detail li.source p.page").all_inner_texts()
    assert all(
        line.startswith("p. 86 n. 2 · editors' note, not the document's text") for line in lines
    )

    page = reader.open("#event=1984-05-16-casey-letter-to-regan")
    assert page.locator("#detail li.source p.page").first.inner_text().startswith("characters")
    damaged = page.locator("#detail mark.quote span.damaged").first
    assert damaged.inner_text() == "Wil iam"
    after = damaged.evaluate("node => getComputedStyle(node, '::after').content")
    assert after == '" [William]"'
    facts = page.locator("#detail li.source").first.locator("dl.doc-facts").inner_text()
    assert "RIFPUB (released in full;" in facts and "K" in facts


def test_footnote_markers_are_set_as_superscripts(reader: Reader, exported: Any) -> None:
    # "Hammer3" in the stored text is Hammer and the marker of note 3: the page must not let a
    # reader take the 3 for part of the word (or "February 82" for a date).
    key = "1961-02-18-hammer-reports-crab-meat-talks"
    record = next(r for r in exported[1] if r["key"] == key)
    page = reader.open(f"#event={key}")
    markers = page.locator("#detail sup.marker")
    assert markers.count() > 0
    assert all(text.isdigit() for text in markers.all_inner_texts())
    assert markers.first.get_attribute("title", timeout=1000).startswith("note ")
    quotes = page.locator("#detail mark.quote").all_text_contents()
    assert quotes == [source["quote"] for source in record["sources"]]
    assert reader.problems == []
