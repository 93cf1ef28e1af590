"""A review as data: the node a decision makes, its audit log, its view and its JSONL line. Pure.

One node per (claim, reviewer): deciding again changes that person's review, and the change is
appended to its ``history`` (who, when, before, after) — nothing is removed, so ``kg review log`` is
the whole story. Importing a review a person already has with the same content changes nothing.
"""

from __future__ import annotations

import json

from kg.extraction.text import stable_key
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType, ReviewNode
from schemas.review import ReviewEvent, ReviewInput, ReviewView
from schemas.views import VerdictView

#: what a change of a review is about: the audit log keeps these before and after
DECISION_FIELDS = ("verdict", "note", "evidence_paper", "evidence_sentence", "evidence_text", "claim_text")


def review_key(claim: str, reviewer: str) -> str:
    return stable_key("rv", claim, reviewer.casefold())


def _decision(node: ReviewNode | ReviewInput, claim_text: str | None = None) -> dict[str, str | None]:
    values = {field: getattr(node, field, None) for field in DECISION_FIELDS}
    if claim_text is not None:
        values["claim_text"] = claim_text
    return values


def decide(
    existing: ReviewNode | None,
    given: ReviewInput,
    *,
    claim_text: str,
    verdict: VerdictView | None,
    now: str,
    imported: bool = False,
) -> ReviewNode | None:
    """The review node after ``given``, or None when it changes nothing (the same decision again)."""
    after = _decision(given, claim_text)
    if existing is not None and _decision(existing) == after:
        return None
    at = given.reviewed_at or now
    event = {
        "at": at,
        "by": given.reviewer,
        "action": "imported" if imported else ("changed" if existing is not None else "created"),
        "before": _decision(existing) if existing is not None else None,
        "after": after,
    }
    history = [*(existing.history if existing is not None else []), json.dumps(event, ensure_ascii=False)]
    return ReviewNode(
        key=review_key(given.claim, given.reviewer),
        claim=given.claim,
        verdict=given.verdict,
        reviewer=given.reviewer,
        reviewed_at=at,
        note=given.note,
        claim_text=claim_text,
        evidence_paper=given.evidence_paper,
        evidence_sentence=given.evidence_sentence,
        evidence_text=given.evidence_text,
        verifier_verdict=verdict.verdict if verdict is not None else None,
        verifier_model=verdict.model if verdict is not None else None,
        verifier_score=verdict.score if verdict is not None else None,
        history=history,
    )


def review_batch(review: ReviewNode, paper_exists: bool) -> GraphBatch:
    """The review node, its link to the claim, and to the evidence paper where the store has it."""
    claim = NodeRef(label=NodeLabel.CLAIM, key=review.claim)
    rels = [Relationship(type=RelType.REVIEWS, start=review.ref, end=claim)]
    if review.evidence_paper and paper_exists:
        paper = NodeRef(label=NodeLabel.PAPER, key=review.evidence_paper)
        rels.append(
            Relationship(
                type=RelType.REVIEW_EVIDENCE,
                start=review.ref,
                end=paper,
                props={"sentence": review.evidence_sentence or ""},
            )
        )
    return GraphBatch(
        source=f"review {review.key}",
        nodes=[review.to_node()],
        relationships=rels,
        replace_outgoing=[review.ref],
        replace_types=[RelType.REVIEW_EVIDENCE],
    )


def review_node(node: Node) -> ReviewNode:
    return ReviewNode.model_validate({"key": node.key, **node.props})


def review_view(node: Node, current_text: str) -> ReviewView:
    """How a claim shows a review; ``stale`` when the claim's text is no longer the one reviewed."""
    review = review_node(node)
    shared = review.model_dump(include=set(ReviewView.model_fields) - {"stale", "changes"})
    return ReviewView(**shared, stale=review.claim_text != current_text, changes=len(review.history))


def events_of(review: ReviewNode) -> list[ReviewEvent]:
    """The review's audit log, oldest first."""
    events = []
    for line in review.history:
        event = json.loads(line)
        events.append(ReviewEvent(review=review.key, claim=review.claim, **event))
    return events


def export_line(review: ReviewNode) -> ReviewInput:
    """The review as a line of ``kg review export``: what ``kg review import`` takes back."""
    return ReviewInput(**review.model_dump(include=set(ReviewInput.model_fields)))
