"""Neighbourhood graphs for the page's graph view: a claim, or a benchmark with its claims."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Reader, Service
from api.errors import ERROR_RESPONSES
from schemas.views import GraphView

router = APIRouter(prefix="/graph", tags=["graph"], dependencies=[Reader], responses=ERROR_RESPONSES)


@router.get("/claims/{key}", response_model=GraphView)
def claim_graph(service: Service, key: str) -> GraphView:
    """The claim, its reports (✓/×), entities, results, paraphrases, verdict and evidence papers."""
    return service.queries.claim_graph(key)


@router.get("/benchmarks/{name}", response_model=GraphView)
def benchmark_graph(
    service: Service,
    name: str,
    limit: Annotated[int, Query(ge=1, le=200, description="claims drawn at most")] = 40,
) -> GraphView:
    """The benchmark and up to ``limit`` of its claims with their neighbourhoods."""
    return service.queries.benchmark_graph(name, limit)
