"""The service layer: what the CLI (and the API) call. Routes and commands hold no queries.

Each operation opens the configured store for just as long as it needs it; read-only
operations open the embedded store without taking the writer lock.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import networkx as nx
import numpy as np
import numpy.typing as npt

from ingest.pipeline import Ingestor, IngestResult, SourceOutcome
from kg.catalog import paper_view, report_detail, report_summary, result_rows
from kg.conflicts import find_conflicts
from kg.errors import InputError, NotFoundError
from kg.gazetteer import EntityKind, Gazetteer
from kg.neighbourhood import benchmark_neighbourhood, claim_neighbourhood
from kg.papers import FoundBy, arxiv_paper_node, cited_keys, paper_node, papers_to_fetch, resolve_examined
from kg.paraphrase import ClaimText, EmbeddingCache, ParaphraseConfig, ParaphraseLink, find_paraphrases
from kg.settings import Settings
from kg.store import GraphStore, open_store
from kg.verify.runner import Progress, VerifyConfig, verify_claims
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType, VerifyScope, WriteSummary
from schemas.paper import ExaminedOutcome, PapersOutcome
from schemas.views import (
    BenchmarkSummary,
    ClaimPage,
    ClaimQuery,
    ClaimView,
    Conflict,
    GraphStats,
    GraphView,
    PaperView,
    ReportDetail,
    ReportSummary,
    ReportVerdict,
    ResultRow,
    SearchHit,
    VerdictFilter,
    VerifySummary,
)


@dataclass(frozen=True)
class IngestRun:
    """Everything one `kg ingest` did: per-file outcomes, paraphrase links, the papers step."""

    files: IngestResult
    paraphrase_links: WriteSummary | None
    papers: PapersOutcome | None


class ClaimGraph:
    """One object per CLI invocation or API app, built from validated settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._gazetteer: Gazetteer | None = None
        self._held: GraphStore | None = None
        self._lock = threading.RLock()
        self.store_opens = 0  # how many times an operation reached the store (the API's DataLoader tests count it)

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.load(self.settings.gazetteer)
        return self._gazetteer

    @contextlib.contextmanager
    def store(self, *, read_only: bool = False) -> Iterator[GraphStore]:
        """The store for one operation: the held one (a long-running server), else opened for just this call."""
        self.store_opens += 1
        if self._held is not None:
            with self._lock:  # one operation at a time on a held store: writers never interleave with readers
                yield self._held
            return
        with open_store(self.settings.store_uri(), read_only=read_only) as store:
            yield store

    @contextlib.contextmanager
    def hold(self) -> Iterator[ClaimGraph]:
        """Open the store once and keep it for every operation until the block ends (used by `kg serve`).

        The embedded store is then opened as the writer: while the server runs, write through it.
        """
        with open_store(self.settings.store_uri()) as store:
            self._held = store
            try:
                yield self
            finally:
                self._held = None

    # -- writes ----------------------------------------------------------------------
    def ingest(
        self,
        paths: list[Path],
        *,
        link_paraphrases: bool = True,
        papers: bool = False,
        offline: bool = False,
        on_file: Callable[[Path, SourceOutcome], None] | None = None,
        on_start: Callable[[int], None] | None = None,
    ) -> IngestRun:
        """Ingest files; then link paraphrases and (``papers=True``) fetch the cited papers."""
        with self.store() as store:
            result = Ingestor(store, self.gazetteer).ingest(paths, on_file=on_file, on_start=on_start)
            links = self._link_paraphrases(store) if link_paraphrases else None
            fetched = self._fetch_papers(store, ids=None, refresh=False, offline=offline) if papers else None
        return IngestRun(files=result, paraphrase_links=links, papers=fetched)

    def link_paraphrases(self) -> WriteSummary:
        with self.store() as store:
            return self._link_paraphrases(store)

    def paraphrase_config(self) -> ParaphraseConfig:
        return ParaphraseConfig(min_cosine=self.settings.paraphrase_threshold, model=self.settings.embedding_model)

    def embed_cached(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Sentence embeddings through the on-disk cache, so re-runs embed only new texts."""
        from kg.embeddings import embed

        model = self.settings.embedding_model
        cache = EmbeddingCache(self.settings.data_dir, model)
        vectors = cache.lookup(texts, lambda missing: embed(missing, model))
        cache.save()
        return vectors

    def _link_paraphrases(self, store: GraphStore) -> WriteSummary:
        config = self.paraphrase_config()
        claims = [
            ClaimText(n.key, str(n.props.get("text", "")), bool(n.props.get("truncated")))
            for n in store.iter_nodes(NodeLabel.CLAIM)
        ]
        links: list[ParaphraseLink] = []
        if len(claims) >= 2:
            vectors = self.embed_cached([c.text for c in claims])
            links = find_paraphrases(claims, vectors, self.gazetteer, config)
        rels = [
            Relationship(
                type=RelType.PARAPHRASE_OF,
                start=NodeRef(label=NodeLabel.CLAIM, key=link.a),
                end=NodeRef(label=NodeLabel.CLAIM, key=link.b),
                props={"score": link.cosine, "overlap": link.overlap, "method": config.method},
            )
            for link in links
        ]
        return store.replace_relationships(RelType.PARAPHRASE_OF, rels)

    @staticmethod
    def migrate(
        source_uri: str, target_uri: str, on_progress: Callable[[str, int], None] | None = None
    ) -> tuple[WriteSummary, GraphStats, GraphStats]:
        """Copy every node and relationship; returns what changed and both stores' counts."""
        from kg.migrate import migrate

        if source_uri == target_uri:
            raise InputError("--from and --to name the same store")
        with open_store(source_uri, read_only=True) as source, open_store(target_uri) as target:
            summary = migrate(source, target, on_progress=on_progress)
            return summary, source.stats(), target.stats()

    # -- verification ----------------------------------------------------------------
    def verify(
        self,
        *,
        claim: str | None = None,
        benchmark: str | None = None,
        scope: VerifyScope | None = None,
        model: str | None = None,
        min_precision: float | None = None,
        force: bool = False,
        progress: Progress | None = None,
    ) -> VerifySummary:
        """Verify the selected claims against their papers; only changed evidence or models are re-scored."""
        from kg.nli.model import model_fingerprint
        from kg.nli.scorer import load_scorer
        from kg.verify.evaluate import load_aggregator

        settings = self.settings
        name = model or settings.nli_model
        backend = settings.nli_backend
        aggregator, aggregator_sha = load_aggregator(settings.verify_aggregator, name)
        config = VerifyConfig(
            model=name,
            backend=backend,
            model_fingerprint=model_fingerprint(name, backend),
            aggregator=aggregator,
            aggregator_sha256=aggregator_sha,
            min_precision=min_precision if min_precision is not None else settings.verify_min_precision,
            scope=scope or settings.verify_scope,
            top_k=settings.verify_top_k,
            force=force,
        )
        query = ClaimQuery(
            benchmark=self.resolve("benchmark", benchmark), keys=[self.claim_key(claim)] if claim else None
        )
        with self.store() as store:
            return verify_claims(
                store,
                query,
                config,
                embed=self.embed_cached,
                load_scorer=lambda: load_scorer(name, backend, settings.data_dir),
                gazetteer=self.gazetteer,
                progress=progress,
            )

    def claim_key(self, key_or_prefix: str) -> str:
        """A claim key from the key or a unique prefix of it (as printed by `kg claims`)."""
        with self.store(read_only=True) as store:
            if store.get_node(NodeRef(label=NodeLabel.CLAIM, key=key_or_prefix)) is not None:
                return key_or_prefix
            found = [n.key for n in store.iter_nodes(NodeLabel.CLAIM) if n.key.startswith(key_or_prefix)]
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFoundError(f"no claim {key_or_prefix!r} (see `kg claims` for keys)")
        raise InputError(f"claim prefix {key_or_prefix!r} is ambiguous: {', '.join(sorted(found)[:5])}…")

    def claim(self, key_or_prefix: str) -> ClaimView:
        return self.find(ClaimQuery(keys=[self.claim_key(key_or_prefix)]))[0]

    # -- papers ----------------------------------------------------------------------
    def fetch_papers(
        self, *, ids: list[str] | None = None, refresh: bool = False, offline: bool = False, found_by: FoundBy = "cited"
    ) -> PapersOutcome:
        """Fetch arXiv metadata for cited (or the given) papers, write it, resolve examined titles."""
        with self.store() as store:
            return self._fetch_papers(store, ids=ids, refresh=refresh, offline=offline, found_by=found_by)

    def _fetch_papers(
        self, store: GraphStore, *, ids: list[str] | None, refresh: bool, offline: bool, found_by: FoundBy = "cited"
    ) -> PapersOutcome:
        from ingest.arxiv_source import ArxivSource, PaperCache

        source = ArxivSource(self.settings, PaperCache(self.settings.data_dir / "arxiv"))
        wanted = ids if ids is not None else papers_to_fetch(store, refresh=refresh)
        fetched = source.fetch(wanted, refresh=refresh, offline=offline)
        cited = cited_keys(store)
        written = WriteSummary()
        records = fetched.records
        for start in range(0, len(records), 100):  # one transaction per batch of whole papers
            nodes = [paper_node(r, "cited" if r.arxiv_id in cited else found_by) for r in records[start : start + 100]]
            written += store.apply(GraphBatch(source="arxiv metadata", nodes=nodes))
        resolved = resolve_examined(store, None if offline else source.search_title)
        return PapersOutcome(
            requested=len(wanted),
            fetched=[r.arxiv_id for r in fetched.fetched],
            from_cache=[r.arxiv_id for r in fetched.cached],
            missing=fetched.missing,
            failed=fetched.failed,
            errors=list(dict.fromkeys(fetched.errors + [r.error for r in resolved.resolutions if r.error])),
            http_requests=source.requests,
            written=written,
            examined=[
                ExaminedOutcome(title=r.title, reports=r.reports, paper=r.paper, how=r.how)
                for r in resolved.resolutions
            ],
        )

    def add_papers(self, ids: list[str], *, offline: bool = False) -> PapersOutcome:
        """Add papers by hand (arXiv ids, version optional) and fetch their metadata."""
        from kg.graph_builder import split_arxiv_id

        keys = [split_arxiv_id(raw)[0] for raw in ids]
        with self.store() as store:
            store.apply(GraphBatch(source="kg papers add", nodes=[arxiv_paper_node(k) for k in keys]))
            return self._fetch_papers(store, ids=keys, refresh=False, offline=offline, found_by="added")

    def import_papers(self, path: Path) -> PapersOutcome:
        """Paper metadata from a ``.jsonl`` file of arXiv records (as `kg papers fetch` would cache them)."""
        from ingest.arxiv_source import PaperCache
        from ingest.papers_jsonl import parse_papers_jsonl

        if not path.is_file():
            raise InputError(f"{path} is not a file")
        records = parse_papers_jsonl(path.read_text(encoding="utf-8"), path.name)
        cache = PaperCache(self.settings.data_dir / "arxiv")
        with self.store() as store:
            cited = cited_keys(store)
            nodes = [paper_node(r, "cited" if r.arxiv_id in cited else "added") for r in records]
            written = store.apply(GraphBatch(source=f"papers from {path.name}", nodes=nodes))
            for record in records:  # cached too, so `kg papers fetch` does not ask arXiv for them again
                cache.put(record)
            resolved = resolve_examined(store, None)
        return PapersOutcome(
            requested=len(records),
            fetched=[],
            from_cache=[],
            imported=[r.arxiv_id for r in records],
            missing=[],
            failed=[],
            errors=[],
            http_requests=0,
            written=written,
            examined=[
                ExaminedOutcome(title=r.title, reports=r.reports, paper=r.paper, how=r.how)
                for r in resolved.resolutions
            ],
        )

    def papers(self) -> list[Node]:
        return self.nodes_labelled(NodeLabel.PAPER)

    def nodes_labelled(self, label: NodeLabel) -> list[Node]:
        """Every node with ``label``, sorted by key."""
        with self.store(read_only=True) as store:
            return list(store.iter_nodes(label))

    # -- reads -----------------------------------------------------------------------
    def resolve(self, kind: EntityKind, name: str | None) -> str | None:
        """Canonical name for a filter value; unknown names are an error, not an empty result."""
        if name is None:
            return None
        entry = self.gazetteer.resolve(kind, name)
        if entry is not None:
            return entry.key
        with self.store(read_only=True) as store:
            label = {
                "benchmark": NodeLabel.BENCHMARK,
                "model": NodeLabel.MODEL,
                "language": NodeLabel.LANGUAGE,
            }[kind]
            if store.get_node(NodeRef(label=label, key=name)) is not None:
                return name
        known = ", ".join(e.key for e in self.gazetteer.entries(kind))
        raise InputError(f"unknown {kind} {name!r}; known {kind}s: {known}")

    def stats(self) -> GraphStats:
        with self.store(read_only=True) as store:
            return store.stats()

    def claims(
        self,
        *,
        benchmark: str | None = None,
        language: str | None = None,
        model: str | None = None,
        report_verdict: ReportVerdict | None = None,
        verdict: VerdictFilter | None = None,
    ) -> list[ClaimView]:
        return self.find(
            self.query(
                benchmark=benchmark, language=language, model=model, report_verdict=report_verdict, verdict=verdict
            )
        )

    def claim_graph(self, key_or_prefix: str) -> GraphView:
        """A claim's neighbourhood (reports, entities, results, paraphrases, verdict, evidence papers)."""
        return claim_neighbourhood(self.claim(key_or_prefix))

    def benchmark_graph(self, name: str, limit: int = 40) -> GraphView:
        """A benchmark with up to ``limit`` of its claims and their neighbourhoods."""
        canonical = self.resolve("benchmark", name)
        assert canonical is not None
        views = self.find(ClaimQuery(benchmark=canonical, limit=limit + 1))
        return benchmark_neighbourhood(canonical, views, limit)

    def find(self, query: ClaimQuery) -> list[ClaimView]:
        """Claims matching a query whose names are already canonical (see :meth:`query`)."""
        with self.store(read_only=True) as store:
            return store.find_claims(query)

    def _resolve_model(self, model: str | None) -> str | None:
        if model is None:
            return None
        entry = self.gazetteer.resolve("model", model)
        if entry is not None and entry.family == entry.name:
            return entry.family  # a family name matches every size of it
        return self.resolve("model", model)

    def claims_page(self, query: ClaimQuery, limit: int) -> ClaimPage:
        """A page of claims after ``query.after``; the filter names must already be canonical (see :meth:`query`)."""
        found = self.find(query.model_copy(update={"limit": limit + 1}))
        more = len(found) > limit
        items = found[:limit]
        return ClaimPage(items=items, next_cursor=items[-1].key if more and items else None, limit=limit)

    def query(
        self,
        *,
        benchmark: str | None = None,
        language: str | None = None,
        model: str | None = None,
        report_verdict: ReportVerdict | None = None,
        verdict: VerdictFilter | None = None,
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
            text_contains=text_contains,
            after=after,
            descending=descending,
        )

    def claims_by_key(self, keys: list[str]) -> dict[str, ClaimView]:
        return {v.key: v for v in self.find(ClaimQuery(keys=keys))}

    def related(
        self, refs: list[NodeRef], rel_type: RelType, direction: Literal["out", "in"]
    ) -> dict[NodeRef, list[tuple[Relationship, Node]]]:
        with self.store(read_only=True) as store:
            return store.related(refs, rel_type, direction)

    def nodes(self, refs: list[NodeRef]) -> dict[NodeRef, Node | None]:
        with self.store(read_only=True) as store:
            return {ref: store.get_node(ref) for ref in refs}

    def reports(self) -> list[ReportSummary]:
        with self.store(read_only=True) as store:
            reports = list(store.iter_nodes(NodeLabel.REPORT))
            asserts = store.related([r.ref for r in reports], RelType.ASSERTS, "out")
        return [report_summary(r, asserts[r.ref]) for r in reports]

    def report(self, key: str) -> ReportDetail:
        ref = NodeRef(label=NodeLabel.REPORT, key=key)
        with self.store(read_only=True) as store:
            node = store.get_node(ref)
            if node is None:
                raise NotFoundError(f"no report {key!r}")
            parts = [store.related([ref], t, "out")[ref] for t in (RelType.ASSERTS, RelType.CITES, RelType.EXAMINES)]
        return report_detail(node, *parts)

    def paper_views(self) -> list[PaperView]:
        with self.store(read_only=True) as store:
            papers = list(store.iter_nodes(NodeLabel.PAPER))
            citing = store.related([p.ref for p in papers], RelType.CITES, "in")
        return [paper_view(p, [r.key for _, r in citing[p.ref]]) for p in papers]

    def paper(self, key: str) -> PaperView:
        ref = NodeRef(label=NodeLabel.PAPER, key=key)
        with self.store(read_only=True) as store:
            node = store.get_node(ref)
            if node is None:
                raise NotFoundError(f"no paper {key!r}")
            citing = store.related([ref], RelType.CITES, "in")[ref]
        return paper_view(node, [r.key for _, r in citing])

    def benchmarks(self) -> list[BenchmarkSummary]:
        with self.store(read_only=True) as store:
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
        with self.store(read_only=True) as store:
            claims = store.find_claims(ClaimQuery(benchmark=benchmark))
            reports = sorted(
                {NodeRef(label=NodeLabel.REPORT, key=a.report) for c in claims for a in c.assertions},
                key=lambda r: r.key,
            )
            cites = store.related(reports, RelType.CITES, "out")
        cited = {ref.key: [p.key for _, p in rows] for ref, rows in cites.items()}
        return result_rows(benchmark, claims, cited)

    def search(self, text: str, limit: int = 10) -> list[SearchHit]:
        """Claims nearest in meaning to ``text`` (sentence-transformers cosine, embeddings cached on disk)."""
        from kg.embeddings import embed

        with self.store(read_only=True) as store:
            claims = [(n.key, str(n.props.get("text", ""))) for n in store.iter_nodes(NodeLabel.CLAIM)]
        if not claims:
            return []
        vectors = self.embed_cached([t for _, t in claims])
        query = embed([text], self.settings.embedding_model)[0]
        scores = vectors @ query
        best = np.argsort(-scores, kind="stable")[:limit]
        return [SearchHit(claim=claims[i][0], text=claims[i][1], score=round(float(scores[i]), 4)) for i in best]

    def delete_report(self, key: str) -> WriteSummary:
        """Remove a report, its assertions, and whatever only it kept in the graph."""
        from kg.orphans import orphans_after_deleting

        ref = NodeRef(label=NodeLabel.REPORT, key=key)
        with self.store() as store:
            if store.get_node(ref) is None:
                raise NotFoundError(f"no report {key!r}")
            doomed = orphans_after_deleting(store, ref)
            return store.apply(GraphBatch(source=f"delete report {key}", delete_nodes=[ref, *doomed]))

    def conflicts(self) -> list[Conflict]:
        with self.store(read_only=True) as store:
            return find_conflicts(store.find_claims(ClaimQuery()))

    def paraphrases(self) -> list[Relationship]:
        with self.store(read_only=True) as store:
            return list(store.iter_relationships(RelType.PARAPHRASE_OF))

    def export(self, fmt: Literal["graphml", "json"], target: Path) -> GraphStats:
        with self.store(read_only=True) as store:
            graph = nx.MultiDiGraph()
            for label in NodeLabel:
                for node in store.iter_nodes(label):
                    graph.add_node(f"{label}:{node.key}", label=label.value, key=node.key, **node.props)
            for rel_type in RelType:
                for rel in store.iter_relationships(rel_type):
                    graph.add_edge(
                        f"{rel.start.label}:{rel.start.key}",
                        f"{rel.end.label}:{rel.end.key}",
                        key=f"{rel.type}:{rel.key}",
                        type=rel.type.value,
                        **rel.props,
                    )
            stats = store.stats()
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "json":
            data = nx.node_link_data(graph, edges="relationships")
            target.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        else:
            nx.write_graphml(_graphml_safe(graph), target)
        return stats


def _graphml_safe(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """GraphML holds scalars only: lists become JSON strings, None is left out."""
    safe = nx.MultiDiGraph()

    def clean(attrs: dict[str, object]) -> dict[str, object]:
        return {
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
            for k, v in attrs.items()
            if v is not None
        }

    for node, attrs in graph.nodes(data=True):
        safe.add_node(node, **clean(attrs))
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        safe.add_edge(u, v, key=key, **clean(attrs))
    return safe
