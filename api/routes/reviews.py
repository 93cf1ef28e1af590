"""Reviews: the queue of claims worth a person's look, a person's decision, and the audit log.

Reading the queue and the log is a read; deciding is a write (the bearer token). The reviewer's name
is the server's configured identity (CLAIMGRAPH_REVIEWER) where set, else the request's ``reviewer``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Reader, Service, Writer
from api.errors import ERROR_RESPONSES
from kg.errors import InputError
from schemas.graph import VerdictLabel
from schemas.review import MAX_NOTE_CHARS, QueueItem, ReviewEvent, ReviewInput, ReviewView

router = APIRouter(tags=["reviews"], responses=ERROR_RESPONSES)


class ReviewRequest(BaseModel):
    """A person's decision on the claim in the path."""

    model_config = ConfigDict(extra="forbid")

    verdict: VerdictLabel
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)
    reviewer: str | None = Field(default=None, max_length=200, description="needed unless the server names one")
    evidence_paper: str | None = Field(default=None, max_length=200)
    evidence_sentence: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)
    evidence_text: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)


class ReviewResponse(BaseModel):
    review: ReviewView
    changed: bool


@router.get("/review/queue", response_model=list[QueueItem], dependencies=[Reader])
def review_queue(
    service: Service,
    benchmark: Annotated[str | None, Query(max_length=200)] = None,
    language: Annotated[str | None, Query(max_length=200)] = None,
    model: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, description="capped by the server's api_max_page")] = 20,
) -> list[QueueItem]:
    """Claims without a current review, the most worth reviewing first, each with its reasons."""
    if limit > service.settings.api_max_page:
        raise InputError(f"limit must be at most {service.settings.api_max_page}")
    return service.reviews.queue(benchmark=benchmark, language=language, model=model, limit=limit)


@router.post("/claims/{key}/reviews", response_model=ReviewResponse, dependencies=[Writer])
def add_review(service: Service, key: str, request: ReviewRequest) -> ReviewResponse:
    """Record a person's label for a claim; deciding again changes that person's review (logged)."""
    reviewer = service.settings.reviewer or request.reviewer
    if not reviewer:
        raise InputError("reviewer: say who decides (the server names no reviewer: CLAIMGRAPH_REVIEWER is unset)")
    given = ReviewInput(claim=key, reviewer=reviewer, **request.model_dump(exclude={"reviewer"}))
    view, changed = service.reviews.add(given)
    return ReviewResponse(review=view, changed=changed)


@router.get("/reviews", response_model=list[ReviewInput], dependencies=[Reader])
def list_reviews(service: Service) -> list[ReviewInput]:
    """Every review, as `kg review export` writes it."""
    return service.reviews.reviews()


@router.get("/reviews/log", response_model=list[ReviewEvent], dependencies=[Reader])
def review_log(service: Service) -> list[ReviewEvent]:
    """Every change of every review, oldest first (who, when, before, after)."""
    return service.reviews.log()
