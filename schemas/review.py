"""Reviews at the boundaries: what a person submits, what a claim shows, the queue, the audit log, the JSONL line.

Three things stay apart everywhere: what reports *assert* (✓/× and confidence), what the *verifier*
found (SUPPORTED / REFUTED / NOT_ENOUGH_INFO with probabilities), and what a *person* reviewed (these).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.graph import VerdictLabel

MAX_NOTE_CHARS = 5_000


class ReviewInput(BaseModel):
    """A person's decision on one claim (CLI, REST, GraphQL and each line of ``kg review import``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    claim: str = Field(min_length=1, max_length=200, description="the claim's key")
    verdict: VerdictLabel = Field(description="the person's label: SUPPORTED, REFUTED or NOT_ENOUGH_INFO")
    reviewer: str = Field(min_length=1, max_length=200, description="who decided")
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)
    evidence_paper: str | None = Field(default=None, max_length=200, description="arXiv id of the evidence")
    evidence_sentence: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)
    evidence_text: str | None = Field(default=None, max_length=MAX_NOTE_CHARS, description="free-text evidence")
    reviewed_at: str | None = Field(default=None, description="ISO 8601; now when not given (imports keep theirs)")

    @field_validator("reviewer", "claim")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class ReviewEvent(BaseModel):
    """One change of one review: the audit log's line (``kg review log``)."""

    model_config = ConfigDict(frozen=True)

    review: str
    claim: str
    by: str
    at: str
    action: Literal["created", "changed", "imported"]
    before: dict[str, str | None] | None = None
    after: dict[str, str | None]


class ReviewView(BaseModel):
    """A person's review as a claim shows it, beside the reports' marks and the verifier's verdict."""

    model_config = ConfigDict(frozen=True)

    key: str
    claim: str
    verdict: VerdictLabel
    reviewer: str
    reviewed_at: str
    note: str
    evidence_paper: str | None = None
    evidence_sentence: str | None = None
    evidence_text: str | None = None
    verifier_verdict: VerdictLabel | None = Field(default=None, description="what the verifier said when reviewed")
    verifier_model: str | None = None
    stale: bool = Field(description="the claim's text changed since: the review is kept but no longer decides")
    changes: int = Field(description="how many events the review's audit log holds")


class QueueItem(BaseModel):
    """A claim worth reviewing, with why: the queue is sorted by ``priority``, highest first."""

    model_config = ConfigDict(frozen=True)

    claim: str
    text: str
    priority: float
    reasons: list[str]
    reports: int
    marks: str = Field(description="what the reports assert: ✓ count / × count")
    verifier_verdict: VerdictLabel | None
    probabilities: dict[str, float] | None
    benchmarks: list[str]
