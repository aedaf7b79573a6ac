"""The one loader: every command that writes records builds a :class:`LoadPlan` and writes it
with :func:`load_plan` (the seed, `timeline ingest`, `timeline load`)."""

from timeline.loading.load import LoadSummary, load_plan
from timeline.loading.plan import ActorMatch, DocumentPlan, EventPlan, LoadPlan, Row, SeedPlan

__all__ = [
    "ActorMatch",
    "DocumentPlan",
    "EventPlan",
    "LoadPlan",
    "LoadSummary",
    "Row",
    "SeedPlan",
    "load_plan",
]
