"""Cross-claim questions: conflicts, counts, semantic search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Reader, Service
from api.errors import ERROR_RESPONSES
from schemas.views import Conflict, GraphStats, SearchHit

router = APIRouter(dependencies=[Reader], responses=ERROR_RESPONSES)


@router.get("/conflicts", response_model=list[Conflict], tags=["insight"])
def conflicts(service: Service) -> list[Conflict]:
    return service.queries.conflicts()


@router.get("/stats", response_model=GraphStats, tags=["insight"])
def stats(service: Service) -> GraphStats:
    return service.queries.stats()


@router.get("/search", response_model=list[SearchHit], tags=["insight"])
def search(
    service: Service,
    q: Annotated[str, Query(min_length=1, max_length=1000, description="what the claims should say")],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[SearchHit]:
    """Claims nearest in meaning to `q` (all-MiniLM-L6-v2 cosine)."""
    return service.queries.search(q, limit)
