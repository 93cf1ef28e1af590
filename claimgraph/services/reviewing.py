"""Reviews: a person confirms or corrects the verifier, and the decision is kept as data.

Writes go through the store like any batch (one transaction each; an import is all or nothing), so
reviews are on every backend and travel with migrate, export and the bulk paths. See
:mod:`kg.review.records` for what a decision does to a review node and its audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from claimgraph.services.queries import QueryService
from claimgraph.services.workspace import Workspace
from kg.errors import InputError, NotFoundError
from kg.review.queue import review_queue
from kg.review.records import decide, events_of, export_line, review_batch, review_key, review_node, review_view
from kg.verify.examples import ClaimExample
from schemas.graph import GraphBatch, NodeLabel, NodeRef, ReviewNode, WriteSummary
from schemas.review import QueueItem, ReviewEvent, ReviewInput, ReviewView


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class ReviewService:
    def __init__(self, workspace: Workspace, queries: QueryService) -> None:
        self._ws = workspace
        self._queries = queries

    def add(self, given: ReviewInput) -> tuple[ReviewView, bool]:
        """Record a person's decision; the claim may be named by a unique key prefix. (view, whether it changed)."""
        claim = self._queries.claim(given.claim)
        given = given.model_copy(update={"claim": claim.key})
        summary, reviews = self._write([given], imported=False)
        ref = NodeRef(label=NodeLabel.REVIEW, key=review_key(claim.key, given.reviewer))
        return review_view(reviews[ref].to_node(), claim.text), summary.changed

    def import_reviews(self, reviews: Iterable[ReviewInput]) -> WriteSummary:
        """Reviews from another group's export, in one transaction: all of them or, on any error, none."""
        return self._write(list(reviews), imported=True)[0]

    def _write(self, reviews: list[ReviewInput], *, imported: bool) -> tuple[WriteSummary, dict[NodeRef, ReviewNode]]:
        """What the batch changed, and every review it names as it now stands (written or found unchanged)."""
        keys = list(dict.fromkeys(r.claim for r in reviews))
        claims = self._queries.claims_by_key(keys)
        if missing := [k for k in keys if k not in claims]:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise NotFoundError(f"no claim {shown} in this store: nothing was written")
        now = _now()
        with self._ws.store() as store:
            refs = [NodeRef(label=NodeLabel.REVIEW, key=review_key(r.claim, r.reviewer)) for r in reviews]
            stored = store.get_nodes(refs)
            papers = store.get_nodes(
                [NodeRef(label=NodeLabel.PAPER, key=r.evidence_paper) for r in reviews if r.evidence_paper]
            )
            batches: list[GraphBatch] = []
            current = {ref: review_node(node) for ref, node in stored.items() if node is not None}
            for ref, given in zip(refs, reviews, strict=True):
                claim = claims[given.claim]
                after = decide(
                    current.get(ref), given, claim_text=claim.text, verdict=claim.verdict, now=now, imported=imported
                )
                if after is None:
                    continue
                current[ref] = after  # a file that reviews a claim twice: the second builds on the first
                paper = NodeRef(label=NodeLabel.PAPER, key=after.evidence_paper or "")
                batches.append(review_batch(after, paper_exists=papers.get(paper) is not None))
            return (store.apply_stream(batches) if batches else WriteSummary()), current

    def queue(
        self, *, benchmark: str | None = None, model: str | None = None, language: str | None = None, limit: int = 20
    ) -> list[QueueItem]:
        """The claims worth reviewing first (see :mod:`kg.review.queue`), filtered like ``kg claims``."""
        if limit < 1:
            raise InputError("limit must be at least 1")
        query = self._queries.query(benchmark=benchmark, model=model, language=language)
        return review_queue(self._queries.find(query), limit)

    def reviews(self) -> list[ReviewInput]:
        """Every review as ``kg review export`` writes it, by claim then reviewer."""
        return [export_line(review) for review in self._review_nodes()]

    def log(self) -> list[ReviewEvent]:
        """Every change of every review, oldest first: the audit log."""
        events = [event for review in self._review_nodes() for event in events_of(review)]
        return sorted(events, key=lambda e: (e.at, e.review))

    def _review_nodes(self) -> list[ReviewNode]:
        with self._ws.store(read_only=True) as store:
            nodes = [review_node(node) for node in store.iter_nodes(NodeLabel.REVIEW)]
        return sorted(nodes, key=lambda r: (r.claim, r.reviewer))

    def examples(self) -> list[ClaimExample]:
        """Reviewed claims as labelled examples with the evidence `kg verify` would rank (see
        :mod:`kg.verify.review_examples`); an InputError when nobody has reviewed anything yet."""
        from kg.verify.review_examples import review_examples

        with self._ws.store(read_only=True) as store:
            examples = review_examples(store)
        if not examples:
            raise InputError("no claim has a current review yet: `kg review add CLAIM LABEL` first")
        return examples
