"""Assemble :class:`ClaimView` read models from any store that can walk its own graph.

Backends hand in three accessors (node by id, outgoing and incoming edges), so the filter
semantics of ``kg claims`` are written once; the contract suite then checks that every
backend gives the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from kg.review.records import review_view
from schemas.graph import Node, NodeLabel, PropValue, RelType, VerdictNode
from schemas.review import ReviewView
from schemas.views import (
    AssertionView,
    ClaimQuery,
    ClaimView,
    EvidenceView,
    NumericCheckView,
    ParaphraseView,
    ReportVerdict,
    ResultView,
    VerdictView,
    report_verdict_of,
)

if TYPE_CHECKING:
    import networkx as nx

Edge = tuple[str, str, dict[str, PropValue], str]  # (type, other node id, props, rel key)


def _str(value: PropValue) -> str:
    return "" if value is None else str(value)


def opt_str(value: PropValue) -> str | None:
    """A string property, or None when it is absent or not a string."""
    return value if isinstance(value, str) else None


def _float(value: PropValue) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _int(value: PropValue) -> int:
    return int(value) if isinstance(value, int | float) else 0


def build_claim_views(
    claim_ids: Iterable[str],
    query: ClaimQuery,
    *,
    node: Callable[[str], Node],
    out: Callable[[str], Iterator[Edge]],
    inc: Callable[[str], Iterator[Edge]],
) -> list[ClaimView]:
    """The views of the claims that match, reading ``claim_ids`` only until the page is full.

    ``claim_ids`` must come in the page's order (by key, ``query.descending`` reversing it):
    the caller owns the order, so a store with a sorted index need not sort on every request.
    """
    views: list[ClaimView] = []
    needle = query.text_contains.casefold() if query.text_contains else None
    for cid in claim_ids:
        if query.limit is not None and len(views) >= query.limit:
            break
        claim = node(cid)
        if claim.label != NodeLabel.CLAIM:
            continue
        if query.after is not None and (claim.key <= query.after if not query.descending else claim.key >= query.after):
            continue
        if needle is not None and needle not in _str(claim.props.get("text")).casefold():
            continue
        incoming = list(inc(cid))
        if query.report_verdict is not None and not _reports_say(incoming, query.report_verdict):
            continue  # decided from the ✓/× marks alone, before building anything
        paraphrases: list[ParaphraseView] = []
        assertions: list[AssertionView] = []
        reviews: list[ReviewView] = []
        text = _str(claim.props.get("text"))
        for rel_type, other_id, props, _ in incoming:
            if rel_type == RelType.REVIEWS:
                reviews.append(review_view(node(other_id), text))
            elif rel_type == RelType.PARAPHRASE_OF:
                paraphrases.append(_paraphrase(node(other_id), props))
            elif rel_type == RelType.ASSERTS:
                report = node(other_id)
                assertions.append(
                    AssertionView(
                        report=report.key,
                        report_title=_str(report.props.get("title")),
                        source_name=_str(report.props.get("source_name")),
                        verified=bool(props.get("verified")),
                        confidence=_float(props.get("confidence")),
                        row=_int(props.get("row")),
                        line=_int(props.get("line")),
                        text_as_written=_str(props.get("text_as_written")),
                    )
                )
        benchmarks: list[str] = []
        languages: list[str] = []
        models: list[tuple[str, str]] = []
        results: list[ResultView] = []
        verdict: VerdictView | None = None
        for rel_type, other_id, props, _ in out(cid):
            other = node(other_id)
            if rel_type == RelType.ABOUT:
                benchmarks.append(other.key)
            elif rel_type == RelType.MENTIONS and other.label == NodeLabel.LANGUAGE:
                languages.append(other.key)
            elif rel_type == RelType.MENTIONS and other.label == NodeLabel.MODEL:
                models.append((other.key, _str(other.props.get("family"))))
            elif rel_type == RelType.REPORTS:
                p = other.props
                results.append(
                    ResultView(
                        value=_float(p.get("value")),
                        unit=opt_str(p.get("unit")),
                        metric=opt_str(p.get("metric")),
                        kind=_str(p.get("kind")),
                        benchmark=opt_str(p.get("benchmark")),
                        text=_str(p.get("text")),
                    )
                )
            elif rel_type == RelType.PARAPHRASE_OF:
                paraphrases.append(_paraphrase(other, props))
            elif rel_type == RelType.HAS_VERDICT:
                verdict = verdict_view(other)
        view = ClaimView(
            key=claim.key,
            text=_str(claim.props.get("text")),
            truncated=bool(claim.props.get("truncated")),
            benchmarks=sorted(benchmarks),
            languages=sorted(languages),
            models=sorted(name for name, _ in models),
            results=sorted(results, key=lambda r: (r.benchmark or "", r.value, r.text)),
            assertions=sorted(assertions, key=lambda a: (a.source_name, a.report, a.row)),
            paraphrases=sorted(paraphrases, key=lambda p: p.claim),
            verdict=verdict,
            reviews=sorted(reviews, key=lambda r: (r.reviewed_at, r.key), reverse=True),
        )
        if _matches(view, query, {family for _, family in models}):
            views.append(view)
    return sorted(views, key=lambda v: v.key, reverse=query.descending)


def claim_views_from_graph(
    graph: nx.MultiDiGraph, claim_ids: Iterable[str], query: ClaimQuery, node: Callable[[str], Node]
) -> list[ClaimView]:
    """Views over a networkx graph whose edges carry ``type``, ``props`` and ``rkey`` attributes."""

    def out(nid: str) -> Iterator[Edge]:
        for _, target, data in graph.out_edges(nid, data=True):
            yield data["type"], target, data["props"], data["rkey"]

    def inc(nid: str) -> Iterator[Edge]:
        for source, _, data in graph.in_edges(nid, data=True):
            yield data["type"], source, data["props"], data["rkey"]

    return build_claim_views(claim_ids, query, node=node, out=out, inc=inc)


def verdict_view(node: Node) -> VerdictView:
    """Rebuild the verdict (evidence lists zipped back into rows) from a stored Verdict node."""
    v = VerdictNode.model_validate({"key": node.key, **node.props})
    evidence = [
        EvidenceView(paper=p, index=i, sentence=s, retrieval=r, entailment=e, neutral=n, contradiction=c)
        for p, i, s, r, e, n, c in zip(
            v.evidence_papers,
            v.evidence_indices,
            v.evidence_sentences,
            v.evidence_retrieval,
            v.evidence_entailment,
            v.evidence_neutral,
            v.evidence_contradiction,
            strict=True,
        )
    ]
    return VerdictView(
        verdict=v.verdict,
        score=v.score,
        decided_by=v.decided_by,
        scope=v.scope,
        model=v.model,
        model_sha256=v.model_sha256,
        backend=v.backend,
        threshold_support=v.threshold_support,
        threshold_refute=v.threshold_refute,
        verified_at=v.verified_at,
        evidence=evidence,
        numeric=NumericCheckView(
            status=v.numeric_status, detail=v.numeric_detail, paper=v.numeric_paper, index=v.numeric_index
        ),
        reason=v.reason,
        probabilities=None
        if v.probability_supported is None
        else {
            "SUPPORTED": v.probability_supported,
            "NOT_ENOUGH_INFO": v.probability_nei or 0.0,
            "REFUTED": v.probability_refuted or 0.0,
        },
        min_precision=v.min_precision,
    )


def _paraphrase(other: Node, props: dict[str, PropValue]) -> ParaphraseView:
    return ParaphraseView(
        claim=other.key,
        text=_str(other.props.get("text")),
        score=_float(props.get("score")),
        method=_str(props.get("method")),
    )


def _reports_say(incoming: list[Edge], wanted: ReportVerdict) -> bool:
    marks = {bool(props.get("verified")) for rel_type, _, props, _ in incoming if rel_type == RelType.ASSERTS}
    return bool(marks) and report_verdict_of(marks) == wanted


def _matches(view: ClaimView, query: ClaimQuery, families: set[str]) -> bool:
    if query.benchmark is not None and query.benchmark not in view.benchmarks:
        return False
    if query.language is not None and query.language not in view.languages:
        return False
    if query.model is not None and query.model not in view.models and query.model not in families:
        return False
    if query.verdict is not None:
        label = view.verdict.verdict if view.verdict is not None else "unchecked"
        if label != query.verdict:
            return False
    if query.status is not None and view.status != query.status:
        return False
    return query.report_verdict is None or (bool(view.assertions) and view.report_verdict == query.report_verdict)
