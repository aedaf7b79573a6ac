"""The html page at scale, in the browser: load-to-interactive time and the time to filter.

Exports a database of 625 copies of the seed (10,000 events, 1,250 documents) as the html page,
opens it in headless Chromium (Debian's, through Playwright, as the tests do) and prints, beside
a reference measured in the same run (a static HTML list of the same events, one <li> each, no
script): the time from navigation to the page being interactive, and the time to apply a filter
and draw its result.

Run: .venv/bin/python benchmarks/page.py [--events N] [--runs N] (after scripts/browser-setup).
"""

from __future__ import annotations

import argparse
import html
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from run import seed_export, timeline, write_copies

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def reference_page(events: list[dict[str, Any]], path: Path) -> None:
    """The plainest page of the same size: every event a list item, no script."""
    with path.open("w", encoding="utf-8") as out:
        out.write('<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>ref</title><ol>')
        for e in events:
            out.write(
                f"<li><b>{html.escape(e['date'])}</b> {html.escape(e['title'])}"
                f"<p>{html.escape(e['description'])}</p></li>"
            )
        out.write("</ol></html>")


def measure(page_file: Path, reference: Path, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"page": [], "reference": [], "filter": [], "search": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            tab.goto(reference.as_uri(), wait_until="load")
            times["reference"].append(
                tab.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            )
            tab.close()
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            tab.goto(page_file.as_uri())
            tab.wait_for_selector("html[data-ready]", state="attached", timeout=120000)
            # interactive: the script has drawn the page and the next frame is painted
            times["page"].append(
                tab.evaluate("new Promise(r => requestAnimationFrame(() => r(performance.now())))")
            )
            for name, script in (
                (
                    "filter",
                    "s = document.querySelector('#f-actor'); s.value = 'rusk';"
                    " s.dispatchEvent(new Event('change'));",
                ),
                (
                    "search",
                    "q = document.querySelector('#f-q'); q.value = 'crab meat';"
                    " q.dispatchEvent(new Event('input'));",
                ),
            ):
                times[name].append(
                    tab.evaluate(
                        "new Promise(r => { const t = performance.now(); "
                        + script
                        + " requestAnimationFrame(() => requestAnimationFrame("
                        "() => r(performance.now() - t))); })"
                    )
                )
            tab.close()
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="timeline-page-") as folder:
        work = Path(folder)
        document = seed_export(work)
        copies = max(1, options.events // len(document["tables"]["events"]["rows"]))
        source = work / "copies.json"
        write_copies(document, copies, source)
        db = str(work / "big.db")
        timeline("--db", db, "import", str(source), cwd=work)
        page = work / "page.html"
        seconds, _ = timeline("--db", db, "export", "html", "-o", str(page), cwd=work)
        listing = subprocess.run(
            [
                sys.executable,
                "-m",
                "timeline",
                "--db",
                db,
                "report",
                "--from",
                "1000",
                "--to",
                "2100",
                "--format",
                "json",
            ],
            capture_output=True,
            check=True,
            cwd=work,
        )
        events = json.loads(listing.stdout)
        size = page.stat().st_size
        reference = work / "reference.html"
        reference_page(events, reference)
        times = measure(page, reference, options.runs)
    best = {name: min(values) for name, values in times.items()}
    print(
        f"html page of {len(events):,} events, {copies * 2:,} documents: "
        f"{size / 1e6:.1f} MB, exported in {seconds:.1f} s"
    )
    print(f"{'measure (best of ' + str(options.runs) + ')':<40} {'ms':>8}")
    print(f"{'reference: static list, load':<40} {best['reference']:>8.0f}")
    print(
        f"{'page: navigation to interactive':<40} {best['page']:>8.0f}"
        f"   ({best['page'] / best['reference']:.2f}x the reference)"
    )
    print(f"{'page: filter by an actor, drawn':<40} {best['filter']:>8.0f}")
    print(f"{'page: free-text search, drawn':<40} {best['search']:>8.0f}")


if __name__ == "__main__":
    main()
