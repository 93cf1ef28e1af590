"""The GraphQL schema (strawberry): claims with their assertions, reports, papers, results and verdicts.

Filters follow the Neo4j GraphQL Library's style — `where: {benchmark: {name: "XNLI"},
verdict: SUPPORTED, AND: [...], OR: [...]}` — and lists of claims are Relay connections. What the
reports assert (`marked`), what the verifier found (`verdict`) and the derived `status` are enums.
Nested fields go through per-request DataLoaders (see loaders.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext, Info

from api.graphql.caches import SizedParserCache, SizedValidationCache
from api.graphql.enums import MarkedEnum, StatusEnum, VerdictEnum
from api.graphql.limits import CostLimiter
from api.graphql.loaders import Loaders
from api.graphql.reviews import QueueEntry, Review
from claimgraph.services import ClaimGraph
from kg.errors import ERROR_POLICY, ClaimGraphError, InputError, LimitExceededError
from kg.graph.catalog import paper_view, report_header
from kg.settings import GraphQLLimits
from schemas.graph import Node, NodeLabel
from schemas.views import (
    BenchmarkSummary,
    ClaimFilter,
    ClaimQuery,
    ClaimView,
    EvidenceView,
    PaperView,
    ResultView,
)

LIST_PAGE = 100  # the default `first` of a nested or root list; at most api_max_page


def _ctx(info: Info[Any, Any]) -> tuple[ClaimGraph, Loaders]:
    return info.context["service"], info.context["loaders"]


def _page(info: Info[Any, Any], first: int) -> int:
    """A list's `first`, checked: lists are paged so that the cost budget prices what they really return."""
    most = info.context["service"].settings.api_max_page
    if not 1 <= first <= most:
        raise InputError(f"first must be between 1 and {most}")
    return first


@strawberry.experimental.pydantic.type(model=EvidenceView, all_fields=True)
class Evidence:
    """An evidence sentence with its scores: every field of :class:`schemas.views.EvidenceView`."""


@strawberry.type(description="What the verifier found: the verdict, P(supported) and P(refuted), the evidence.")
class Verdict:
    verdict: VerdictEnum
    probability_supported: float | None
    probability_refuted: float | None
    score: float
    decided_by: str
    scope: str
    model: str
    model_sha256: str
    backend: str
    verified_at: str
    numeric_status: str
    numeric_detail: str | None
    reason: str
    evidence: list[Evidence]


@strawberry.experimental.pydantic.type(model=ResultView, all_fields=True)
class Result:
    """A numeric result: every field of :class:`schemas.views.ResultView`."""


@strawberry.experimental.pydantic.type(model=PaperView)
class Paper:
    """A paper: the public fields of :class:`schemas.views.PaperView`, their types taken from it."""

    key: strawberry.auto
    title: strawberry.auto
    authors: strawberry.auto
    published: strawberry.auto
    abstract: strawberry.auto
    url: strawberry.auto


def _report(node: Node) -> Report:
    header = report_header(node)
    return Report(key=header.key, title=header.title, source_name=header.source_name, date=header.date)


def _paper(node: Node) -> Paper:
    return Paper.from_pydantic(paper_view(node))


@strawberry.type
class Report:
    """A report (from :class:`schemas.views.ReportHeader`); a plain type: its fields resolve claims and papers."""

    key: str
    title: str
    source_name: str
    date: str | None

    @strawberry.field(description="Claims this report asserts (the first `first`, in the report's row order).")
    async def claims(self, info: Info[Any, Any], first: int = LIST_PAGE) -> list[Claim]:
        _, loaders = _ctx(info)
        keys = await loaders.report_claims.load((self.key, _page(info, first)))
        views = await loaders.claims.load_many(keys)
        return [Claim.of(v) for v in views if v is not None]

    @strawberry.field(description="Papers this report cites (the first `first`, by key).")
    async def papers(self, info: Info[Any, Any], first: int = LIST_PAGE) -> list[Paper]:
        _, loaders = _ctx(info)
        keys = (await loaders.report_papers.load(self.key))[: _page(info, first)]
        nodes = await loaders.papers.load_many(keys)
        return [_paper(n) for n in nodes if n is not None]


@strawberry.type
class Assertion:
    report_key: str
    verified: bool
    confidence: float
    line: int
    text_as_written: str

    @strawberry.field
    async def report(self, info: Info[Any, Any]) -> Report | None:
        _, loaders = _ctx(info)
        node = await loaders.reports.load(self.report_key)
        return _report(node) if node is not None else None


@strawberry.type
class Claim:
    key: str
    text: str
    truncated: bool
    benchmarks: list[str]
    languages: list[str]
    models: list[str]
    results: list[Result]
    report_verdict: MarkedEnum = strawberry.field(description="what the asserting reports marked (✓/×)")
    status: StatusEnum = strawberry.field(description="verified, refuted, disputed, asserted-only or unconfirmed")
    verdict: Verdict | None
    reviews: list[Review] = strawberry.field(description="what people decided, newest first (stale ones flagged)")
    status_by: str = strawberry.field(description="whose word the status rests on: review, verifier or reports")
    all_assertions: strawberry.Private[list[Assertion]]
    paraphrase_keys: list[str]

    @staticmethod
    def of(view: ClaimView) -> Claim:
        v = view.verdict
        return Claim(
            key=view.key,
            text=view.text,
            truncated=view.truncated,
            benchmarks=view.benchmarks,
            languages=view.languages,
            models=view.models,
            results=[Result.from_pydantic(r) for r in view.results],
            report_verdict=MarkedEnum(view.report_verdict),
            status=StatusEnum(view.status),
            verdict=None
            if v is None
            else Verdict(
                **v.model_dump(
                    exclude={
                        "evidence",
                        "numeric",
                        "threshold_support",
                        "threshold_refute",
                        "probabilities",
                        "min_precision",
                        "verdict",
                    }
                ),
                verdict=VerdictEnum(v.verdict),
                probability_supported=(v.probabilities or {}).get("SUPPORTED"),
                probability_refuted=(v.probabilities or {}).get("REFUTED"),
                numeric_status=v.numeric.status,
                numeric_detail=v.numeric.detail,
                evidence=[Evidence.from_pydantic(e) for e in v.evidence],
            ),
            all_assertions=[
                Assertion(
                    report_key=a.report,
                    verified=a.verified,
                    confidence=a.confidence,
                    line=a.line,
                    text_as_written=a.text_as_written,
                )
                for a in view.assertions
            ],
            paraphrase_keys=[p.claim for p in view.paraphrases],
            reviews=[Review.of(r) for r in view.reviews],
            status_by=view.status_by,
        )

    @strawberry.field(description="What each report asserting this claim marked (the first `first`).")
    def assertions(self, info: Info[Any, Any], first: int = LIST_PAGE) -> list[Assertion]:
        return self.all_assertions[: _page(info, first)]

    @strawberry.field(description="Claims linked to this one as paraphrases (the first `first`).")
    async def paraphrases(self, info: Info[Any, Any], first: int = LIST_PAGE) -> list[Claim]:
        _, loaders = _ctx(info)
        keys = self.paraphrase_keys[: _page(info, first)]
        return [Claim.of(v) for v in await loaders.claims.load_many(keys) if v is not None]


@strawberry.input
class NameFilter:
    name: str


@strawberry.input(description="Claim filters; fields combine with AND, plus explicit AND/OR lists.")
class ClaimWhere:
    benchmark: NameFilter | None = None
    language: NameFilter | None = None
    model: NameFilter | None = None
    marked: MarkedEnum | None = strawberry.field(default=None, description="what the reports assert (✓/×)")
    verdict: VerdictEnum | None = strawberry.field(default=None, description="what the verifier found")
    status: StatusEnum | None = None
    text_contains: str | None = None
    AND: list[ClaimWhere] | None = None
    OR: list[ClaimWhere] | None = None


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ClaimEdge:
    cursor: str
    node: Claim


@strawberry.type
class ClaimConnection:
    edges: list[ClaimEdge]
    page_info: PageInfo


@strawberry.experimental.pydantic.type(model=BenchmarkSummary, all_fields=True)
class BenchmarkInfo:
    """A benchmark with its counts: every field of :class:`schemas.views.BenchmarkSummary`."""


def _leaf_query(service: ClaimGraph, where: ClaimWhere) -> ClaimQuery:
    return service.queries.query(
        benchmark=where.benchmark.name if where.benchmark else None,
        language=where.language.name if where.language else None,
        model=where.model.name if where.model else None,
        report_verdict=where.marked.value if where.marked else None,
        verdict=where.verdict.value if where.verdict else None,
        status=where.status.value if where.status else None,
        text_contains=where.text_contains,
    )


def filter_terms(where: ClaimWhere | None) -> int:
    """How many filter terms a `where` holds: itself and every AND/OR entry, however deep."""
    if where is None:
        return 0
    return 1 + sum(filter_terms(sub) for sub in [*(where.AND or []), *(where.OR or [])])


def _claim_filter(service: ClaimGraph, where: ClaimWhere) -> ClaimFilter:
    """The GraphQL `where` as the query service's composite filter (entity names resolved on the way)."""
    return ClaimFilter(
        query=_leaf_query(service, where),
        all_of=[_claim_filter(service, sub) for sub in where.AND or []],
        any_of=[_claim_filter(service, sub) for sub in where.OR or []],
    )


def _claims_connection(
    service: ClaimGraph, where: ClaimWhere | None, first: int, after: str | None, deadline: float | None
) -> ClaimConnection:
    page = service.queries.claims_matching(_claim_filter(service, where or ClaimWhere()), first, after, deadline)
    edges = [ClaimEdge(cursor=v.key, node=Claim.of(v)) for v in page.items]
    return ClaimConnection(
        edges=edges,
        page_info=PageInfo(has_next_page=page.next_cursor is not None, end_cursor=edges[-1].cursor if edges else None),
    )


@strawberry.type
class Query:
    @strawberry.field(description="Claims matching `where`, as a Relay connection ordered by key.")
    async def claims(
        self, info: Info[Any, Any], where: ClaimWhere | None = None, first: int = 50, after: str | None = None
    ) -> ClaimConnection:
        service, _ = _ctx(info)
        _page(info, first)
        terms, most = filter_terms(where), service.settings.graphql_max_filter_terms
        if terms > most:
            raise LimitExceededError(f"the filter has {terms} terms (a `where` and its AND/OR entries); at most {most}")
        deadline = info.context.get("deadline")
        return await run_in_threadpool(_claims_connection, service, where, first, after, deadline)

    @strawberry.field
    async def claim(self, info: Info[Any, Any], key: str) -> Claim | None:
        _, loaders = _ctx(info)
        view = await loaders.claims.load(key)
        return Claim.of(view) if view is not None else None

    @strawberry.field(description="Reports, by key (the first `first`).")
    async def reports(self, info: Info[Any, Any], first: int = LIST_PAGE) -> list[Report]:
        service, _ = _ctx(info)
        nodes = await run_in_threadpool(service.queries.nodes_labelled, NodeLabel.REPORT, _page(info, first))
        return [_report(n) for n in nodes]

    @strawberry.field
    async def report(self, info: Info[Any, Any], key: str) -> Report | None:
        _, loaders = _ctx(info)
        node = await loaders.reports.load(key)
        return _report(node) if node is not None else None

    @strawberry.field(description="Papers, by key (the first `first`).")
    async def papers(self, info: Info[Any, Any], first: int = LIST_PAGE) -> list[Paper]:
        service, _ = _ctx(info)
        nodes = await run_in_threadpool(service.queries.nodes_labelled, NodeLabel.PAPER, _page(info, first))
        return [_paper(n) for n in nodes]

    @strawberry.field(description="Claims worth a person's review, highest priority first, each with its reasons.")
    async def review_queue(
        self, info: Info[Any, Any], benchmark: str | None = None, first: int = LIST_PAGE
    ) -> list[QueueEntry]:
        service, _ = _ctx(info)
        items = await run_in_threadpool(lambda: service.reviews.queue(benchmark=benchmark, limit=_page(info, first)))
        return [QueueEntry.of(item) for item in items]

    @strawberry.field
    async def benchmarks(self, info: Info[Any, Any]) -> list[BenchmarkInfo]:
        service, _ = _ctx(info)
        return [BenchmarkInfo.from_pydantic(b) for b in await run_in_threadpool(service.queries.benchmarks)]


class TimeBudget(SchemaExtension):
    """Stops resolving fields once a request has run past its time budget (``graphql_max_seconds``).

    The deadline also goes into the context, so the one long call (a composite claims filter) checks it
    between its terms.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.deadline = 0.0

    def on_operation(self) -> Iterator[None]:
        self.deadline = time.monotonic() + self.seconds
        context = self.execution_context.context
        if isinstance(context, dict):
            context["deadline"] = self.deadline
        yield

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() > self.deadline:
            raise LimitExceededError(f"the request ran past its time budget of {self.seconds:g} s; ask for less")
        return _next(root, info, *args, **kwargs)


class ErrorCodes(SchemaExtension):
    """Every error in a GraphQL response carries ``extensions.code``: a ClaimGraph error its code from the one
    error-policy table (:data:`kg.errors.ERROR_POLICY`, the same code the REST error body gives), a query the
    schema or a limit refuses ``invalid_query``, anything else ``internal_error``."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors or []) if result is not None else []:
            add_code(error)


def add_code(error: GraphQLError) -> None:
    """``extensions.code`` from the error-policy table; kept when already set."""
    if (error.extensions or {}).get("code"):
        return
    original = error.original_error
    if isinstance(original, ClaimGraphError):
        code = original.policy.code
    elif original is None or isinstance(original, GraphQLError):
        code = "invalid_query"
    else:
        code = ERROR_POLICY[ClaimGraphError].code
    error.extensions = {**(error.extensions or {}), "code": code}


class _Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Log only faults: a ClaimGraph error or a refused query (limits, validation) is the user's answer.

        Every error gets its code here too: a query refused while parsing (the token limit) never reaches
        the extensions' operation hook with its result."""
        for error in errors:
            add_code(error)
        unexpected = [
            e for e in errors if e.original_error is not None and not isinstance(e.original_error, ClaimGraphError)
        ]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(limits: GraphQLLimits) -> strawberry.Schema:
    """The schema with its limits; parsing and validation are cached per query text.

    The depth and alias rules are built once, so a repeated query (a dashboard, a script in a
    loop) hits the validation cache; strawberry's own limiters would make new rule classes per
    request and defeat it. Tokens are counted at parse time (the parse cache keys on the limit
    and never caches a failure), and the cost budget is checked per request with its variables.
    """
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    return _Schema(
        query=Query,
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            lambda: AddValidationRules(rules),
            SizedParserCache,  # bounded by the size of what it keeps (strawberry's: by count only)
            SizedValidationCache,
            lambda: CostLimiter(limits.max_cost),  # per request: it reads the variables
            lambda: TimeBudget(limits.max_seconds),
            ErrorCodes,
        ],
    )
