"""`timeline export`: the registry of formats and the one entry point that writes them.

A format is a writer function named by module path and imported only when used, so that
loading the command line stays fast and a format module can be added without touching the
others. Writers have one of two shapes:

- stream formats: ``write(session, out: TextIO, tick, **options)``, written to stdout or a file;
- file and directory formats: ``write(session, path: Path, tick, **options)``, given a
  temporary path beside the destination that is moved into place only when the writer returns.

``session`` reads one consistent snapshot of the database; ``tick(n)`` reports progress (rows
for the table formats, events for the chronology formats). Nothing is half-written: on any error
or interrupt the temporary file or directory is removed and the destination is left as it was.

A run killed outright (``kill -9``, a power cut) cannot remove its temporary. Each temporary is
therefore locked (``flock``) while it is written, and the next export to the same destination
removes those of our exact naming (``.NAME.XXXXXXXX.tmp`` or ``.old``, with SQLite's
``-journal``) that are older than the current process and that no live process holds: a killed
export leaves at most one temporary per destination, until the next export.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from timeline.errors import DatabaseError, ExportError

if TYPE_CHECKING:
    from timeline.db import Database

Tick = Callable[[int], None]
Target = Literal["stream", "file", "directory"]


@dataclass(frozen=True)
class Format:
    """One export format: where its writer lives and what it writes."""

    name: str
    module: str
    function: str
    target: Target
    summary: str
    options: tuple[str, ...] = ()
    unit: Literal["rows", "events"] = "rows"

    def writer(self) -> Callable[..., None]:
        try:
            module = importlib.import_module(self.module)
            return getattr(module, self.function)  # type: ignore[no-any-return]
        except (ImportError, AttributeError) as exc:
            raise ExportError(f"the {self.name} format is not available: {exc}") from exc


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "json",
            "timeline.export.jsondoc",
            "write_json",
            "stream",
            "the whole database as one JSON document (what `timeline import` reads)",
        ),
        Format(
            "ndjson",
            "timeline.export.jsondoc",
            "write_ndjson",
            "stream",
            "one JSON record a line, each with its table; a header line first",
        ),
        Format(
            "csv",
            "timeline.export.csvpkg",
            "write_csv",
            "directory",
            "a directory: one CSV per table and a Frictionless datapackage.json",
            options=("jobs",),
        ),
        Format(
            "sqlite",
            "timeline.export.sqlitedb",
            "write_sqlite",
            "file",
            "a standalone SQLite database (also a timeline database)",
        ),
        Format(
            "sql",
            "timeline.export.sqldump",
            "write_sql",
            "stream",
            "INSERT statements that recreate the data in a database `timeline init` made",
            options=("dialect",),
        ),
        Format(
            "timelinejs",
            "timeline.export.timelinejs",
            "write_timelinejs",
            "stream",
            "TimelineJS3 JSON: a slide per event, eras for spans",
            unit="events",
        ),
        Format(
            "markdown",
            "timeline.export.document",
            "write_markdown",
            "stream",
            "the chronology as a Markdown document with numbered source notes",
            unit="events",
        ),
        Format(
            "html",
            "timeline.export.page",
            "write_page",
            "stream",
            "the chronology as one self-contained interactive HTML page that opens offline",
            unit="events",
        ),
    )
}

SQL_DIALECTS = ("sqlite", "postgresql")


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(
            f"unknown export format '{name}'; choose one of {', '.join(FORMATS)}"
        ) from None


def total_units(database: Database, fmt: str) -> int:
    """How many ``tick`` units an export will report: rows of every table, or events."""
    from timeline.export.tables import count_rows, snapshot, table_map, tables

    chosen = get_format(fmt)
    with snapshot(database) as connection:
        if chosen.unit == "events":
            return count_rows(connection, table_map()["events"])
        return sum(count_rows(connection, info) for info in tables())


def export(
    database: Database,
    fmt: str,
    dest: Path | None = None,
    tick: Tick | None = None,
    *,
    out: TextIO | None = None,
    force: bool = False,
    **options: Any,
) -> None:
    """Write the database in ``fmt`` to ``dest`` (a path), or to ``out`` (default stdout).

    ``force`` replaces an existing file, or a directory that holds a previous csv export;
    without it an existing destination is an error. Options (``dialect`` for ``sql``) go to the
    writer.
    """
    chosen = check_export(fmt, dest, force=force, **options)
    tick = tick or _no_tick
    writer = chosen.writer()
    try:
        _export(database, chosen, writer, dest, tick, out, options)
    except OSError as exc:  # a full disk, a quota, an I/O error
        if exc.errno == errno.EPIPE:  # `timeline export json | head`: the CLI ends quietly
            raise
        where = f"'{dest}'" if dest is not None else "the output"
        raise ExportError(f"cannot write {where}: {exc.strerror or exc}") from exc


def check_export(fmt: str, dest: Path | None, *, force: bool = False, **options: Any) -> Format:
    """The format, if ``export`` can write it to ``dest``; else an ``ExportError``.

    Checks nothing in the database, so a command can refuse a mistake before it creates one.
    """
    chosen = get_format(fmt)
    unknown = sorted(set(options) - set(chosen.options))
    if unknown:
        raise ExportError(f"the {fmt} format takes no {', '.join(unknown)} option")
    if "dialect" in options and options["dialect"] not in SQL_DIALECTS:
        raise ExportError(
            f"unknown SQL dialect '{options['dialect']}'; choose {' or '.join(SQL_DIALECTS)}"
        )
    jobs = options.get("jobs")
    if jobs is not None and (type(jobs) is not int or jobs < 1):
        raise ExportError(f"jobs must be a whole number of processes, 1 or more (not {jobs!r})")
    if dest is None and chosen.target != "stream":
        raise ExportError(f"the {fmt} format writes a {chosen.target}; name it with -o PATH")
    if dest is not None:
        _check_destination(dest, chosen, force)
    return chosen


def _export(
    database: Database,
    chosen: Format,
    writer: Callable[..., None],
    dest: Path | None,
    tick: Tick,
    out: TextIO | None,
    options: dict[str, Any],
) -> None:
    from sqlalchemy.orm import Session

    from timeline.export.tables import snapshot

    with snapshot(database) as connection, Session(bind=connection) as session:
        if dest is None:
            writer(session, out if out is not None else sys.stdout, tick, **options)
            return
        with _replacing(dest, chosen.target) as temporary:
            if chosen.target == "stream":
                with temporary.open("w", encoding="utf-8", newline="") as handle:
                    writer(session, handle, tick, **options)
                return
            try:
                writer(session, temporary, tick, **options)
            except DatabaseError as exc:  # the sqlite format: name the destination, not ours
                if str(temporary) not in str(exc):
                    raise
                detail = str(exc).rsplit(": ", 1)[-1]
                raise ExportError(f"cannot write '{dest}': {detail}") from exc


def _no_tick(_count: int) -> None:
    return None


def _check_destination(dest: Path, chosen: Format, force: bool) -> None:
    parent = dest.parent
    if not parent.is_dir():
        raise ExportError(f"cannot write '{dest}': directory '{parent}' does not exist")
    if not (dest.exists() or dest.is_symlink()):
        return
    if not force:
        raise ExportError(f"'{dest}' already exists; use --force to replace it")
    if chosen.target == "directory":
        if not dest.is_dir() or not _is_csv_export(dest):
            raise ExportError(f"'{dest}' exists and is not a previous csv export; not replacing it")
    elif dest.is_dir():
        raise ExportError(f"'{dest}' is a directory; not replacing it with a file")
    elif not dest.is_file():  # a device or a FIFO: --force is not meant for those
        raise ExportError(f"'{dest}' is not a regular file; not replacing it")


def _is_csv_export(directory: Path) -> bool:
    """A directory `export csv` wrote: datapackage.json and CSV files, nothing else."""
    names = [p.name for p in directory.iterdir()]
    return "datapackage.json" in names and all(
        n == "datapackage.json" or n.endswith(".csv") for n in names
    )


@contextlib.contextmanager
def _replacing(dest: Path, target: Target) -> Iterator[Path]:
    """A temporary path beside ``dest``, moved onto it when the block succeeds, else removed."""
    parent = dest.parent
    prefix = f".{dest.name}."
    remove_stale_temporaries(dest)
    try:
        if target == "directory":
            temporary = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=parent))
        else:
            handle, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=parent)
            os.close(handle)
            temporary = Path(name)
    except OSError as exc:
        raise ExportError(f"cannot write '{dest}': {exc.strerror or exc}") from exc
    try:
        with _held(temporary):
            yield temporary
            _publish(temporary, dest, target)
    except BaseException:
        _remove(temporary)
        raise


# tempfile's names: the prefix, eight characters of its alphabet, the suffix.
_TEMPORARY = r"\.{name}\.[a-z0-9_]{{8}}\.(?:tmp|old)"
_STARTED = time.time()


def remove_stale_temporaries(dest: Path) -> list[Path]:
    """Remove what killed exports to ``dest`` left beside it; return what was removed.

    Only names of our exact pattern, older than this process, and not locked by a live export.
    """
    pattern = re.compile(_TEMPORARY.format(name=re.escape(dest.name)))
    removed = []
    try:
        candidates = sorted(dest.parent.iterdir())
    except OSError:
        return removed
    for path in candidates:
        if not pattern.fullmatch(path.name) or path.is_symlink():
            continue
        try:
            if path.stat().st_mtime >= _STARTED:
                continue
            with _held(path, wait=False):
                _remove(path)
        except (OSError, BlockingIOError):
            continue
        removed.append(path)
    # A SQLite journal whose database temporary is gone.
    for path in candidates:
        main, _, suffix = path.name.rpartition("-")
        orphan = suffix in ("journal", "wal", "shm") and pattern.fullmatch(main)
        if orphan and not (path.parent / main).exists():
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


@contextlib.contextmanager
def _held(path: Path, *, wait: bool = True) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` (a file or a directory): ours while the block runs.

    The kernel drops it when the process dies, which is how a later export tells a live
    temporary from a stale one. Without ``wait``, a lock held elsewhere raises BlockingIOError.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, and no stale temporary is ever taken for dead
        if not wait:
            raise BlockingIOError(path) from None
        yield
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        yield
    finally:
        os.close(descriptor)


def _publish(temporary: Path, dest: Path, target: Target) -> None:
    umask = os.umask(0)
    os.umask(umask)
    temporary.chmod((0o777 if target == "directory" else 0o666) & ~umask)
    try:
        if target == "directory" and dest.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=dest.parent))
            old.rmdir()
            dest.rename(old)
            with _held(old):  # else a killed run's, for the next export to remove
                temporary.rename(dest)
                shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temporary, dest)
    except OSError as exc:
        raise ExportError(f"cannot write '{dest}': {exc.strerror or exc}") from exc


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    for leftover in path.parent.glob(f"{path.name}-*"):  # SQLite's -journal, -wal, -shm
        with contextlib.suppress(OSError):
            leftover.unlink()
