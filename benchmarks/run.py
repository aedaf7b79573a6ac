"""One table of timeline against the engine's own tools, at a given number of events.

Run it as ``scripts/benchmark [EVENTS]`` (see benchmarks/README.md). The data is the seed copied
as many times as EVENTS needs (copy 0 is the seed itself; the others are benchmark data, every
key suffixed ``~benchmark-copy-N`` and every id shifted), written once as a `json` export and
imported once; both are kept under --cache and reused by later runs of the same size. Every
step, timeline's and its reference's, is its own process; the figures are its wall time and
its peak resident memory (``ru_maxrss`` from ``wait4``). References are measured in the same
run: the ``sqlite3`` command-line shell, ``psql`` and ``COPY``, ``python -c "import click"``,
and benchmarks/references.py (a plain streaming dump; the bulk insert path).
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import importlib.util
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KEYED_STRINGS = ("key", "frus_id")  # unique strings: suffixed in every copy
# Unique strings under other names: an actor's qualified FRUS id, a volume's glossary id.
TABLE_KEYED_STRINGS = {"actor_identifiers": ("value",), "glossary_terms": ("term_id",)}
WINDOW = ("--from", "1961", "--to", "1970")
WINDOW_SQL = "date_start <= '1970-12-31' AND date_end >= '1961-01-01'"
SEARCH_WORD = "Treasury"
# The report's formats; CSV and JSON by default in parts side by side for a large window
# (timeline/report_parts.py), and with --jobs 1 in one process (--serial).
# What the Markdown report prints beyond the chronology view: each source of the window's events
# (its quote, offsets and document, in the report's order) and the documents cited, with the page
# breaks, notes and readings their citations are pinned to. Plain SQL that either engine runs;
# a second reference for that report, beside the view's.
_IN_WINDOW = "e.date_start <= '1970-12-31' AND e.date_end >= '1961-01-01'"
_CITED = (
    f"SELECT s.document_id FROM event_sources s JOIN events e ON e.id = s.event_id "
    f"WHERE {_IN_WINDOW}"
)
CHRONOLOGY_ROWS = f"SELECT * FROM chronology WHERE {WINDOW_SQL} ORDER BY sort_date, date_end"
_SOURCE_ORDER = (
    "ORDER BY CASE WHEN e.date_start = '0001-01-01' THEN e.date_end ELSE e.date_start END, "
    "e.date_end, e.sequence, e.key, s.position"
)
MARKDOWN_ROWS = [
    CHRONOLOGY_ROWS,
    "SELECT s.quote, s.char_start, s.char_end, d.key, d.citation FROM event_sources s "
    "JOIN events e ON e.id = s.event_id JOIN documents d ON d.id = s.document_id "
    f"WHERE {_IN_WINDOW} {_SOURCE_ORDER}",
    f"SELECT * FROM documents WHERE id IN ({_CITED})",
    *(
        f"SELECT * FROM {table} WHERE document_id IN ({_CITED})"
        for table in ("page_breaks", "document_notes", "document_readings")
    ),
]
# What the table, CSV and JSON reports print beyond the chronology view with --sources: each
# source's quote, in the report's order. A second reference for them, beside the view's, which
# holds no quote.
QUOTED_ROWS = [
    CHRONOLOGY_ROWS,
    "SELECT s.quote FROM event_sources s JOIN events e ON e.id = s.event_id "
    f"WHERE {_IN_WINDOW} {_SOURCE_ORDER}",
]

REPORTS = [
    ("table", []),
    ("markdown", []),
    ("markdown", ["--jobs", "1"]),
    ("csv", []),
    ("csv", ["--jobs", "1"]),
    ("json", []),
    ("json", ["--jobs", "1"]),
]
# The --jobs 1 steps (what the parallel ones gain) by default only below this many events: at a
# million they took 9 of the SQLite steps' 29 minutes, the import alone 6.5 (--serial to keep them).
SERIAL_BELOW = 200_000


def second_reference(fmt: str) -> tuple[list[str], str]:
    """The queries of what a report in ``fmt`` prints with --sources, and their name: the
    view's rows and those it prints beyond them."""
    if fmt == "markdown":
        return MARKDOWN_ROWS, "view+sources+documents"
    return QUOTED_ROWS, "view+quotes"


def jobs_steps(serial: bool) -> list[list[str]]:
    """The --jobs arguments a parallel step is measured with: the default's, and with
    ``serial`` one process's."""
    return [[], ["--jobs", "1"]] if serial else [[]]


def reports(serial: bool) -> list[tuple[str, list[str]]]:
    """The report steps measured: :data:`REPORTS`, the --jobs 1 ones only with ``serial``."""
    return [(fmt, jobs) for fmt, jobs in REPORTS if jobs in jobs_steps(serial)]


@dataclass
class Measure:
    backend: str
    events: int
    step: str
    seconds: float
    peak_kib: int
    reference: str = ""
    reference_seconds: float | None = None


def measure(command: list[str], *, cwd: Path, stdout: Path | None = None) -> tuple[float, int]:
    """Run ``command``; (wall seconds, peak RSS in KiB) of that process and its children."""
    sink = stdout.open("wb") if stdout else subprocess.DEVNULL
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=sink, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if stdout:
        sink.close()  # type: ignore[union-attr]
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"benchmark: {' '.join(command)} failed:\n{errors}")
    return seconds, usage.ru_maxrss  # KiB on Linux


REPEAT_SMALL = 3  # runs of each step below REPEAT_BELOW events, where one run is seconds
REPEAT_BELOW = 200_000
# Runs of the start-up steps, whatever the size: a tenth of a second apiece, where one pause of
# the machine's moved a median of three (and the ratio) by half.
REPEAT_STARTUP = 15


# Each reference command's median seconds, measured the first time a step is compared with it.
# The chronology view is the first reference of every report and the quoted rows the second of
# three: measured once a run, not once a step. At a million events the repeats were 5 of
# SQLite's runs (70 s) and 5 of PostgreSQL's (145 s), of the same query on the same rows.
_REFERENCE_SECONDS: dict[tuple[str, ...], float] = {}


def paired(ours: list[str], ref: list[str], *, cwd: Path, repeat: int) -> tuple[float, int, float]:
    """``ours`` and its reference, run in turn ``repeat`` times: the median of each one's times,
    and the highest peak memory of ours. Alternating them, a spell of load on a shared machine
    falls on both rather than on one; the medians keep one slow run out of the ratio. A
    reference already measured in this run is not run again: its median is reused."""
    known = _REFERENCE_SECONDS.get(tuple(ref))
    times: list[float] = []
    ref_times: list[float] = []
    peak = 0
    for _ in range(repeat):
        seconds, used = measure(ours, cwd=cwd)
        times.append(seconds)
        peak = max(peak, used)
        if known is None:
            ref_times.append(measure(ref, cwd=cwd)[0])
    if known is None:
        known = _REFERENCE_SECONDS[tuple(ref)] = statistics.median(ref_times)
    return statistics.median(times), peak, known


def reference_median(ref: list[str], *, cwd: Path, repeat: int) -> float:
    """The median of ``repeat`` runs of ``ref``, measured once a run."""
    key = tuple(ref)
    if key not in _REFERENCE_SECONDS:
        runs = [measure(ref, cwd=cwd)[0] for _ in range(repeat)]
        _REFERENCE_SECONDS[key] = statistics.median(runs)
    return _REFERENCE_SECONDS[key]


def also(measured: Measure, ref_name: str, ref: list[str], *, cwd: Path, repeat: int) -> Measure:
    """``measured`` again, beside a second reference: its median (:func:`reference_median`)."""
    seconds = reference_median(ref, cwd=cwd, repeat=repeat)
    return dataclasses.replace(measured, reference=ref_name, reference_seconds=seconds)


def compile_bytecode() -> None:
    """Write timeline's bytecode before any step runs, as ``pip install`` does for an installed
    package: an editable install (or PYTHONDONTWRITEBYTECODE) would otherwise have every step
    compile the modules it imports, and the start-up measured would be the compiler's, while the
    references import packages compiled at install."""
    spec = importlib.util.find_spec("timeline")
    for location in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(location, quiet=2)  # a read-only install: as it is


def discard(*paths: Path) -> None:
    """Remove a step's output once measured: at a million events the exports, each with its
    reference's, are tens of gigabytes, which a run that kept them all would need at once."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def timeline(*args: str) -> list[str]:
    return [sys.executable, "-m", "timeline", *args]


def reference(*args: str) -> list[str]:
    return [sys.executable, str(HERE / "references.py"), *args]


def shell(script: str) -> list[str]:
    return ["sh", "-c", script]


def seed_export(cache: Path) -> dict[str, Any]:
    out = cache / "seed.json"
    if not out.exists():
        seed_db = cache / "seed.db"
        seed_db.unlink(missing_ok=True)
        measure(timeline("--db", str(seed_db), "seed"), cwd=cache)
        measure(timeline("--db", str(seed_db), "export", "json", "-o", str(out)), cwd=cache)
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

        def rows(
            table: dict[str, Any] = table,
            refs: dict[str, int] = integer_refs,
            keyed: tuple[str, ...] = KEYED_STRINGS + TABLE_KEYED_STRINGS.get(name, ()),
        ) -> Any:
            for copy in range(copies):
                for row in table["rows"]:
                    if copy == 0:
                        yield row
                        continue
                    new = dict(row)
                    for column, width in refs.items():
                        if new[column] is not None:
                            new[column] += copy * width
                    for column in keyed:
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


def psql_url(url: str) -> str:
    """``url`` as psql takes it (no SQLAlchemy driver name)."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def run_psql(url: str, script: str) -> float:
    """``script`` run by psql, stopping at the first error; its seconds. With psql, not
    SQLAlchemy: a child's peak memory (ru_maxrss) counts what the parent held when it forked,
    so the parent stays small and imports no database library."""
    command = ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", psql_url(url), "-c", script]
    return measure(command, cwd=Path.cwd())[0]


def psql_file(url: str, path: Path) -> list[str]:
    """psql running the script at ``path``, stopping at the first error."""
    return ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", psql_url(url), "-f", str(path)]


def copy_out_script(order: list[str], directory: Path, prefix: str = "") -> str:
    """psql's ``\\copy … TO`` of each table in ``order``, as CSV with a header, into
    ``directory/{prefix}{table}.csv``."""
    return "".join(
        f"\\copy {t} TO '{directory / f'{prefix}{t}.csv'}' WITH (FORMAT csv, HEADER true)\n"
        for t in order
    )


def reset_postgres(url: str) -> None:
    run_psql(url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def settle_postgres(url: str) -> float:
    """``VACUUM (ANALYZE)`` of the database just imported, unmeasured; its seconds. What
    autovacuum does on its own, throttled, in the minutes after a bulk load (at a million
    events, 4 minutes of both cores' time after the import ended): left to it, it ran beside
    the first reports and their references, and their times were its as much as theirs
    (Markdown 48.5 s on the database as imported, 40.2-45.0 s once settled)."""
    return run_psql(url, "VACUUM (ANALYZE)")


def postgres_events(url: str) -> int:
    """The events a PostgreSQL database holds (0: none, or no timeline schema), asked of psql."""
    plain = psql_url(url)
    asked = subprocess.run(
        ["psql", "-qtA", "-d", plain, "-c", "SELECT count(*) FROM events"],
        capture_output=True,
        text=True,
    )
    return int(asked.stdout) if asked.returncode == 0 and asked.stdout.strip() else 0


def ensure_sqlite3() -> str:
    """The sqlite3 shell; installed from Debian's `sqlite3` package when missing (as root)."""
    found = shutil.which("sqlite3")
    if found:
        return found
    print("benchmark: installing Debian's sqlite3 package (apt-get)", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-q", "sqlite3"], check=True)
    return shutil.which("sqlite3") or "sqlite3"


def data(cache: Path, events: int) -> tuple[Path, Path, int]:
    """(json export, path of its SQLite database, events): the export made once and kept; the
    database is made by the measured import (:func:`sqlite_steps`) when it is not yet kept."""
    document = seed_export(cache)
    seed_events = len(document["tables"]["events"]["rows"])
    copies = max(1, math.ceil(events / seed_events))
    export = cache / f"copies-{copies}.json"
    if not export.exists():
        write_copies(document, copies, export.with_suffix(".partial"))
        export.with_suffix(".partial").rename(export)
    return export, cache / f"copies-{copies}.db", copies * seed_events


def sqlite_steps(
    cache: Path, work: Path, export: Path, db: Path, events: int, repeat: int, serial: bool
) -> list[Measure]:
    sqlite3 = ensure_sqlite3()
    results: list[Measure] = []

    def step(
        name: str,
        ours: list[str],
        ref_name: str,
        ref: list[str],
        runs: int = repeat,
        fmt: str | None = None,
    ) -> None:
        seconds, peak, ref_seconds = paired(ours, ref, cwd=work, repeat=runs)
        results.append(done(Measure("sqlite", events, name, seconds, peak, ref_name, ref_seconds)))
        print(f"  {name}: {seconds:.2f} s (reference {ref_seconds:.2f} s)", file=sys.stderr)
        if fmt is not None:  # a report, also against the rows it prints beyond the view
            rows, label = second_reference(fmt)
            second = also(
                results[-1],
                f"sqlite3: {label}",
                [sqlite3, str(db), "; ".join(rows)],
                cwd=work,
                repeat=runs,
            )
            results.append(done(second))

    click = [sys.executable, "-c", "import click"]
    startup = max(repeat, REPEAT_STARTUP)
    step("--version", timeline("--version"), "python -c 'import click'", click, startup)
    step("--help", timeline("--help"), "python -c 'import click'", click, startup)
    for fmt, jobs in reports(serial):
        step(
            " ".join([f"report 1961–1970 {fmt}", *jobs]),
            timeline("--db", str(db), "report", *WINDOW, "--format", fmt, "--sources", *jobs),
            "sqlite3: chronology view",
            [sqlite3, str(db), CHRONOLOGY_ROWS],
            fmt=fmt,
        )
    tables = [
        line.strip()
        for line in subprocess.run(
            [
                sqlite3,
                str(db),
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT "
                "LIKE 'sqlite_%' AND name NOT LIKE 'search_index%' AND name <> 'alembic_version'",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    ]
    dumps = "; ".join(
        f'{sqlite3} -csv -header {db} "SELECT * FROM {t}" > {work}/ref-{t}.csv' for t in tables
    )
    # The default writes tables side by side, a process per CPU (at most 4); --jobs 1 in one.
    for jobs in jobs_steps(serial):
        step(
            " ".join(["export csv", *jobs]),
            timeline("--db", str(db), "export", "csv", *jobs, "--force", "-o", str(work / "csv")),
            "sqlite3 -csv per table",
            shell(dumps),
        )
        discard(work / "csv", *work.glob("ref-*.csv"))
    for fmt in ("json", "ndjson"):
        step(
            f"export {fmt}",
            timeline("--db", str(db), "export", fmt, "--force", "-o", str(work / f"export.{fmt}")),
            "streaming dump (stdlib)",
            reference(f"dump-{fmt}", str(db), str(work / f"ref.{fmt}")),
        )
        discard(work / f"export.{fmt}", work / f"ref.{fmt}")
    step(
        "search",
        timeline("--db", str(db), "search", SEARCH_WORD),
        "sqlite3: bare FTS5 query",
        [
            sqlite3,
            str(db),
            "SELECT rowid, rank FROM search_index WHERE search_index MATCH "
            f"'{SEARCH_WORD}' ORDER BY rank LIMIT 20",
        ],
    )
    step(
        "sql count(*) chronology",
        timeline("--db", str(db), "sql", "select count(*) from chronology"),
        "sqlite3",
        [sqlite3, str(db), "select count(*) from chronology"],
    )
    return results


def table_csvs(db: Path, order: list[str], directory: Path) -> None:
    """``sqlite3 -csv -header`` of each table of ``db`` into ``directory/TABLE.csv``: the rows
    the bulk references load (not timed)."""
    sqlite3 = ensure_sqlite3()
    directory.mkdir(exist_ok=True)
    for table in order:
        with (directory / f"{table}.csv").open("w") as out:
            subprocess.run(
                [sqlite3, "-csv", "-header", str(db), f"SELECT * FROM {table}"],
                stdout=out,
                check=True,
            )


def sqlite_import(work: Path, export: Path, db: Path, events: int, serial: bool) -> list[Measure]:
    """Import into a new database, against the bulk path of the same rows (read from CSV, as
    PostgreSQL's COPY reads them); the import's database is kept as ``db`` (the data every
    later step reads) when there is none yet. ``serial``: the import with --jobs 1 too."""
    ours, alone, bulk = work / "import.db", work / "import-alone.db", work / "bulk.db"
    for path in (ours, alone, bulk):
        path.unlink(missing_ok=True)
    measure(timeline("--db", str(bulk), "init"), cwd=work)
    imports = [
        (
            "import json (new db)",
            *measure(timeline("--db", str(ours), "import", str(export)), cwd=work),
        )
    ]
    if serial:
        # the same import with the file read in the importing process, not its worker
        command = timeline("--db", str(alone), "import", "--jobs", "1", str(export))
        imports.append(("import json --jobs 1", *measure(command, cwd=work)))
        alone.unlink()
    order = list(seed_export(export.parent)["tables"])  # the copies keep the seed's order
    table_csvs(ours, order, work / "copy")
    ref_seconds, _ = measure(
        reference("bulk-load-csv", str(work / "copy"), str(bulk), *order), cwd=work
    )
    bulk.unlink()
    discard(work / "copy")
    if not db.exists():
        shutil.move(ours, db)
    print(f"  import: {imports[0][1]:.2f} s (reference {ref_seconds:.2f} s)", file=sys.stderr)
    reference_name = "executemany of its CSV, FTS at end"
    return [
        done(Measure("sqlite", events, name, seconds, peak, reference_name, ref_seconds))
        for name, seconds, peak in imports
    ]


def postgres_steps(
    url: str, work: Path, export: Path, events: int, repeat: int, serial: bool
) -> list[Measure]:
    """Import via timeline, the reads on what it imported, then the import's reference: COPY of
    the same rows. The rows COPY loads are PostgreSQL's own CSV of what timeline imported
    (``\\copy … TO``, unmeasured), so no SQLite database is needed to measure PostgreSQL, and
    the reference runs last, once the reads are measured on timeline's database: the database
    is left as the reference loaded it (the same rows, indexed by the same SQL)."""
    reset_postgres(url)
    seconds, peak = measure(timeline("--db", url, "import", str(export)), cwd=work)
    print(f"  import: {seconds:.2f} s", file=sys.stderr)
    settled = settle_postgres(url)
    print(f"  VACUUM (ANALYZE) after the import: {settled:.2f} s (unmeasured)", file=sys.stderr)
    reads = postgres_reads(url, work, export, events, repeat, serial)
    ref_seconds = _copy_reference(url, work, list(seed_export(export.parent)["tables"]))
    imported = Measure(
        "postgresql",
        events,
        "import json (new db)",
        seconds,
        peak,
        "psql \\copy of the same rows",
        ref_seconds,
    )
    return [done(imported), *reads]


def postgres_reads(
    url: str, work: Path, export: Path, events: int, repeat: int, serial: bool
) -> list[Measure]:
    """The reports and export csv against psql, on the database as imported."""
    plain = psql_url(url)
    order = list(seed_export(export.parent)["tables"])
    results: list[Measure] = []

    def step(
        name: str, ours: list[str], ref_name: str, ref: list[str], fmt: str | None = None
    ) -> None:
        seconds, peak, ref_seconds = paired(ours, ref, cwd=work, repeat=repeat)
        measured = Measure("postgresql", events, name, seconds, peak, ref_name, ref_seconds)
        results.append(done(measured))
        if fmt is not None:  # a report, also against the rows it prints beyond the view
            # unaligned: psql's aligned output pads each row to the widest document text
            # (12.6 s against 2.8 s at 50,008 events)
            rows, label = second_reference(fmt)
            printed = ["psql", "-q", "-A", "-d", plain, *(f"-c{query}" for query in rows)]
            second = also(measured, f"psql: {label}", printed, cwd=work, repeat=repeat)
            results.append(done(second))

    for fmt, jobs in reports(serial):
        step(
            " ".join([f"report 1961–1970 {fmt}", *jobs]),
            timeline("--db", url, "report", *WINDOW, "--format", fmt, "--sources", *jobs),
            "psql: chronology view",
            ["psql", "-q", "-d", plain, "-c", CHRONOLOGY_ROWS],
            fmt=fmt,
        )
    (work / "copy-out.sql").write_text(copy_out_script(order, work, "pg-"))
    for jobs in jobs_steps(serial):
        step(
            " ".join(["export csv", *jobs]),
            timeline("--db", url, "export", "csv", *jobs, "--force", "-o", str(work / "pg-csv")),
            "psql \\copy … TO per table",
            psql_file(url, work / "copy-out.sql"),
        )
        discard(work / "pg-csv", *work.glob("pg-*.csv"))
    return results


def _copy_reference(url: str, work: Path, order: list[str]) -> float:
    """COPY's bulk load of the rows ``url`` holds: each table written by ``\\copy … TO`` as CSV
    (unmeasured), the schema emptied and made again by ``timeline init`` (unmeasured), then the
    psql script of benchmarks/references.py ``postgres-copy-script`` timed: in one transaction,
    in dependency order (the json export's), the full-text triggers off, the index built once
    at the end, as timeline's import does. Its seconds."""
    copy_dir = work / "copy"
    copy_dir.mkdir(exist_ok=True)
    (work / "copy-rows.sql").write_text(copy_out_script(order, copy_dir))
    measure(psql_file(url, work / "copy-rows.sql"), cwd=work)
    script = subprocess.run(
        reference("postgres-copy-script", str(copy_dir), *order),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (work / "copy.sql").write_text(script)
    reset_postgres(url)
    measure(timeline("--db", url, "init"), cwd=work)
    seconds, _ = measure(psql_file(url, work / "copy.sql"), cwd=work)
    discard(copy_dir)
    return seconds


HEADER = (
    f"{'backend':<10} {'events':>9} {'step':<34} {'time s':>8} {'reference':<32} "
    f"{'ref s':>8} {'ratio':>6} {'peak MiB':>9}"
)


def print_header() -> None:
    print(HEADER)
    print("-" * len(HEADER), flush=True)


def done(m: Measure) -> Measure:
    """Print a measured step as the table's next row, at once: a long run stopped part way
    (a million events take hours) keeps the rows it finished."""
    ratio = m.seconds / m.reference_seconds if m.reference_seconds else float("nan")
    ref = f"{m.reference_seconds:>8.2f}" if m.reference_seconds is not None else f"{'':>8}"
    print(
        f"{m.backend:<10} {m.events:>9} {m.step:<34} {m.seconds:>8.2f} {m.reference:<32} "
        f"{ref} {ratio:>6.2f} {m.peak_kib / 1024:>9.1f}",
        flush=True,
    )
    return m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "events",
        nargs="?",
        type=int,
        default=10_000,
        help="events in the database (default 10,000; the issue's full size is 1000000)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("TIMELINE_TEST_POSTGRES_URL"),
        help="also measure on this PostgreSQL database, which is EMPTIED "
        "(default: $TIMELINE_TEST_POSTGRES_URL; --postgres '' to skip)",
    )
    parser.add_argument(
        "--cache",
        metavar="DIR",
        type=Path,
        help="keep the generated data here and reuse it (default: a temporary directory)",
    )
    parser.add_argument(
        "--no-import",
        action="store_true",
        help="skip the import steps: measure the reads on the database kept under --cache, and "
        "on --postgres, on what an earlier run of the same size left there (the COPY "
        "reference's load of the rows timeline imported)",
    )
    parser.add_argument(
        "--sqlite",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="measure on SQLite (default); with --no-sqlite only on --postgres",
    )
    parser.add_argument(
        "--repeat",
        metavar="N",
        type=int,
        help="run each step after the import, and its reference, N times in turn and print the "
        f"medians (default {REPEAT_SMALL} below {REPEAT_BELOW:,} events, else 1)",
    )
    parser.add_argument(
        "--serial",
        action=argparse.BooleanOptionalAction,
        help="also measure each parallel step (import, report, export csv) with --jobs 1 "
        f"(default: below {SERIAL_BELOW:,} events)",
    )
    args = parser.parse_args()
    if args.events < 1:
        parser.error("events must be a positive integer")
    if not args.sqlite and not args.postgres:
        parser.error("--no-sqlite measures only on PostgreSQL: give --postgres URL")
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be a positive integer")
    repeat = args.repeat or (REPEAT_SMALL if args.events < REPEAT_BELOW else 1)
    cache = args.cache or Path(tempfile.mkdtemp(prefix="timeline-benchmark-"))
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="timeline-benchmark-run-"))
    started = time.perf_counter()
    compile_bytecode()
    try:
        export, db, events = data(cache, args.events)
        serial = args.serial if args.serial is not None else events < SERIAL_BELOW
        print(
            f"data: {events} events in {export}; python {sys.version.split()[0]}; each step "
            f"after the import and its reference run {repeat} time(s) (start-up "
            f"{max(repeat, REPEAT_STARTUP)}), medians printed; --jobs 1 steps "
            f"{'measured' if serial else 'left out (--serial measures them)'}",
            flush=True,
        )
        if args.no_import and args.sqlite and not db.exists():
            parser.error(f"--no-import: no database kept at {db} (run once without it)")
        print_header()
        measures = []
        spent: dict[str, float] = {"data": time.perf_counter() - started}
        if args.sqlite:
            began = time.perf_counter()
            if not args.no_import:
                measures += sqlite_import(work, export, db, events, serial)
            # A database kept from an older schema revision is brought up to date, unmeasured.
            measure(timeline("--db", str(db), "init"), cwd=work)
            measures += sqlite_steps(cache, work, export, db, events, repeat, serial)
            spent["sqlite"] = time.perf_counter() - began
        began = time.perf_counter()
        if args.postgres and args.no_import:
            held = postgres_events(args.postgres)
            if held != events:
                parser.error(f"--no-import: {args.postgres} holds {held} events, not {events}")
            measures += postgres_reads(args.postgres, work, export, events, repeat, serial)
        elif args.postgres:
            measures += postgres_steps(args.postgres, work, export, events, repeat, serial)
        if args.postgres:
            spent["postgresql"] = time.perf_counter() - began
        # Each engine's part with the unmeasured work around its steps (the references' CSV,
        # VACUUM): a run of that engine alone takes about its part and the data's.
        parts = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in spent.items())
        print(f"\n{len(measures)} steps; total {time.perf_counter() - started:.0f} s ({parts})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if args.cache is None:
            shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
