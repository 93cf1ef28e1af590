"""Papers, reports and benchmarks (with the numbers reported on each)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Reader, Service
from api.errors import ERROR_RESPONSES
from kg.errors import InputError
from schemas.views import BenchmarkSummary, PaperView, ReportDetail, ReportSummary, ResultRow

router = APIRouter(dependencies=[Reader], responses=ERROR_RESPONSES)


@router.get("/papers", response_model=list[PaperView], tags=["papers"])
def list_papers(service: Service) -> list[PaperView]:
    return service.papers.views()


@router.get("/papers/{key}", response_model=PaperView, tags=["papers"])
def get_paper(service: Service, key: str) -> PaperView:
    return service.papers.view(key)


@router.get("/reports", response_model=list[ReportSummary], tags=["reports"])
def list_reports(service: Service) -> list[ReportSummary]:
    return service.queries.reports()


@router.get("/reports/{key}", response_model=ReportDetail, tags=["reports"])
def get_report(
    service: Service,
    key: str,
    cursor: Annotated[str | None, Query(max_length=1000, description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, description="claims per page (capped by the server's api_max_page)")] = 200,
) -> ReportDetail:
    """The report with one page of its claims in row order; `assertions` and `verified` count all of them."""
    if limit > service.settings.api_max_page:
        raise InputError(f"limit must be at most {service.settings.api_max_page}")
    return service.queries.report(key, cursor=cursor, limit=limit)


@router.get("/benchmarks", response_model=list[BenchmarkSummary], tags=["benchmarks"])
def list_benchmarks(service: Service) -> list[BenchmarkSummary]:
    return service.queries.benchmarks()


@router.get("/benchmarks/{name}/results", response_model=list[ResultRow], tags=["benchmarks"])
def benchmark_results(service: Service, name: str) -> list[ResultRow]:
    """The numbers reported on a benchmark: value, unit, metric, model, language, claim, report, cited papers."""
    return service.queries.benchmark_results(name)
