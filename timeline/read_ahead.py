"""Batches of a server-side cursor fetched one ahead, in a thread, while the caller uses one.

Reading a PostgreSQL cursor a batch at a time, the server sits idle while Python writes a batch,
and Python waits while the server computes the next. The server is another process: fetched in
a thread (psycopg lets go of the interpreter while it waits on the server), the next batch is
computed while this one is written. At 50,008 events the CSV report took 4.1-5.0 s where it
had taken 5.8-6.2 s, the JSON report 5.2-5.7 s (6.6-6.7 s), the table 7.7-8.4 s (8.8-10.0 s),
byte for byte the same. Not for SQLite: its queries run in this process, and there the two
threads only took turns (the CSV and JSON reports were slower).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Sequence
from typing import Any


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(
    fetch: Callable[[int], Sequence[Any]], size: int
) -> Generator[Sequence[Any], None, None]:
    """The batches ``fetch(size)`` returns, up to the first empty one, the next one fetched in
    a thread while the caller uses this one.

    The thread fetches a batch only once the caller has taken the one before: two batches are
    in memory at most (the one used, the one being fetched). An error of ``fetch`` is raised
    here, to the caller. When the caller stops early (closes the generator, or lets go of it),
    the fetch under way is finished and the thread has ended before the close returns: the
    cursor is then the caller's alone again, to close.
    """
    fetched: queue.SimpleQueue[Sequence[Any] | _Failed] = queue.SimpleQueue()
    wanted = threading.Semaphore(1)  # released once for each batch the caller takes
    stop = threading.Event()

    def produce() -> None:
        try:
            while True:
                wanted.acquire()
                if stop.is_set():
                    return
                rows = fetch(size)
                fetched.put(rows)
                if not rows:
                    return
        except BaseException as exc:  # to the caller, whatever it is
            fetched.put(_Failed(exc))

    thread = threading.Thread(target=produce, name="timeline-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            rows = fetched.get()
            if isinstance(rows, _Failed):
                raise rows.error
            if not rows:
                return
            wanted.release()  # the next batch is fetched while this one is used
            yield rows
    finally:
        stop.set()
        wanted.release()  # a thread waiting to fetch wakes, and sees stop
        thread.join()
