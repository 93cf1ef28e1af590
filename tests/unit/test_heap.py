"""The ingest's garbage-collector policy: no full collections inside, young garbage still freed, and the
process's own thresholds back afterwards."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from kg.heap import NO_FULL_COLLECTION, long_lived_heap


@pytest.fixture
def full_collections() -> Iterator[list[int]]:
    """Counts the generation-2 collections that start while the test runs."""
    seen: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            seen.append(1)

    gc.callbacks.append(count)
    try:
        yield seen
    finally:
        gc.callbacks.remove(count)


def _grow_long_lived(n: int) -> list[list[int]]:
    """Many small containers kept alive: what makes CPython run full collections."""
    return [[i] for i in range(n)]


def test_no_full_collection_inside_while_one_runs_outside(full_collections: list[int]) -> None:
    assert gc.isenabled()
    kept = _grow_long_lived(300_000)  # outside: the heap grows by far more than a quarter
    outside = len(full_collections)
    assert outside > 0
    with long_lived_heap():
        kept += _grow_long_lived(600_000)
        inside = len(full_collections)  # counted in the block: the first full collection may come right after it
    assert inside == outside


def test_young_cycles_are_still_freed_inside() -> None:
    class Node:
        other: object = None

    with long_lived_heap():
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only the collector frees it
        gone = weakref.ref(a)
        del a, b
        scratch = [[i] for i in range(50_000)]  # enough allocations for young collections to run
        del scratch
        assert gone() is None


def test_thresholds_come_back_after_the_outermost_block() -> None:
    before = gc.get_threshold()
    with long_lived_heap():
        assert gc.get_threshold() == (before[0], before[1], NO_FULL_COLLECTION)
        with long_lived_heap():
            pass
        assert gc.get_threshold()[2] == NO_FULL_COLLECTION  # the inner block left the outer one's setting
    assert gc.get_threshold() == before


def test_overlapping_blocks_on_two_threads_restore_once_both_end() -> None:
    before = gc.get_threshold()
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with long_lived_heap():
            entered.set()
            release.wait(5)

    worker = threading.Thread(target=other)
    with long_lived_heap():
        worker.start()
        entered.wait(5)
    assert gc.get_threshold()[2] == NO_FULL_COLLECTION  # the other thread's block still runs
    release.set()
    worker.join(5)
    assert gc.get_threshold() == before


def test_an_error_inside_still_restores() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), long_lived_heap():
        raise RuntimeError("a failed ingest")
    assert gc.get_threshold() == before
