"""`timeline export` and `timeline import`: take the data elsewhere, and bring it back."""

from __future__ import annotations

import contextlib
import errno
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from timeline.cli.app import App, pass_app
from timeline.errors import ExportError
from timeline.export import FORMATS, SQL_DIALECTS, check_export, export, total_units

_FORMAT_LINES = "\n".join(f"  {f.name:<11} {f.summary}" for f in FORMATS.values())

EXPORT_HELP = f"""Write the whole database in FORMAT, to stdout or to -o PATH.

Deterministic (the same data gives the same bytes, on SQLite and PostgreSQL) and streaming
(rows are written as they are read). A file or directory is written beside PATH under a
temporary name and moved into place when complete; an existing PATH is refused unless
--force is given (a directory only if a previous csv export wrote it). csv and sqlite need
-o. A database that does not exist yet is created and seeded first. A progress bar shows on
a terminal.

\b
Formats:
{_FORMAT_LINES}

\b
Examples:
  timeline export json -o timeline.json
  timeline export csv -o timeline-csv && frictionless validate timeline-csv/datapackage.json
  timeline --db postgresql://timeline:timeline@127.0.0.1/timeline export sqlite -o copy.db
  timeline export sql --dialect postgresql > dump.sql
  timeline export html -o chronology.html
"""


def _show_progress(writes_stdout: bool) -> bool:
    """A bar only when a person watches stderr, and it would not mix with output on screen."""
    stderr_tty = sys.stderr.isatty()
    return stderr_tty and not (writes_stdout and sys.stdout.isatty())


@contextlib.contextmanager
def _progress(
    enabled: bool, total: Callable[[], int | None], label: str
) -> Iterator[Callable[[int], None] | None]:
    if not enabled:
        yield None
        return
    length = total()
    if not length:
        yield None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr, show_eta=True) as bar:
        yield bar.update


@click.command("export", help=EXPORT_HELP)
@click.argument("fmt", metavar="FORMAT", type=click.Choice(list(FORMATS)))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File (or directory, for csv) to write. Default: stdout.",
)
@click.option(
    "--dialect",
    type=click.Choice(SQL_DIALECTS),
    help="For sql: the database the dump is for. Default: sqlite.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="For csv: processes writing tables side by side, each reading the same snapshot. "
    "Default: the CPUs available (at most 4) for a database of 32 MiB or more, else 1.",
)
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@pass_app
def export_command(
    app: App, fmt: str, output: Path | None, dialect: str | None, jobs: int | None, force: bool
) -> None:
    options: dict[str, Any] = {"dialect": dialect} if dialect is not None else {}
    if jobs is not None:
        options["jobs"] = jobs
    check_export(fmt, output, force=force, **options)  # before a new database is made
    database = app.ready()
    show = _show_progress(writes_stdout=output is None)
    with _progress(show, lambda: total_units(database, fmt), f"export {fmt}") as tick:
        if output is not None:
            export(database, fmt, output, tick, force=force, **options)
            return
        stdout = io.TextIOWrapper(
            sys.stdout.buffer, encoding="utf-8", newline="", write_through=False
        )
        try:
            export(database, fmt, None, tick, out=stdout, **options)
            stdout.flush()
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise
            raise ExportError(f"cannot write the output: {exc.strerror or exc}") from exc
        finally:
            stdout.detach()


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True, path_type=Path))
@click.option(
    "--merge",
    is_flag=True,
    help="Add to a database that has records: keep the records it holds unchanged (same key, "
    "same content), add those whose keys it lacks, and refuse a key it holds with other content.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=2),
    metavar="N",
    help="2: read and check the file in a second process while this one writes the rows; "
    "1: in this process. Default: 2 for a file of 16 MiB or more, or a pipe, on a machine "
    "with two CPUs, else 1.",
)
@pass_app
def import_command(app: App, file: Path, merge: bool, jobs: int | None) -> None:
    """Load a `timeline export json` file into the database, in one transaction.

    Into a new or empty database the schema is created first and the records keep their ids.
    A database that already has records needs --merge, which matches records by their stable
    keys. Every record is checked as it is read; a malformed or truncated file, another schema
    revision, a broken reference or a conflicting key stops the import with an error that names
    the record, and the database is left as it was. FILE - reads stdin. A progress bar shows
    on a terminal.

    \b
    Examples:
      timeline --db copy.db import timeline.json
      timeline --db postgresql://timeline:timeline@127.0.0.1/copy import timeline.json
      timeline --db archive.db import --merge colleague.json
      timeline export json | timeline --db copy.db import -
    """
    from timeline.importing import file_size, import_file

    database = app.database
    source = sys.stdin.buffer if str(file) == "-" else file
    show = sys.stderr.isatty()
    with _progress(show, lambda: file_size(source), "import") as tick:
        summary = import_file(database, source, merge=merge, tick=tick, jobs=jobs)
    inserted = sum(summary.inserted.values())
    line = f"{summary.database}: imported {inserted} records"
    if inserted:
        line += " (" + ", ".join(f"{n} {t}" for t, n in sorted(summary.inserted.items()) if n) + ")"
    click.echo(line)
    kept = sum(summary.kept.values())
    if summary.merged:
        click.echo(f"kept {kept} records the database already held unchanged")
