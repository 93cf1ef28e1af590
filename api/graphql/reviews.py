"""GraphQL types for what people reviewed, kept apart from the reports' marks and the verifier's verdict."""

from __future__ import annotations

import strawberry

from api.graphql.enums import VerdictEnum
from schemas.review import QueueItem, ReviewView


@strawberry.type(description="A person's label for a claim; a stale one no longer decides (the text changed).")
class Review:
    key: str
    claim: str
    verdict: VerdictEnum
    reviewer: str
    reviewed_at: str
    note: str
    evidence_paper: str | None
    evidence_sentence: str | None
    evidence_text: str | None
    verifier_verdict: VerdictEnum | None = strawberry.field(description="what the verifier said when reviewed")
    verifier_model: str | None
    stale: bool
    changes: int = strawberry.field(description="events in the review's audit log")

    @staticmethod
    def of(view: ReviewView) -> Review:
        fields = view.model_dump(exclude={"verdict", "verifier_verdict"})
        verifier = VerdictEnum(view.verifier_verdict) if view.verifier_verdict else None
        return Review(**fields, verdict=VerdictEnum(view.verdict), verifier_verdict=verifier)


@strawberry.type(description="A claim worth a person's look, with why (the review queue, highest priority first).")
class QueueEntry:
    claim: str
    text: str
    priority: float
    reasons: list[str]
    reports: int
    marks: str
    verifier_verdict: VerdictEnum | None
    benchmarks: list[str]

    @staticmethod
    def of(item: QueueItem) -> QueueEntry:
        verifier = VerdictEnum(item.verifier_verdict) if item.verifier_verdict else None
        return QueueEntry(**item.model_dump(exclude={"probabilities", "verifier_verdict"}), verifier_verdict=verifier)
