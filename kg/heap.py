"""The garbage collector's share of a long batch job, kept small.

CPython's full (generation-2) collection walks every container object still alive, and it runs
again each time the survivors have grown by a quarter. An ingest keeps millions of objects alive on
purpose (the claim index, the extraction memo, the claims and links of the paraphrase pass), so
each full collection walks all of them again and finds nothing: at 10k reports, 47 of them took
14 s of the ingest process's 62 s of CPU, all of it on the one core the encoder does not have.

Inside :func:`long_lived_heap` only the young generations are collected: garbage cycles, which die
young here (a failed file's traceback, a parser's scratch), are still freed as they were, and
everything else is freed by reference counting. A cycle that outlives two young collections waits
for the first full collection after the block.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: a generation-2 threshold no job reaches: a full collection needs this many generation-1 collections
NO_FULL_COLLECTION = 1 << 30

_guard = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def long_lived_heap() -> Iterator[None]:
    """No full collections while the block runs; the thresholds before it come back when the last block ends
    (an API process that ingests on a worker thread, or two at once, goes back to ordinary collection)."""
    global _depth, _saved
    with _guard:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(_saved[0], _saved[1], NO_FULL_COLLECTION)
        _depth += 1
    try:
        yield
    finally:
        with _guard:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
