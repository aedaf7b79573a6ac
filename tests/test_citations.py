"""Issue 9 §2 and issue 10's "p. 87": every quote cited to its page, the full citation once and a
short form after, each document's source note, classification, signature note and release data,
the readings of damaged words, and identifications from outside the texts, bracketed with their
source, in `show`, the Markdown report and export, and the html page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from conftest import dump

D37 = "frus1961-63v05-d37"
CREST = "CIA-RDP88B00443R001500070028-8"
FRUS_FULL = "Foreign Relations of the United States, 1961–1963, Volume V, Soviet Union, Document 37"
FRUS_SHORT = "FRUS, 1961–1963, vol. V, doc. 37"


def _markdown(run: Callable[..., Result], db: str, *args: str) -> tuple[str, str, list[str]]:
    """(body, documents section, notes) of `timeline report --format markdown --sources`."""
    text = run("--db", db, "report", "-f", "markdown", "--sources", *args).stdout
    body, _, notes = text.partition("\n---\n\n")
    body, _, documents = body.partition("\n## Documents cited\n")
    return body, documents, notes.splitlines()


def test_the_seed_stores_the_pages_of_d37(seeded: str) -> None:
    rows = dump(seeded)["page_breaks"]
    d37 = next(r[1] for r in rows if r[2] == "86")  # the excerpt's documents have pages too
    breaks = [row[2:4] for row in sorted(rows, key=lambda r: r[3]) if row[1] == d37]
    text = (Path(__file__).parent.parent / "seed" / "000_b383fc1ab894f415.txt").read_text()
    assert breaks == [("86", 0), ("87", text.index("[Page 87]"))]


def test_markdown_cites_each_quote_to_its_page(seeded: str, run: Callable[..., Result]) -> None:
    notes = _markdown(run, seeded)[2]
    first = next(n for n in notes if D37 in n)
    # the first citation of d37 is in full, at the quote's page, not the document's range
    assert first.startswith(f"[^1]: {FRUS_FULL}, p. 87 (`{D37}`, characters 1064–1101)")
    later = [n for n in notes if D37 in n][1:]
    assert later and all(n.split(": ", 1)[1].startswith(f"{FRUS_SHORT}, p. 8") for n in later)
    assert any(f"{FRUS_SHORT}, p. 86 (`{D37}`, characters 98–216)" in n for n in notes)
    # a quote from footnote 2 is the editors' note, on the page of its marker
    editors = [n for n in notes if "Presumably at the meeting" in n]
    assert (
        editors
        and f"{FRUS_SHORT}, p. 86 n. 2 (editors' note, not the document's text)" in (editors[0])
    )
    # the CREST scan has no printed pages: cited without one, in full once, short after
    crest = [n.split(": ", 1)[1] for n in notes if CREST in n]
    assert crest[0].startswith("Director of Central Intelligence to the Secretary of State")
    assert all(n.startswith(f"CREST, {CREST} (`{CREST}`") for n in crest[1:])
    assert not any(re.search(r"CREST.*, pp?\. \d", n) for n in crest)


def test_markdown_shows_damaged_words_with_their_reading(
    seeded: str, run: Callable[..., Result]
) -> None:
    notes = "\n".join(_markdown(run, seeded)[2])
    assert "“Yours, Wil iam [William] J. Casey cc: Secretary of State”" in notes
    assert "vol. VI, pp. 56 [5–6]”" in notes
    assert "DIRECTOR OF CENTRAL I LLIGENCE [INTELLIGENCE]”" in notes
    assert "Wil iam J. Casey cc" not in notes  # never silently left


def test_markdown_lists_each_documents_source_note_and_release_data(
    seeded: str, run: Callable[..., Result]
) -> None:
    documents = _markdown(run, seeded)[1]
    frus, crest = documents.split(f"\n- **CREST, {CREST}**")
    assert f"- **{FRUS_SHORT}**: {FRUS_FULL}, pp. 86–87" in frus
    assert (
        "  - Source note: Department of State, Central Files, 411.616/2-2661. Confidential. "
        "No drafting information appears on the source text." in frus
    )
    assert "  - Classification: Confidential\n" in frus
    assert (
        "  - Signature note: n. 3: Printed from a copy that bears this stamped signature." in frus
    )
    assert "  - Original classification: K\n" in crest  # CREST's code, no public key: bare
    assert "  - Release decision: RIFPUB (released in full; the project's reading" in crest
    assert "  - Document release date: 2007-08-27\n" in crest
    assert "  - Approved for release: 2007-08-29\n" in crest
    assert "  - Document creation date (the catalogue record's): 2016-12-20\n" in crest


def test_identifications_from_outside_the_texts_are_bracketed_with_their_source(
    seeded: str, run: Callable[..., Result]
) -> None:
    body = _markdown(run, seeded)[0]
    assert "“Mr. Dillon” [C. Douglas Dillon, Secretary of the Treasury; identified from: " in body
    assert "John F. Kennedy Presidential Library, biography of C. Douglas Dillon] (concurring)" in (
        body
    )
    assert (
        "“Mr. McNamar” [R. T. McNamar, Deputy Secretary of the Treasury; identified from: "
        "Ronald Reagan Presidential Library, list of deputy cabinet officers] (recipient)" in body
    )
    assert "Dean Rusk (author)" in body  # the text names him, and states his office


def test_show_cites_an_events_quotes_and_names_its_actors_as_cited(
    seeded: str, run: Callable[..., Result]
) -> None:
    text = run("--db", seeded, "show", "1961-02-22-message-to-khrushchev").stdout
    assert (
        f"  - {FRUS_FULL}, p. 86 n. 2 (editors' note, not the document's text) "
        f"[{D37} 2446:2546]: “Presumably at the meeting during which the Presidentʼs February 22 "
        "message to Khrushchev was drafted”"
    ) in text
    assert f"  - {FRUS_SHORT}, p. 86 n. 2 (editors' note" in text
    assert "pp. 56 [5–6]”" in text
    assert "“Khrushchev” [Nikita S. Khrushchev; identified from: Foreign Relations" in text
    record = json.loads(
        run("--db", seeded, "show", "1984-05-16-casey-letter-to-regan", "-f", "json").stdout
    )
    signed = next(s for s in record["sources"] if "Casey" in s["quote"])
    assert signed["shown"] == "Yours, Wil iam [William] J. Casey cc: Secretary of State"
    assert "pinpoint" not in signed or signed["pinpoint"] is None  # CREST: no printed page


def test_show_a_document_gives_its_source_note_and_release_data(
    seeded: str, run: Callable[..., Result]
) -> None:
    doc = json.loads(run("--db", seeded, "show", D37, "-f", "json").stdout)
    assert doc["short_citation"] == FRUS_SHORT
    assert doc["source_note"].startswith("Department of State, Central Files, 411.616/2-2661.")
    assert doc["signature_note"] == "n. 3: Printed from a copy that bears this stamped signature."
    quotes = [q for e in doc["events"] for q in e["quotes"]]
    assert {q["page"] for q in quotes} == {"p. 86", "p. 87", "p. 86 n. 2"}
    assert all(bool(q.get("editors_note")) == (q["page"] == "p. 86 n. 2") for q in quotes)
    crest = json.loads(run("--db", seeded, "show", CREST, "-f", "json").stdout)
    assert crest["original_classification"] == "K" and "classification" not in crest
    assert crest["release_decision"].startswith("RIFPUB (released in full;")
    assert all("page" not in q for e in crest["events"] for q in e["quotes"])
    text = run("--db", seeded, "show", D37).stdout
    assert re.search(
        r"“see Foreign Relations, 1961–1963, vol\. VI, pp\. 56 \[5–6\]” "
        r"\[p\. 86 n\. 2, 2548:2597\] \(editors' note",
        text,
    )


def test_a_quote_across_a_page_break_is_cited_to_both_pages(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    annotation = tmp_path / "across.toml"
    annotation.write_text(
        f'document = "{D37}"\n\n[[event]]\nkey = "across"\nkind = "assessment"\n'
        'date_from = "document"\ntitle = "Across the page"\ndescription = "Rusk concurs."\n'
        'quotes = ["I am advised that Mr. Dillon concurs in this recommendation. [Page 87] '
        'We believe that it is of great importance"]\n',
        encoding="utf-8",
    )
    run("--db", seeded, "load", str(annotation))
    text = run("--db", seeded, "show", "across").stdout
    assert f"  - {FRUS_FULL}, pp. 86–87 [{D37} 304:" in text


def test_pages_that_contradict_the_texts_page_marker_are_refused(
    seed_copy: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    annotation = seed_copy / "000_b383fc1ab894f415.toml"
    annotation.write_text(
        annotation.read_text(encoding="utf-8").replace('pages = "86–87"', 'pages = "85–86"'),
        encoding="utf-8",
    )
    result = run("--db", str(tmp_path / "t.db"), "seed", "--dir", str(seed_copy), expect=1)
    assert result.stderr.count("\n") == 1
    assert "'pages' is \"85–86\" but the text marks [Page 87]" in result.stderr


def test_the_markdown_export_and_the_page_cite_to_the_page(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    markdown = run("--db", seeded, "export", "markdown").stdout
    assert f"[^1]: {FRUS_FULL}, p. 87 (`{D37}`" in markdown
    assert "Wil iam \\[William\\] J. Casey" in markdown  # escaped, as all its text
    assert "\n## Documents cited\n" in markdown
    page = tmp_path / "page.html"
    run("--db", seeded, "export", "html", "-o", str(page))
    html = page.read_text(encoding="utf-8")
    data = json.loads(
        html.split('id="timeline-data">', 1)[1].split("</script>", 1)[0].replace("\\u003c", "<")
    )
    pages = {s["page"] for e in data["events"] for s in e["sources"] if s["document"] == D37}
    assert pages == {"p. 86", "p. 87", "p. 86 n. 2"}
    assert all(
        "page" not in s for e in data["events"] for s in e["sources"] if s["document"] == CREST
    )
    editors = [
        s
        for e in data["events"]
        for s in e["sources"]
        if s.get("editorsNote") and s["document"] == D37
    ]
    assert editors and all(s["page"] == "p. 86 n. 2" for s in editors)
    d37 = next(d for d in data["documents"] if d["key"] == D37)
    assert ["Signature note", "n. 3: Printed from a copy that bears this stamped signature."] in (
        d37["facts"]
    )
    crest = next(d for d in data["documents"] if d["key"] == CREST)
    start = crest["text"].index("Wil iam J. Casey")
    assert [start, start + len("Wil iam"), "[William]"] in [r[:3] for r in crest["readings"]]
    # the plain chronology (scripts off, print): notes to the page, and the documents cited
    assert f"{FRUS_FULL}, p. 87 (<code>{D37}</code>" in html
    assert "Wil iam [William] J. Casey" in html
    assert '<h2 id="documents-cited">Documents cited</h2>' in html
