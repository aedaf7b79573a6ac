"""timeline.read_ahead: a cursor's batches fetched one ahead, in a thread (PostgreSQL's reports)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from timeline.read_ahead import read_ahead


class Cursor:
    """Batches of ``size`` numbers up to ``rows``, counting the fetches; ``fail_at``: the fetch
    (1 = the first) that raises; ``delay``: seconds each fetch takes."""

    def __init__(self, rows: int, fail_at: int | None = None, delay: float = 0.0) -> None:
        self.rows = rows
        self.fail_at = fail_at
        self.delay = delay
        self.fetches = 0
        self.next = 0
        self.threads: set[str] = set()

    def fetchmany(self, size: int) -> Sequence[int]:
        self.fetches += 1
        self.threads.add(threading.current_thread().name)
        time.sleep(self.delay)
        if self.fetches == self.fail_at:
            raise ValueError("the server went away")
        batch = list(range(self.next, min(self.next + size, self.rows)))
        self.next += len(batch)
        return batch


def _reading_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "timeline-read-ahead"]


def _settled(cursor: Cursor, fetches: int) -> int:
    """The fetches made, once ``fetches`` have been and the thread has had time for more."""
    deadline = time.monotonic() + 5
    while cursor.fetches < fetches and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(0.05)
    return cursor.fetches


@pytest.mark.parametrize("rows", [0, 1, 4, 10, 11])
def test_every_batch_comes_in_order_and_the_reading_ends_at_the_first_empty_one(
    rows: int,
) -> None:
    cursor = Cursor(rows)
    batches = list(read_ahead(cursor.fetchmany, 4))
    assert [row for batch in batches for row in batch] == list(range(rows))
    assert all(batches)  # the empty batch that ends the reading is not passed on
    assert cursor.fetches == len(batches) + 1  # nothing fetched after the empty one
    assert cursor.threads == {"timeline-read-ahead"}
    assert not _reading_threads()


def test_the_next_batch_is_fetched_while_one_is_used_and_no_more() -> None:
    cursor = Cursor(100)
    reading = read_ahead(cursor.fetchmany, 10)
    assert _settled(cursor, 0) == 0  # nothing before the first is asked for
    for taken in range(1, 5):
        next(reading)
        # two batches in memory at most: the one taken, and the one being fetched
        assert _settled(cursor, taken + 1) == taken + 1
    reading.close()


def test_an_error_of_the_fetch_reaches_the_caller_after_the_batches_before_it() -> None:
    cursor = Cursor(100, fail_at=3)
    reading = read_ahead(cursor.fetchmany, 10)
    assert next(reading) == list(range(10))
    assert next(reading) == list(range(10, 20))
    with pytest.raises(ValueError, match="the server went away"):
        next(reading)
    assert not _reading_threads()


def test_an_interrupt_in_the_thread_reaches_the_caller() -> None:
    def interrupted(size: int) -> Sequence[int]:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        list(read_ahead(interrupted, 10))
    assert not _reading_threads()


def test_a_caller_that_stops_early_gets_the_cursor_back_with_no_fetch_under_way() -> None:
    cursor = Cursor(1000, delay=0.02)
    reading = read_ahead(cursor.fetchmany, 10)
    next(reading)
    reading.close()  # while the second batch is being fetched
    assert not _reading_threads()
    fetches = cursor.fetches
    time.sleep(0.1)
    assert cursor.fetches == fetches <= 2


def test_a_caller_that_raises_stops_the_reading() -> None:
    cursor = Cursor(1000)

    def use() -> None:
        for batch in read_ahead(cursor.fetchmany, 10):
            if batch[0] >= 20:
                raise RuntimeError("the pipe closed")

    with pytest.raises(RuntimeError, match="the pipe closed"):
        use()
    assert not _reading_threads()
    assert cursor.fetches <= 4
