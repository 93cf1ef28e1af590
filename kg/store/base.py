"""The one store interface every backend implements (embedded networkx now, Cypher later).

Writes go in batches (:class:`GraphBatch`, one transaction per source) because that is the
unit of atomicity the ingest promises: a report is in the graph whole or not at all. Reads
are the queries the CLI and API need, so a Cypher backend can answer each with one query
instead of shipping the graph to Python. Promises made here are checked by the shared
contract suite in ``tests/contract``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Literal, Self

from pydantic import BaseModel

from schemas.graph import (
    REL_ENDPOINTS,
    GraphBatch,
    Node,
    NodeLabel,
    NodeRef,
    Relationship,
    RelType,
    WriteSummary,
)
from schemas.views import ClaimQuery, ClaimView, GraphStats


class StoreHealth(BaseModel):
    ok: bool
    backend: str
    detail: str


class AssertionPage(BaseModel):
    """One page of a report's assertions in row order, with counts over all of them.

    A report can assert 50,000 claims; its page reads only ``limit`` of them (with their claims).
    """

    rows: list[tuple[Relationship, Node]]
    total: int
    verified: int
    next_after: tuple[int, str] | None  # (row, relationship key) of the last row, when more follow


class GraphStore(ABC):
    """Lifecycle: construct (no I/O), :meth:`open`, use, :meth:`close`; or use ``with``."""

    backend: str = "abstract"

    # -- lifecycle -------------------------------------------------------------------
    @abstractmethod
    def open(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def health(self) -> StoreHealth: ...

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- writes ----------------------------------------------------------------------
    @abstractmethod
    def apply(self, batch: GraphBatch) -> WriteSummary:
        """Apply one batch atomically: all of it or, on any error, none of it."""

    def apply_many(self, batches: list[GraphBatch]) -> list[WriteSummary | Exception]:
        """Apply several batches, each atomically on its own: a summary or the error, per batch, in order.

        Backends override this to commit the group at once (group commit): one fsync or one
        round trip per statement kind for many reports. This default applies them one by one.
        """
        outcomes: list[WriteSummary | Exception] = []
        for batch in batches:
            try:
                outcomes.append(self.apply(batch))
            except Exception as exc:  # the batch is atomic: it wrote nothing; the rest still go in
                outcomes.append(exc)
        return outcomes

    @abstractmethod
    def apply_stream(self, batches: Iterable[GraphBatch]) -> WriteSummary:
        """Apply batches that together are one write, atomically: all of them or none; one summary.

        ``batches`` may be a generator that reads this store while it runs: a large claim file is
        built a chunk at a time, so that only one chunk's nodes and relationships are in memory.
        Each batch sees the ones before it, as separate :meth:`apply` calls would.
        """

    def replace_relationships(self, rel_type: RelType, relationships: list[Relationship]) -> WriteSummary:
        """Make ``relationships`` the complete set of ``rel_type`` (used for derived links)."""
        from kg.errors import StoreError

        if stray := next((r for r in relationships if r.type != rel_type), None):
            raise StoreError(f"replace {rel_type}: a {stray.type} relationship is not one of them")
        current = {r.identity: r for r in self.iter_relationships(rel_type)}
        wanted = {r.identity: r for r in relationships}
        starts = sorted({ident[1] for ident in current if ident not in wanted}, key=lambda r: r.key)
        # Deleting per start node keeps the batch model; unchanged relationships are re-merged.
        batch = GraphBatch(
            source=f"replace {rel_type}",
            relationships=list(wanted.values()),
            replace_outgoing=starts,
            replace_types=[rel_type],
        )
        summary = self.apply(batch)
        return summary

    # -- reads -----------------------------------------------------------------------
    @abstractmethod
    def get_node(self, ref: NodeRef) -> Node | None: ...

    def get_nodes(self, refs: list[NodeRef]) -> dict[NodeRef, Node | None]:
        """Many nodes at once: every requested ref is a key, None where it is not stored.

        The looping default is correct for any backend; server-backed stores override it with
        one round trip per chunk of keys, which is what keeps the API's DataLoaders free of N+1.
        """
        return {ref: self.get_node(ref) for ref in refs}

    @abstractmethod
    def iter_nodes(self, label: NodeLabel) -> Iterator[Node]: ...

    @abstractmethod
    def iter_relationships(self, rel_type: RelType) -> Iterator[Relationship]: ...

    @abstractmethod
    def related(
        self, refs: list[NodeRef], rel_type: RelType, direction: Literal["out", "in"]
    ) -> dict[NodeRef, list[tuple[Relationship, Node]]]:
        """For each node, its ``rel_type`` relationships in one direction with the node at the other end.

        One call answers a whole batch of nodes (the API's DataLoaders rely on it); every
        requested ref is a key of the result, with an empty list if it has none.
        """

    def relationships_of(
        self, refs: list[NodeRef], rel_type: RelType, direction: Literal["out", "in"]
    ) -> dict[NodeRef, list[Relationship]]:
        """:meth:`related` without the nodes at the other end, in the same order. Backends that can skip reading
        those nodes override it: to learn which reports examine a title, the papers step of a 100k-report
        ingest read and decoded 100k report nodes (6.5 of its 7.1 s)."""
        return {ref: [rel for rel, _ in rows] for ref, rows in self.related(refs, rel_type, direction).items()}

    @abstractmethod
    def assertions_page(self, report: NodeRef, *, after: tuple[int, str] | None, limit: int) -> AssertionPage:
        """The report's ASSERTS relationships with their claims, ordered by ``row`` then key, after ``after``.

        Only the page is read: the database sorts and limits (ordered by the ``row`` property, then the
        relationship key, so that a page boundary never splits or repeats a row).
        """

    @abstractmethod
    def first_claims_of_reports(self, reports: list[str], first: int) -> dict[str, list[str]]:
        """For each report key, the keys of its first ``first`` claims in row order (as :meth:`assertions_page`),
        in one round trip for all of them: the GraphQL loader's read for ``report { claims(first:) }``."""

    @abstractmethod
    def stats(self) -> GraphStats: ...

    def count_nodes(self, label: NodeLabel) -> int:
        """How many ``label`` nodes the store holds: :meth:`stats` by default, which also counts every
        relationship; the embedded store counts the one label (at 100k reports its relationship count took 2.5 s
        of each ingest's paraphrase pass, which wants only the claims)."""
        return self.stats().nodes[label]

    @abstractmethod
    def find_claims(self, query: ClaimQuery) -> list[ClaimView]:
        """Claims matching every filter, ordered by key, with their assertions and links."""


def page_of(rows: list[tuple[Relationship, Node]], limit: int, total: int, verified: int) -> AssertionPage:
    """A page from up to ``limit + 1`` rows read in order: the extra one only says that more follow."""
    page = rows[:limit]
    next_after = None
    if len(rows) > limit and page:
        last = page[-1][0]
        row = last.props.get("row")
        next_after = (row if isinstance(row, int) else 0, last.key)
    return AssertionPage(rows=page, total=total, verified=verified, next_after=next_after)


def validate_batch(batch: GraphBatch, is_stored: Callable[[NodeRef], bool]) -> None:
    """Reject a batch that would break the model, before anything is written.

    Checks relationship endpoint labels against :data:`REL_ENDPOINTS` and that every
    endpoint is in the batch or already stored.
    """
    from kg.errors import StoreError

    in_batch = {node.ref for node in batch.nodes}
    for rel in batch.relationships:
        starts, ends = REL_ENDPOINTS[rel.type]
        if rel.start.label not in starts or rel.end.label not in ends:
            raise StoreError(f"{batch.source}: {rel.type} cannot connect {rel.start.label} to {rel.end.label}")
        for end in (rel.start, rel.end):
            if end not in in_batch and not is_stored(end):
                raise StoreError(f"{batch.source}: {rel.type} points to missing node {end.label}:{end.key}")
