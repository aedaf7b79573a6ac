"""Where things live: the default database, and migrations and seed (package, then checkout)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from timeline.errors import TimelineError

if TYPE_CHECKING:
    from pathlib import Path

# Here rather than in timeline.db, so that `timeline --help` can name them without loading
# SQLAlchemy (nor pathlib: 2 ms of the 40 ms `--help` takes).
DEFAULT_DB = "timeline.db"
ENV_VAR = "TIMELINE_DB"


def _data_dir(name: str) -> Path:
    # A wheel carries the folders as timeline/<name> (hatch force-include); a checkout or an
    # editable install has them beside the package.
    from pathlib import Path

    package = Path(__file__).resolve().parent
    for candidate in (package / name, package.parent / name):
        if candidate.is_dir():
            return candidate
    raise TimelineError(f"cannot find the {name}/ folder in the package or the checkout")


def migrations_dir() -> Path:
    return _data_dir("migrations")


def seed_dir() -> Path:
    return _data_dir("seed")
