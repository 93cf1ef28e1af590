"""Reads: every question the CLI, REST and GraphQL ask of the graph, answered as read views.

Filter names are resolved through the gazetteer here, once, so an unknown benchmark is an
:class:`~kg.errors.InputError` rather than an empty answer.
"""

from __future__ import annotations

import itertools
import time
from typing import Literal, TypedDict, Unpack, get_args

from claimgraph.services.workspace import Workspace
from kg.errors import InputError, LimitExceededError, NotFoundError
from kg.extraction.gazetteer import EntityKind
from kg.graph.catalog import parse_assertion_cursor, report_detail, report_summary, result_rows
from kg.graph.neighbourhood import benchmark_neighbourhood, claim_neighbourhood
from schemas.graph import Node, NodeLabel, NodeRef, Relationship, RelType
from schemas.views import (
    BenchmarkSummary,
    ClaimFilter,
    ClaimPage,
    ClaimQuery,
    ClaimStatus,
    ClaimView,
    Conflict,
    GraphStats,
    GraphView,
    ReportDetail,
    ReportSummary,
    ReportVerdict,
    ResultRow,
    SearchHit,
    VerdictFilter,
)


def verdict_filter(verdict: str | None, *, verified: bool = False, name: str = "verdict") -> VerdictFilter | None:
    """The verifier filter from its value (any case) and the ``verified`` shorthand (= SUPPORTED)."""
    chosen: str | None = None
    if verdict is not None:
        allowed = {v.casefold(): v for v in get_args(VerdictFilter)}
        chosen = allowed.get(verdict.strip().casefold())
        if chosen is None:
            raise InputError(f"{name} must be one of {', '.join(allowed.values())}, not {verdict!r}")
    if verified:
        if chosen not in (None, "SUPPORTED"):
            raise InputError(f"verified (= the verifier found SUPPORTED) cannot be combined with {name} {chosen}")
        chosen = "SUPPORTED"
    return chosen  # type: ignore[return-value]


def status_filter(status: str | None, *, name: str = "status") -> ClaimStatus | None:
    """A claim status from its value in any case; an unknown one names the allowed values."""
    if status is None:
        return None
    allowed: dict[str, ClaimStatus] = {v.casefold(): v for v in get_args(ClaimStatus)}
    chosen = allowed.get(status.strip().casefold())
    if chosen is None:
        raise InputError(f"{name} must be one of {', '.join(allowed.values())}, not {status!r}")
    return chosen


class ClaimFilters(TypedDict, total=False):
    """What :meth:`QueryService.query` takes, for the calls that pass it through."""

    benchmark: str | None
    language: str | None
    model: str | None
    report_verdict: ReportVerdict | None
    verdict: VerdictFilter | None
    status: ClaimStatus | None
    text_contains: str | None
    after: str | None
    descending: bool


#: claims per page of a report when the caller does not say (the sample reports have at most 31)
REPORT_PAGE = 200

_ENTITY_LABEL = {"benchmark": NodeLabel.BENCHMARK, "model": NodeLabel.MODEL, "language": NodeLabel.LANGUAGE}


class QueryService:
    """Claims, reports, benchmarks, conflicts, search: the read side of ClaimGraph."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- names and keys ----------------------------------------------------------------
    def resolve(self, kind: EntityKind, name: str | None) -> str | None:
        """Canonical name for a filter value; unknown names are an error, not an empty result."""
        if name is None:
            return None
        gazetteer = self._ws.gazetteer
        entry = gazetteer.resolve(kind, name)
        if entry is not None:
            return entry.key
        with self._ws.store(read_only=True) as store:
            if store.get_node(NodeRef(label=_ENTITY_LABEL[kind], key=name)) is not None:
                return name
        known = ", ".join(e.key for e in gazetteer.entries(kind))
        raise InputError(f"unknown {kind} {name!r}; known {kind}s: {known}")

    def _resolve_model(self, model: str | None) -> str | None:
        return None if model is None else self.model_match(model)[0]

    def model_match(self, model: str) -> tuple[str, str]:
        """The canonical model filter for a typed name, and what it matches, in words.

        A family name matches every size of it; a sized name the gazetteer does not know
        ("mT5-XXL") matches its family ("mT5") rather than failing; families whose names merely
        contain the typed one (mBERT, RemBERT for "BERT") are named but not included.
        """
        gazetteer = self._ws.gazetteer
        entry = gazetteer.resolve("model", model)
        if entry is None:
            from kg.extraction.entities import extract

            entries = [gazetteer.resolve("model", m) for m in extract(model, gazetteer).models]
            family = {e.family or e.name for e in entries if e is not None}
            if len(family) != 1:
                return self.resolve("model", model) or model, f"model {model!r}"
            name = family.pop()
            return name, f"model {model!r} is not in the gazetteer: matching its family {name} (every size)"
        if entry.family != entry.name:
            return self.resolve("model", model) or entry.key, f"model {model!r}: {entry.name} only"
        sizes = sorted(e.name for e in gazetteer.entries("model") if e.family == entry.family)
        related = sorted(
            e.name
            for e in gazetteer.entries("model")
            if e.family == e.name and e.name != entry.name and entry.name.casefold() in e.name.casefold()
        )
        note = f"model {model!r}: the {entry.family} family ({', '.join(sizes)})"
        if related:
            note += f"; not included: {', '.join(related)} (ask for them by name)"
        return entry.family or entry.name, note

    def claim_key(self, key_or_prefix: str) -> str:
        """A claim key from the key or a unique prefix of it (as printed by `kg claims`)."""
        with self._ws.store(read_only=True) as store:
            if store.get_node(NodeRef(label=NodeLabel.CLAIM, key=key_or_prefix)) is not None:
                return key_or_prefix
            found = [n.key for n in store.iter_nodes(NodeLabel.CLAIM) if n.key.startswith(key_or_prefix)]
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFoundError(f"no claim {key_or_prefix!r} (see `kg claims` for keys)")
        raise InputError(f"claim prefix {key_or_prefix!r} is ambiguous: {', '.join(sorted(found)[:5])}…")

    def query(
        self,
        *,
        benchmark: str | None = None,
        language: str | None = None,
        model: str | None = None,
        report_verdict: ReportVerdict | None = None,
        verdict: VerdictFilter | None = None,
        status: ClaimStatus | None = None,
        text_contains: str | None = None,
        after: str | None = None,
        descending: bool = False,
    ) -> ClaimQuery:
        """A claim query with entity names resolved through the gazetteer (unknown names are an InputError)."""
        return ClaimQuery(
            benchmark=self.resolve("benchmark", benchmark),
            language=self.resolve("language", language),
            model=self._resolve_model(model),
            report_verdict=report_verdict,
            verdict=verdict,
            status=status,
            text_contains=text_contains,
            after=after,
            descending=descending,
        )

    # -- claims --------------------------------------------------------------------------
    def find(self, query: ClaimQuery) -> list[ClaimView]:
        """Claims matching a query whose names are already canonical (see :meth:`query`)."""
        with self._ws.store(read_only=True) as store:
            return store.find_claims(query)

    def claims(self, **filters: Unpack[ClaimFilters]) -> list[ClaimView]:
        """Claims matching entity names as a user types them (see :meth:`query`)."""
        return self.find(self.query(**filters))

    def claim(self, key_or_prefix: str) -> ClaimView:
        return self.find(ClaimQuery(keys=[self.claim_key(key_or_prefix)]))[0]

    def claims_page(self, query: ClaimQuery, limit: int) -> ClaimPage:
        """A page of claims after ``query.after``; the filter names must already be canonical (see :meth:`query`)."""
        found = self.find(query.model_copy(update={"limit": limit + 1}))
        more = len(found) > limit
        items = found[:limit]
        return ClaimPage(items=items, next_cursor=items[-1].key if more and items else None, limit=limit)

    def claims_matching(
        self, where: ClaimFilter, limit: int, after: str | None = None, deadline: float | None = None
    ) -> ClaimPage:
        """A page of claims matching a composite filter (names already canonical), after the cursor ``after``.

        ``deadline`` (a :func:`time.monotonic` value) is checked before each filter term is evaluated.
        """
        if not where.all_of and not where.any_of:
            return self.claims_page(where.query.model_copy(update={"after": after}), limit)
        keys = sorted(k for k in self._matching_keys(where, deadline) if after is None or k > after)
        found = self.claims_by_key(keys[:limit])
        items = [found[k] for k in keys[:limit] if k in found]
        more = len(keys) > limit
        return ClaimPage(items=items, next_cursor=items[-1].key if more and items else None, limit=limit)

    def _matching_keys(self, where: ClaimFilter, deadline: float | None) -> set[str]:
        if deadline is not None and time.monotonic() > deadline:
            raise LimitExceededError("the claims filter took longer than the request's time budget; use fewer terms")
        keys = {v.key for v in self.find(where.query)}
        for sub in where.all_of:
            keys &= self._matching_keys(sub, deadline)
        if where.any_of:
            keys &= set().union(*(self._matching_keys(sub, deadline) for sub in where.any_of))
        return keys

    def claims_by_key(self, keys: list[str]) -> dict[str, ClaimView]:
        return {v.key: v for v in self.find(ClaimQuery(keys=keys))}

    def claim_graph(self, key_or_prefix: str) -> GraphView:
        """A claim's neighbourhood (reports and the papers they cite, entities, results, paraphrases, verdict,
        evidence papers)."""
        view = self.claim(key_or_prefix)
        refs = [NodeRef(label=NodeLabel.REPORT, key=a.report) for a in view.assertions]
        with self._ws.store(read_only=True) as store:
            cites = store.relationships_of(refs, RelType.CITES, "out") if refs else {}
        cited = {ref.key: [rel.end.key for rel in rels] for ref, rels in cites.items()}
        return claim_neighbourhood(view, cited)

    def benchmark_graph(self, name: str, limit: int = 40) -> GraphView:
        """A benchmark with up to ``limit`` of its claims and their neighbourhoods."""
        canonical = self.resolve("benchmark", name)
        assert canonical is not None
        views = self.find(ClaimQuery(benchmark=canonical, limit=limit + 1))
        return benchmark_neighbourhood(canonical, views, limit)

    def conflicts(self) -> list[Conflict]:
        with self._ws.store(read_only=True) as store:
            from kg.graph.conflicts import find_conflicts  # the verifier's aggregation: not loaded for plain queries

            return find_conflicts(store.find_claims(ClaimQuery()))

    def paraphrases(self) -> list[Relationship]:
        with self._ws.store(read_only=True) as store:
            return list(store.iter_relationships(RelType.PARAPHRASE_OF))

    def search(self, text: str, limit: int = 10) -> list[SearchHit]:
        """Claims nearest in meaning to ``text`` (sentence-transformers cosine, embeddings cached on disk)."""
        from kg.paraphrase.embeddings import embed

        with self._ws.store(read_only=True) as store:
            claims = [(n.key, str(n.props.get("text", ""))) for n in store.iter_nodes(NodeLabel.CLAIM)]
        if not claims:
            return []
        vectors = self._ws.embed_cached([t for _, t in claims])
        query = embed([text], self._ws.settings.embedding_model)[0]
        scores = vectors @ query
        import numpy as np  # loaded only for similarity search: it costs a cold `kg claims` 0.1 s

        best = np.argsort(-scores, kind="stable")[:limit]
        return [SearchHit(claim=claims[i][0], text=claims[i][1], score=round(float(scores[i]), 4)) for i in best]

    # -- nodes, reports, benchmarks ---------------------------------------------------------
    def stats(self) -> GraphStats:
        with self._ws.store(read_only=True) as store:
            return store.stats()

    def nodes_labelled(self, label: NodeLabel, limit: int | None = None) -> list[Node]:
        """Nodes with ``label``, sorted by key: all of them, or the first ``limit``."""
        with self._ws.store(read_only=True) as store:
            return list(itertools.islice(store.iter_nodes(label), limit))

    def nodes(self, refs: list[NodeRef]) -> dict[NodeRef, Node | None]:
        """Nodes by reference, in one batched store call (the GraphQL DataLoaders' read)."""
        with self._ws.store(read_only=True) as store:
            return store.get_nodes(refs)

    def related(
        self, refs: list[NodeRef], rel_type: RelType, direction: Literal["out", "in"]
    ) -> dict[NodeRef, list[tuple[Relationship, Node]]]:
        with self._ws.store(read_only=True) as store:
            return store.related(refs, rel_type, direction)

    def reports(self) -> list[ReportSummary]:
        with self._ws.store(read_only=True) as store:
            reports = list(store.iter_nodes(NodeLabel.REPORT))
            asserts = store.related([r.ref for r in reports], RelType.ASSERTS, "out")
        return [report_summary(r, asserts[r.ref]) for r in reports]

    def report(self, key: str, *, cursor: str | None = None, limit: int = REPORT_PAGE) -> ReportDetail:
        """The report and one page of its claims: a 50,000-row report was 7.8 MB in one answer."""
        ref = NodeRef(label=NodeLabel.REPORT, key=key)
        after = parse_assertion_cursor(cursor)
        with self._ws.store(read_only=True) as store:
            node = store.get_node(ref)
            if node is None:
                raise NotFoundError(f"no report {key!r}")
            page = store.assertions_page(ref, after=after, limit=limit)
            cites, examines = (store.related([ref], t, "out")[ref] for t in (RelType.CITES, RelType.EXAMINES))
        return report_detail(node, page, cites, examines, limit)

    def report_claim_keys(self, wanted: list[tuple[str, int]]) -> list[list[str]]:
        """For each (report key, n): the keys of the report's first n claims in row order, one store call."""
        first = max((n for _, n in wanted), default=0)
        with self._ws.store(read_only=True) as store:
            found = store.first_claims_of_reports(sorted({key for key, _ in wanted}), first)
        return [found[key][:n] for key, n in wanted]

    def benchmarks(self) -> list[BenchmarkSummary]:
        with self._ws.store(read_only=True) as store:
            nodes = list(store.iter_nodes(NodeLabel.BENCHMARK))
            about = store.related([n.ref for n in nodes], RelType.ABOUT, "in")
            on = store.related([n.ref for n in nodes], RelType.ON, "in")
        return [
            BenchmarkSummary(
                name=n.key,
                claims=sum(o.label == NodeLabel.CLAIM for _, o in about[n.ref]),
                results=len(on[n.ref]),
            )
            for n in nodes
        ]

    def benchmark_results(self, name: str) -> list[ResultRow]:
        benchmark = self.resolve("benchmark", name)
        assert benchmark is not None
        with self._ws.store(read_only=True) as store:
            claims = store.find_claims(ClaimQuery(benchmark=benchmark))
            reports = sorted(
                {NodeRef(label=NodeLabel.REPORT, key=a.report) for c in claims for a in c.assertions},
                key=lambda r: r.key,
            )
            cites = store.related(reports, RelType.CITES, "out")
        cited = {ref.key: [p.key for _, p in rows] for ref, rows in cites.items()}
        return result_rows(benchmark, claims, cited)
