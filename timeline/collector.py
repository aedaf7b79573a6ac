"""CPython's cyclic garbage collector, set for a run that streams rows.

The collector looks at its youngest objects every 700 net allocations of containers (tuples,
lists, dicts), and at every object once enough have outlived two looks. A report or an export
makes millions of short-lived rows and keeps a few thousand in its caches (the documents
cited, their page breaks), which pass into the oldest generation and out again: at a million
events the Markdown report in one process ran 201 collections of the whole heap, which freed
nothing, and spent 14% of its samples in them (py-spy). Its rows hold no reference cycles, so
the youngest generation is looked at every :data:`YOUNGEST` allocations instead: one whole
collection in that run, 50.1 s -> 40.3 s (42.8 s with the collector off). A cycle made in
between waits a little longer to be freed; ten thousand containers are a few megabytes.
"""

from __future__ import annotations

import gc

YOUNGEST = 10_000  # CPython's default is 700


def for_streaming() -> None:
    """Collect the youngest generation every :data:`YOUNGEST` allocations, the older ones as
    CPython does relative to it (every 10 collections of the one below)."""
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST, middle, oldest)
