"""One store shared by the threads of a server: many readers at once, one writer, reads never wait for a whole write.

`kg serve` holds one store for every request. Holding a lock for a whole write operation (an upload
of many reports, then the paraphrase pass that embeds every new claim) kept every reader waiting for
minutes. Here a write *operation* only excludes other writers (:attr:`SharedStore.writer`); each store
call takes the readers–writer lock for just that call, so a reader waits at most for one transaction
(one file's batch, one replacement of derived links) to apply.

Guarantee: a read sees every batch committed before it started and none that commits while it runs
(per call; a multi-call read such as a page of claims reads from one call). Writers never interleave.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Literal, TypeVar

from kg.store.base import AssertionPage, GraphStore, StoreHealth
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType, WriteSummary
from schemas.views import ClaimQuery, ClaimView, GraphStats

T = TypeVar("T")


class ReadWriteLock:
    """Many readers or one writer; a waiting writer goes before readers that come after it."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class SharedStore(GraphStore):
    """A held store behind a readers–writer lock taken per call; iterators are read whole under the lock."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner
        self.backend = inner.backend
        self.lock = ReadWriteLock()
        self.writer = threading.RLock()  # one write operation at a time, for the whole operation

    def _read(self, call: Callable[[], T]) -> T:
        with self.lock.reading():
            return call()

    # -- lifecycle: the owner opens and closes the inner store ---------------------------
    def open(self) -> None:
        """Already open: the inner store is opened by whoever holds it."""

    def close(self) -> None:
        """Left open: the inner store is closed by whoever holds it."""

    def health(self) -> StoreHealth:
        return self._read(self.inner.health)

    # -- writes ------------------------------------------------------------------------
    def apply(self, batch: GraphBatch) -> WriteSummary:
        with self.lock.writing():
            return self.inner.apply(batch)

    def apply_stream(self, batches: Iterable[GraphBatch]) -> WriteSummary:
        """The batches are built before the lock is taken: building reads this store, and a reader
        waits for the writer (a server's uploads are bounded in size, so the list is too)."""
        listed = list(batches)
        with self.lock.writing():
            return self.inner.apply_stream(listed)

    # -- reads -------------------------------------------------------------------------
    def get_node(self, ref: NodeRef) -> Node | None:
        return self._read(lambda: self.inner.get_node(ref))

    def get_nodes(self, refs: list[NodeRef]) -> dict[NodeRef, Node | None]:
        return self._read(lambda: self.inner.get_nodes(refs))

    def iter_nodes(self, label: NodeLabel) -> Iterator[Node]:
        return iter(self._read(lambda: list(self.inner.iter_nodes(label))))

    def iter_relationships(self, rel_type: RelType) -> Iterator[Relationship]:
        return iter(self._read(lambda: list(self.inner.iter_relationships(rel_type))))

    def related(
        self, refs: list[NodeRef], rel_type: RelType, direction: Literal["out", "in"]
    ) -> dict[NodeRef, list[tuple[Relationship, Node]]]:
        return self._read(lambda: self.inner.related(refs, rel_type, direction))

    def relationships_of(
        self, refs: list[NodeRef], rel_type: RelType, direction: Literal["out", "in"]
    ) -> dict[NodeRef, list[Relationship]]:
        return self._read(lambda: self.inner.relationships_of(refs, rel_type, direction))

    def assertions_page(self, report: NodeRef, *, after: tuple[int, str] | None, limit: int) -> AssertionPage:
        return self._read(lambda: self.inner.assertions_page(report, after=after, limit=limit))

    def first_claims_of_reports(self, reports: list[str], first: int) -> dict[str, list[str]]:
        return self._read(lambda: self.inner.first_claims_of_reports(reports, first))

    def stats(self) -> GraphStats:
        return self._read(self.inner.stats)

    def count_nodes(self, label: NodeLabel) -> int:
        return self._read(lambda: self.inner.count_nodes(label))

    def find_claims(self, query: ClaimQuery) -> list[ClaimView]:
        return self._read(lambda: self.inner.find_claims(query))
