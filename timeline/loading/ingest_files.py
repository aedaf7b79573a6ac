"""Ingesting source files (CREST records, plain texts): read them all, then write them at once.

Every file is read and checked before the database is touched, so a bad file anywhere leaves the
database as it was. A text the database already holds under its key is left as stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from timeline.db import Database
from timeline.loading.collect import new_actor_keys, set_aside_stored
from timeline.loading.crest import crest_plan
from timeline.loading.load import LoadSummary, load_plan
from timeline.loading.plaintext import plaintext_plan
from timeline.loading.plan import LoadPlan
from timeline.sources.files import iter_paths

__all__ = ["IngestResult", "ingest_crest", "ingest_text", "source_paths"]


@dataclass(frozen=True)
class IngestResult:
    files: int
    documents: int  # read, whether stored already or not
    events: int
    summary: LoadSummary
    stored: Sequence[str]  # keys of texts already stored, left as they were
    new_actors: Sequence[tuple[str, str]]  # (key, name) of actors no stored name matched


def source_paths(paths: Iterable[Path | str], suffixes: Iterable[str] | None = None) -> list[Path]:
    """The files the user named, a directory standing for its files (see ``iter_paths``)."""
    return list(iter_paths(paths, suffixes))


def _write(
    database: Database, plan: LoadPlan, files: int, *, replace: bool, dry_run: bool
) -> IngestResult:
    database.require_current()
    documents, events = len(plan.documents), len(plan.events)
    stored = set_aside_stored(database, plan, replace=replace)
    new_actors = new_actor_keys(database, plan)
    summary = load_plan(database, plan, replace=replace, dry_run=dry_run)
    return IngestResult(files, documents, events, summary, stored, new_actors)


def ingest_crest(
    database: Database,
    paths: Sequence[Path],
    *,
    replace: bool = False,
    dry_run: bool = False,
    tick: Callable[[Path], None] | None = None,
) -> IngestResult:
    """Ingest saved CREST records: one document and one event each."""
    plan = crest_plan(_ticking(paths, tick))
    return _write(database, plan, len(paths), replace=replace, dry_run=dry_run)


def ingest_text(
    database: Database,
    paths: Sequence[Path],
    overrides: Mapping[str, str] | None = None,
    *,
    replace: bool = False,
    dry_run: bool = False,
    tick: Callable[[Path], None] | None = None,
) -> IngestResult:
    """Ingest plain-text and Markdown files with their sidecars (or ``overrides``)."""
    plan = plaintext_plan(_ticking(paths, tick), overrides)
    return _write(database, plan, len(paths), replace=replace, dry_run=dry_run)


def _ticking(paths: Sequence[Path], tick: Callable[[Path], None] | None) -> Iterable[Path]:
    for path in paths:
        yield path
        if tick is not None:
            tick(path)
