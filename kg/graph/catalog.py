"""Read models for reports, papers, benchmarks and their numbers, assembled from store calls. Pure over inputs.

The API's list and detail endpoints need shapes the claim view does not give: a report with
its assertions, a paper with the reports citing it, the numbers table of a benchmark. Each
function takes nodes and relationships already fetched (by the service, in batched store
calls) and returns pydantic views.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.errors import InputError
from kg.store.base import AssertionPage
from kg.store.views import opt_str
from schemas.graph import Node, Relationship
from schemas.views import (
    AssertionOfReport,
    ClaimView,
    PaperView,
    ReportDetail,
    ReportHeader,
    ReportSummary,
    ResultRow,
)


def report_header(report: Node) -> ReportHeader:
    p = report.props
    return ReportHeader(
        key=report.key,
        title=str(p.get("title") or ""),
        source_name=str(p.get("source_name") or ""),
        date=opt_str(p.get("date")),
        layout=opt_str(p.get("layout")),
    )


def report_summary(report: Node, asserts: list[tuple[Relationship, Node]]) -> ReportSummary:
    return ReportSummary(
        **report_header(report).model_dump(),
        assertions=len(asserts),
        verified=sum(bool(rel.props.get("verified")) for rel, _ in asserts),
    )


def report_detail(
    report: Node,
    page: AssertionPage,
    cites: list[tuple[Relationship, Node]],
    examines: list[tuple[Relationship, Node]],
    limit: int,
) -> ReportDetail:
    """The report with one page of its claims, in row order (the page's counts cover all of them)."""
    p = report.props
    claims = [
        AssertionOfReport(
            claim=claim.key,
            text=str(claim.props.get("text") or ""),
            verified=bool(rel.props.get("verified")),
            confidence=float(c) if isinstance(c := rel.props.get("confidence"), int | float) else 0.0,
            line=int(n) if isinstance(n := rel.props.get("line"), int) else 0,
        )
        for rel, claim in page.rows
    ]
    return ReportDetail(
        **report_header(report).model_dump(),
        assertions=page.total,
        verified=page.verified,
        author=opt_str(p.get("author")),
        examined_title=opt_str(p.get("examined_title")),
        research_question=opt_str(p.get("research_question")),
        claims=claims,
        next_cursor=assertion_cursor(page.next_after),
        limit=limit,
        cites=[paper.key for _, paper in cites],
        examines=[paper.key for _, paper in examines],
    )


def assertion_cursor(after: tuple[int, str] | None) -> str | None:
    """The ``next_cursor`` of a report's page: its last row and relationship key."""
    return f"{after[0]}:{after[1]}" if after is not None else None


def parse_assertion_cursor(cursor: str | None) -> tuple[int, str] | None:
    """What :func:`assertion_cursor` made, or :class:`InputError` for anything else."""
    if cursor is None:
        return None
    row, sep, key = cursor.partition(":")
    if not sep or not row.isdigit() or len(row) > 9:
        raise InputError(f"cursor {cursor!r} is not a `next_cursor` of a report's page")
    return int(row), key


def paper_view(paper: Node, cited_by: Iterable[str] = ()) -> PaperView:
    p = paper.props
    authors = p.get("authors")
    sentences = p.get("abstract_sentences")
    return PaperView(
        key=paper.key,
        source=str(p.get("source") or ""),
        title=opt_str(p.get("title")),
        authors=[str(a) for a in authors] if isinstance(authors, list) else [],
        published=opt_str(p.get("published")),
        abstract=opt_str(p.get("abstract")),
        abstract_sentences=[str(s) for s in sentences] if isinstance(sentences, list) else [],
        url=opt_str(p.get("url")),
        found_by=opt_str(p.get("found_by")),
        cited_by=sorted(cited_by),
    )


def result_rows(benchmark: str, claims: list[ClaimView], cited: dict[str, list[str]]) -> list[ResultRow]:
    """Every (result on ``benchmark``) × (report asserting its claim): the "who reported what" table."""
    rows = [
        ResultRow(
            value=result.value,
            unit=result.unit,
            metric=result.metric,
            kind=result.kind,
            models=claim.models,
            languages=claim.languages,
            claim=claim.key,
            claim_text=claim.text,
            report=assertion.report,
            report_source=assertion.source_name,
            verified=assertion.verified,
            papers=cited.get(assertion.report, []),
        )
        for claim in claims
        for result in claim.results
        if result.benchmark == benchmark
        for assertion in claim.assertions
    ]
    return sorted(rows, key=lambda r: (-r.value, r.report_source, r.claim))
