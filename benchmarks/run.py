"""Export and import throughput and peak memory on databases many times the seed's size.

Run it as ``scripts/benchmark`` (see benchmarks/README.md). For each size it writes a `json`
export holding that many copies of the seed (copy 0 is the seed itself; the others are
benchmark data, every key suffixed ``~benchmark-copy-N`` and every id shifted), imports it
into a new database (that is the import measurement), then runs every export format from that
database. Each step is its own process (``python -m timeline``); the figures are its wall time
and its peak resident memory (``ru_maxrss`` from ``wait4``), with ratios against the smallest
size of the same run. A memory ratio near 1 while the data grows 500-fold is what streaming
looks like.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXPORTS = ("json", "ndjson", "csv", "sqlite", "sql", "timelinejs", "markdown", "html")
KEYED_STRINGS = ("key", "frus_id")  # unique strings: suffixed in every copy


@dataclass
class Measure:
    backend: str
    size: int
    step: str
    units: int
    unit: str
    seconds: float
    peak_kib: int


def timeline(*args: str, cwd: Path) -> tuple[float, int]:
    """Run ``python -m timeline ARGS`` and return (seconds, peak RSS in KiB) of that process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "timeline", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"benchmark: timeline {' '.join(args)} failed:\n{errors}")
    return seconds, usage.ru_maxrss  # KiB on Linux


def seed_export(workdir: Path) -> dict[str, Any]:
    seed_db = workdir / "seed.db"
    timeline("--db", str(seed_db), "seed", cwd=workdir)
    out = workdir / "seed.json"
    timeline("--db", str(seed_db), "export", "json", "-o", str(out), cwd=workdir)
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _copies(document: dict[str, Any], copies: int) -> Iterator[tuple[str, list[str], Any]]:
    """Each table's rows for ``copies`` copies of the seed, ids shifted past the previous copy."""
    tables = document["tables"]
    links = {}
    for link in document["links"]:
        source, target = link["from"], link["to"]
        links[source] = target.split(".")[0]
    span = {}
    for name, table in tables.items():
        ids = [row.get("id") for row in table["rows"] if isinstance(row.get("id"), int)]
        span[name] = max(ids, default=0)
    for name, table in tables.items():
        integer_refs = {
            column: span[links[f"{name}.{column}"]]
            for column in table["columns"]
            if f"{name}.{column}" in links
        }
        if "id" in table["columns"]:
            integer_refs["id"] = span[name]

        def rows(table: dict[str, Any] = table, refs: dict[str, int] = integer_refs) -> Any:
            for copy in range(copies):
                for row in table["rows"]:
                    if copy == 0:
                        yield row
                        continue
                    new = dict(row)
                    for column, width in refs.items():
                        if new[column] is not None:
                            new[column] += copy * width
                    for column in KEYED_STRINGS:
                        if new.get(column) is not None:
                            new[column] = f"{new[column]}~benchmark-copy-{copy}"
                    yield new

        yield name, table["columns"], rows()


def write_copies(document: dict[str, Any], copies: int, path: Path) -> int:
    """Write a `json` export holding ``copies`` copies of the seed; returns the row count."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("{\n")
        for field in ("format", "format_version", "schema_revision", "links"):
            out.write(
                f"  {json.dumps(field)}: {json.dumps(document[field], ensure_ascii=False)},\n"
            )
        out.write('  "tables": {')
        first_table = True
        for name, columns, rows in _copies(document, copies):
            out.write(("" if first_table else ",") + f"\n    {json.dumps(name)}: {{\n")
            out.write(f'      "columns": {json.dumps(columns)},\n      "rows": [')
            first_table = False
            separator = "\n        "
            for row in rows:
                out.write(separator + json.dumps(row, ensure_ascii=False))
                separator = ",\n        "
                count += 1
            out.write("\n      ]\n    }")
        out.write("\n  }\n}\n")
    return count


def reset_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def run_size(
    backend: str, url: str | None, size: int, document: dict[str, Any], workdir: Path
) -> list[Measure]:
    directory = workdir / f"{backend}-{size}x"
    directory.mkdir()
    source = directory / "copies.json"
    rows = write_copies(document, size, source)
    events = size * len(document["tables"]["events"]["rows"])
    if url is None:
        db = str(directory / "timeline.db")
    else:
        reset_postgres(url)
        db = url
    results = []
    seconds, peak = timeline("--db", db, "import", str(source), cwd=directory)
    results.append(Measure(backend, size, "import json", rows, "rows", seconds, peak))
    for fmt in EXPORTS:
        out = directory / f"export.{fmt}"
        seconds, peak = timeline("--db", db, "export", fmt, "-o", str(out), cwd=directory)
        units, unit = (
            (events, "events") if fmt in ("timelinejs", "markdown", "html") else (rows, "rows")
        )
        results.append(Measure(backend, size, f"export {fmt}", units, unit, seconds, peak))
        if out.is_dir():
            shutil.rmtree(out)
        else:
            out.unlink()
    return results


def print_table(measures: list[Measure]) -> None:
    smallest: dict[tuple[str, str], Measure] = {}
    for m in measures:
        key = (m.backend, m.step)
        if key not in smallest or m.size < smallest[key].size:
            smallest[key] = m
    header = (
        f"{'backend':<10} {'size':>5} {'step':<18} {'units':>16} {'seconds':>8} "
        f"{'units/s':>9} {'peak MiB':>9} {'time x':>7} {'mem x':>6}"
    )
    print(header)
    print("-" * len(header))
    for m in measures:
        base = smallest[(m.backend, m.step)]
        rate = m.units / m.seconds if m.seconds else float("inf")
        print(
            f"{m.backend:<10} {m.size:>4}x {m.step:<18} {m.units:>9} {m.unit:<6} "
            f"{m.seconds:>8.2f} {rate:>9.0f} {m.peak_kib / 1024:>9.1f} "
            f"{m.seconds / base.seconds:>7.2f} {m.peak_kib / base.peak_kib:>6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="1,10,500",
        help="copies of the seed, comma-separated (default: 1,10,500)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("TIMELINE_TEST_POSTGRES_URL"),
        help="also measure on this PostgreSQL database, which is EMPTIED first "
        "(default: $TIMELINE_TEST_POSTGRES_URL; --postgres '' to skip)",
    )
    parser.add_argument("--keep", metavar="DIR", type=Path, help="work in DIR and keep it")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or sizes[0] < 1:
        parser.error("sizes must be positive integers")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="timeline-benchmark-"))
    workdir.mkdir(parents=True, exist_ok=True)
    backends: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.postgres:
        backends.append(("postgresql", args.postgres))
    started = time.perf_counter()
    try:
        document = seed_export(workdir)
        seed_rows = sum(len(t["rows"]) for t in document["tables"].values())
        start_seconds, start_peak = timeline("--version", cwd=workdir)
        print(
            f"seed: {seed_rows} rows; sizes {', '.join(f'{s}x' for s in sizes)}; "
            f"backends {', '.join(b for b, _ in backends)}; python {sys.version.split()[0]}; "
            f"work in {workdir}\n"
            f"start-up alone (python -m timeline --version): {start_seconds:.2f} s, "
            f"{start_peak / 1024:.1f} MiB; every step below includes it\n",
            flush=True,
        )
        measures: list[Measure] = []
        for backend, url in backends:
            for size in sizes:
                measures += run_size(backend, url, size, document, workdir)
                print(f"  measured {backend} {size}x", file=sys.stderr, flush=True)
        print_table(measures)
        print(f"\ntotal {time.perf_counter() - started:.0f} s")
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
