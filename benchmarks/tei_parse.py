"""FRUS TEI parsing against a bare ``iterparse`` of the same file: time and peak traced memory.

    .venv/bin/python benchmarks/tei_parse.py [VOLUME.xml ...]
    .venv/bin/python benchmarks/tei_parse.py --copies 2,25,60   # generated from the 1961 excerpt

The bare parse (start and end events, each finished top-level element detached) is the floor any
ingest must stand on. A generated volume repeats the 1961–63 vol. V excerpt's sixteen documents
under new ids; nothing generated leaves the temporary directory.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from timeline.sources import iter_volume

EXCERPT = Path("/work/shared/corpus/frus/frus1961-63v05-excerpt.xml")


def bare(path: Path) -> int:
    count = 0
    stack: list[ET.Element] = []
    for event, el in ET.iterparse(path, events=("start", "end")):
        if event == "start":
            stack.append(el)
            continue
        stack.pop()
        if len(stack) == 3:  # children of body/front: free them as the parser does
            stack[-1].remove(el)
        count += 1
    return count


def parse(path: Path) -> int:
    return sum(1 for _ in iter_volume(path))


def measure(run: Callable[[Path], int], path: Path) -> tuple[float, int]:
    """Best of three untraced runs, then the peak of one traced run (tracing slows Python)."""
    seconds = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        run(path)
        seconds = min(seconds, time.perf_counter() - start)
    tracemalloc.start()
    run(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def generate(directory: Path, copies: int) -> Path:
    source = EXCERPT.read_text(encoding="utf-8")
    start = source.index('<div type="document" xml:id="d30"')
    end = source.rindex("</div>", 0, source.index("</body>"))
    docs = source[start:end]
    body = "".join(
        re.sub(r'xml:id="(d\d+)(fn\d+)?"', rf'xml:id="\1\2c{i}"', docs) for i in range(copies)
    )
    path = directory / f"frus-generated-{copies}.xml"
    path.write_text(source[:start] + body + source[end:], encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("volumes", nargs="*", type=Path)
    parser.add_argument("--copies", default="2,25,60", help="generated sizes (default 2,25,60)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = list(args.volumes) or [
            generate(Path(tmp), int(n)) for n in args.copies.split(",") if n
        ]
        print(f"{'file':32} {'MB':>6} {'bare s':>8} {'parse s':>8} {'ratio':>6} {'peak KiB':>9}")
        for path in paths:
            bare_s, _ = measure(bare, path)
            parse_s, peak = measure(parse, path)
            size = path.stat().st_size / 1e6
            print(
                f"{path.name[:32]:32} {size:6.2f} {bare_s:8.3f} {parse_s:8.3f} "
                f"{parse_s / bare_s:6.2f} {peak // 1024:9d}"
            )


if __name__ == "__main__":
    main()
