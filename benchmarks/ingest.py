"""`timeline ingest frus` on a full-size volume, against a bare parse of the same file.

    .venv/bin/python benchmarks/ingest.py [--postgres URL] [--documents N] [--repeat R]

Builds two FRUS volumes from the 1961–63 vol. V excerpt (its teiHeader, persons and terms lists
kept; its sixteen documents repeated under new ids and numbers, cross-references and page breaks
renumbered to follow on): a small one (24 documents, 0.2 MB) and a full-size one (N documents,
default 690, 4.1 MB: the excerpt's documents are shorter than a whole volume's, so 400 of them
make only 2.4 MB). 6 of every 16 are editorial notes with no date, which ingest reads and
reports but does not store. Each volume is ingested into a new database (``timeline init``, not
timed) on SQLite and, with a URL (default ``$TIMELINE_TEST_POSTGRES_URL``), on PostgreSQL,
whose database is EMPTIED first. Every run is its own process, timed by wall clock from start
to exit (the fastest of R runs), with its peak resident memory (``ru_maxrss`` from ``wait4``).

References, also processes of their own: a bare ``iterparse`` of the file that clears each
element as it ends (the floor), and timeline's TEI parser alone, with no database. Columns:
``x bare`` and ``x parser`` are the run's time against theirs; ``x small`` the full-size
volume's peak memory against the small one's. The load average is printed first: on a busy
machine every figure is slower, the start-up of each process most. Issue 7's targets:
ingest within 3x the bare parse; memory at most 1.5x the small volume's.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCERPT = Path("/work/shared/corpus/frus/frus1961-63v05-excerpt.xml")
if not EXCERPT.exists():
    EXCERPT = ROOT / "tests" / "data" / "frus" / "frus1961-63v05-excerpt.xml"
SMALL = 24
_DOC = re.compile(r'<div type="document" xml:id="d(\d+)" n="\d+">')
_DOC_ID = re.compile(r'(xml:id="|#)d(\d+)')
_HEAD_NUMBER = re.compile(r"<head>\d+\.")
_PB = re.compile(r'<pb n="(\d+)" xml:id="pg_\d+" facs="(\d+)"/>')


def build_volume(path: Path, documents: int) -> Path:
    """A volume of ``documents`` documents: the excerpt's, repeated under new ids, numbers and
    pages (copy K's document 30+j is number 30+16K+j; its pages follow copy K-1's)."""
    source = EXCERPT.read_text(encoding="utf-8")
    starts = [m.start() for m in _DOC.finditer(source)]
    end = source.rindex("</div>", 0, source.index("</body>"))  # the compilation's end
    chunks = [source[a:b] for a, b in zip(starts, [*starts[1:], end], strict=True)]
    pages = [int(n) for n, _ in _PB.findall(source[starts[0] : end])]
    page_shift = max(pages) - min(pages) + 1
    first = int(_DOC.match(chunks[0]).group(1))  # type: ignore[union-attr]
    parts = [source[: starts[0]]]
    for index in range(documents):
        copy, which = divmod(index, len(chunks))
        chunk = chunks[which]
        shift, pshift = copy * len(chunks), copy * page_shift
        number = first + index
        chunk = _DOC_ID.sub(lambda m, s=shift: f"{m[1]}d{int(m[2]) + s}", chunk)
        chunk = _DOC.sub(f'<div type="document" xml:id="d{number}" n="{number}">', chunk, 1)
        chunk = _HEAD_NUMBER.sub(f"<head>{number}.", chunk, 1)
        chunk = _PB.sub(
            lambda m, s=pshift: (
                f'<pb n="{int(m[1]) + s}" xml:id="pg_{int(m[1]) + s}" facs="{int(m[2]) + s:04d}"/>'
            ),
            chunk,
        )
        parts.append(chunk)
    parts.append(source[end:])
    path.write_text("".join(parts), encoding="utf-8")
    return path


# --- the references, each run as `ingest.py --child WHAT FILE` -------------------------------


def bare_parse(path: str) -> int:
    import xml.etree.ElementTree as ET

    count = 0
    for _, element in ET.iterparse(path):
        element.clear()  # an empty element stays in its parent: a few bytes each
        count += 1
    return count


def parser_alone(path: str) -> int:
    from timeline.sources import iter_volume

    return sum(1 for _ in iter_volume(path))


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Row:
    volume: str
    megabytes: float
    documents: int
    run: str
    seconds: float
    peak_kib: int
    bare: float = 0.0


def measure(command: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of ``command``, run as a child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"benchmark: {' '.join(command)} failed:\n{errors}")
    return seconds, usage.ru_maxrss


def timeline(url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "timeline", "--db", url, *args]


def empty_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def child(*args: str) -> list[str]:
    return [sys.executable, __file__, "--child", *args]


def ingest(url: str, volume: Path, reset: bool) -> tuple[float, int]:
    """Ingest ``volume`` into a new database at ``url`` (made by ``timeline init``, not timed)."""
    if reset:
        subprocess.run(child("empty-postgres", url), cwd=ROOT, check=True)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    subprocess.run(timeline(url, "init"), cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return measure(timeline(url, "ingest", "frus", str(volume)))


def best(repeat: int, once: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    """The fastest of ``repeat`` runs (the machine's other load only slows a run down), with
    the highest peak memory of them."""
    runs = [once() for _ in range(repeat)]
    return min(s for s, _ in runs), max(kib for _, kib in runs)


def run(work: Path, documents: int, postgres: str | None, repeat: int) -> list[Row]:
    """Every step in a child process: a child's peak RSS counts what its parent held when it
    forked, so this process builds nothing and imports nothing large itself."""
    rows = []
    for count in (SMALL, documents):
        volume = work / f"frus-benchmark-{count}.xml"
        subprocess.run(child("build", str(volume), str(count)), cwd=ROOT, check=True)
        size = volume.stat().st_size / 1e6
        bare, bare_peak = best(repeat, lambda v=volume: measure(child("bare", str(v))))
        rows.append(Row(volume.name, size, count, "bare iterparse", bare, bare_peak, bare))
        seconds, peak = best(repeat, lambda v=volume: measure(child("parser", str(v))))
        rows.append(Row(volume.name, size, count, "TEI parser alone", seconds, peak, bare))
        targets = [("ingest sqlite", f"sqlite:///{work / 'ingest.db'}", False)]
        if postgres:
            targets.append(("ingest postgresql", postgres, True))
        for name, url, reset in targets:
            seconds, peak = best(repeat, lambda u=url, v=volume, r=reset: ingest(u, v, r))
            rows.append(Row(volume.name, size, count, name, seconds, peak, bare))
    return rows


def print_table(rows: list[Row]) -> None:
    """Each run's figures, against the bare parse and timeline's parser of the same file; the
    full-size volume's peak memory also against the small one's."""
    small = {row.run: row for row in rows if row.documents == SMALL}
    parser = {row.volume: row.seconds for row in rows if row.run == "TEI parser alone"}
    print(
        f"{'volume':24} {'MB':>5} {'docs':>5} {'run':18} {'s':>6} {'docs/s':>7} "
        f"{'x bare':>7} {'x parser':>8} {'peak MiB':>9} {'x small':>8}"
    )
    for row in rows:
        base = small[row.run]
        growth = "-" if row is base else f"{row.peak_kib / base.peak_kib:.2f}"
        print(
            f"{row.volume:24} {row.megabytes:5.2f} {row.documents:5d} {row.run:18} "
            f"{row.seconds:6.2f} {row.documents / row.seconds:7.0f} "
            f"{row.seconds / row.bare:7.2f} {row.seconds / parser[row.volume]:8.2f} "
            f"{row.peak_kib / 1024:9.1f} {growth:>8}"
        )


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        what, argument = sys.argv[2:4]
        if what == "build":
            build_volume(Path(argument), int(sys.argv[4]))
        elif what == "empty-postgres":
            empty_postgres(argument)
        else:
            print({"bare": bare_parse, "parser": parser_alone}[what](argument))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("TIMELINE_TEST_POSTGRES_URL"),
        help="also ingest into this PostgreSQL database, which is EMPTIED "
        "(default: $TIMELINE_TEST_POSTGRES_URL; --postgres '' to skip)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each step; the fastest counts (default 3)"
    )
    parser.add_argument(
        "--documents",
        type=int,
        default=690,
        help="documents in the full-size volume (default 690, about 4 MB)",
    )
    # scripts/benchmark passes on all its arguments: this takes --postgres and leaves the rest.
    args, _ = parser.parse_known_args()
    if args.documents <= SMALL:
        parser.error(f"--documents must be more than {SMALL}")
    work = Path(tempfile.mkdtemp(prefix="timeline-ingest-benchmark-"))
    try:
        load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        print(f"ingest frus: python {sys.version.split()[0]}, load average {load}", flush=True)
        print_table(run(work, args.documents, args.postgres or None, max(1, args.repeat)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
