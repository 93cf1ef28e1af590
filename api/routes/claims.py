"""Claims: filtered, cursor-paginated lists and one claim with everything known about it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import Reader, Service
from api.errors import ERROR_RESPONSES
from claimgraph.services.queries import status_filter, verdict_filter
from kg.errors import InputError, NotFoundError
from schemas.views import ClaimPage, ClaimView

router = APIRouter(prefix="/claims", tags=["claims"], dependencies=[Reader], responses=ERROR_RESPONSES)


@router.get("", response_model=ClaimPage)
def list_claims(
    service: Service,
    benchmark: Annotated[str | None, Query(description="benchmark name or alias, e.g. XNLI, pawsx")] = None,
    language: Annotated[str | None, Query(description="language name or ISO code")] = None,
    model: Annotated[str | None, Query(description="model or model family, e.g. XLM-R")] = None,
    verified: Annotated[
        bool, Query(description="only claims the verifier found SUPPORTED (short for verdict=SUPPORTED)")
    ] = False,
    verdict: Annotated[
        str | None,
        Query(
            max_length=40,
            description="what the verifier found: SUPPORTED, REFUTED, NOT_ENOUGH_INFO or `unchecked` (any case)",
        ),
    ] = None,
    status: Annotated[
        str | None,
        Query(max_length=40, description="verified, refuted, disputed, asserted-only or unconfirmed (any case)"),
    ] = None,
    marked: Annotated[
        Literal["verified", "unverified", "conflicting"] | None,
        Query(description="what the reports assert: every one ✓ (verified), every one × (unverified), or both"),
    ] = None,
    conflicting: Annotated[bool, Query(description="short for marked=conflicting")] = False,
    q: Annotated[str | None, Query(max_length=500, description="text contains (case-insensitive)")] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, description="page size (capped by the server's api_max_page)")] = 50,
    sort: Annotated[Literal["key", "-key"], Query(description="order by claim key, ascending or descending")] = "key",
) -> ClaimPage:
    if conflicting and marked not in (None, "conflicting"):
        raise InputError(f"`conflicting` cannot be combined with `marked={marked}`")
    if limit > service.settings.api_max_page:
        raise InputError(f"limit must be at most {service.settings.api_max_page}")
    query = service.queries.query(
        benchmark=benchmark,
        language=language,
        model=model,
        report_verdict=marked or ("conflicting" if conflicting else None),
        verdict=verdict_filter(verdict, verified=verified, name="`verdict`"),
        status=status_filter(status, name="`status`"),
        text_contains=q,
        after=cursor,
        descending=sort == "-key",
    )
    return service.queries.claims_page(query, limit)


@router.get("/{key}", response_model=ClaimView)
def get_claim(service: Service, key: str) -> ClaimView:
    found = service.queries.claims_by_key([key]).get(key)
    if found is None:
        raise NotFoundError(f"no claim {key!r}")
    return found
