"""Papers: arXiv metadata in, paper views out. The one service that writes or reads Paper nodes.

Metadata comes from the arXiv API (:mod:`ingest.arxiv_source`, cached on disk) or from a
``.jsonl`` of recorded records (:mod:`ingest.papers_jsonl`); the node shapes and the
examined-title resolution are pure functions in :mod:`kg.graph.papers`.
"""

from __future__ import annotations

from pathlib import Path

from claimgraph.services.workspace import Workspace
from ingest.arxiv_source import ArxivSource, PaperCache
from ingest.papers_jsonl import parse_papers_jsonl
from kg.errors import InputError, NotFoundError
from kg.graph.builder import split_arxiv_id
from kg.graph.catalog import paper_view
from kg.graph.papers import (
    FoundBy,
    ResolveReport,
    arxiv_paper_node,
    paper_node,
    papers_to_fetch,
    resolve_examined,
)
from kg.store import GraphStore
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, RelType, WriteSummary
from schemas.paper import ExaminedOutcome, PaperRecord, PapersOutcome
from schemas.views import PaperView

WRITE_BATCH = 100  # papers per transaction: whole papers, never half of one


def _examined(resolved: ResolveReport) -> list[ExaminedOutcome]:
    return [ExaminedOutcome(title=r.title, reports=r.reports, paper=r.paper, how=r.how) for r in resolved.resolutions]


class PaperService:
    """Fetch, add, import and list papers."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def _cache(self) -> PaperCache:
        return PaperCache(self._ws.settings.data_dir / "arxiv")

    def fetch(
        self, *, ids: list[str] | None = None, refresh: bool = False, offline: bool = False, found_by: FoundBy = "cited"
    ) -> PapersOutcome:
        """Fetch arXiv metadata for cited (or the given) papers, write it, resolve examined titles."""
        with self._ws.store() as store:
            return self.fetch_into(store, ids=ids, refresh=refresh, offline=offline, found_by=found_by)

    def fetch_into(
        self,
        store: GraphStore,
        *,
        ids: list[str] | None,
        refresh: bool,
        offline: bool,
        found_by: FoundBy = "cited",
        among: list[str] | None = None,
    ) -> PapersOutcome:
        """:meth:`fetch` on a store the caller already holds. ``among``: the papers an ingest's files cite or
        examine, the only ones it fetches and resolves (``kg papers fetch`` catches up on the whole store)."""
        source = ArxivSource(self._ws.settings.arxiv, self._cache())
        wanted = ids if ids is not None else papers_to_fetch(store, refresh=refresh, among=among)
        fetched = source.fetch(wanted, refresh=refresh, offline=offline)
        written = self._write(store, fetched.records, found_by, "arxiv metadata")
        resolved = resolve_examined(store, None if offline else source.search_title, among=among)
        return PapersOutcome(
            requested=len(wanted),
            fetched=[r.arxiv_id for r in fetched.fetched],
            from_cache=[r.arxiv_id for r in fetched.cached],
            missing=fetched.missing,
            failed=fetched.failed,
            not_fetched=fetched.not_fetched,
            errors=list(dict.fromkeys(fetched.errors + [r.error for r in resolved.resolutions if r.error])),
            http_requests=source.requests,
            written=written,
            examined=_examined(resolved),
        )

    @staticmethod
    def _write(
        store: GraphStore, records: list[PaperRecord], found_by: FoundBy, source: str, batch: int = WRITE_BATCH
    ) -> WriteSummary:
        """Paper nodes in transactions of ``batch`` whole papers; a paper some report cites stays "cited"."""
        if not records:
            return WriteSummary()
        refs = [NodeRef(label=NodeLabel.PAPER, key=r.arxiv_id) for r in records]
        cited = {ref.key for ref, rows in store.related(refs, RelType.CITES, "in").items() if rows}
        written = WriteSummary()
        for start in range(0, len(records), batch):
            nodes = [
                paper_node(r, "cited" if r.arxiv_id in cited else found_by) for r in records[start : start + batch]
            ]
            written += store.apply(GraphBatch(source=source, nodes=nodes))
        return written

    def add(self, ids: list[str], *, offline: bool = False) -> PapersOutcome:
        """Add papers by hand (arXiv ids, version optional) and fetch their metadata."""
        keys = [split_arxiv_id(raw)[0] for raw in ids]
        with self._ws.store() as store:
            store.apply(GraphBatch(source="kg papers add", nodes=[arxiv_paper_node(k) for k in keys]))
            return self.fetch_into(store, ids=keys, refresh=False, offline=offline, found_by="added")

    def import_file(self, path: Path) -> PapersOutcome:
        """Paper metadata from a ``.jsonl`` file of arXiv records (as `kg papers fetch` would cache them)."""
        if not path.is_file():
            raise InputError(f"{path} is not a file")
        records = parse_papers_jsonl(path.read_text(encoding="utf-8"), path.name)
        cache = self._cache()
        with self._ws.store() as store:
            # one transaction for the whole file: it goes in whole or not at all
            written = self._write(store, records, "added", f"papers from {path.name}", batch=max(len(records), 1))
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
            examined=_examined(resolved),
        )

    # -- reads -------------------------------------------------------------------------
    def nodes(self) -> list[Node]:
        """Every Paper node with its metadata, sorted by key."""
        with self._ws.store(read_only=True) as store:
            return list(store.iter_nodes(NodeLabel.PAPER))

    def views(self) -> list[PaperView]:
        with self._ws.store(read_only=True) as store:
            papers = list(store.iter_nodes(NodeLabel.PAPER))
            citing = store.related([p.ref for p in papers], RelType.CITES, "in")
        return [paper_view(p, [r.key for _, r in citing[p.ref]]) for p in papers]

    def view(self, key: str) -> PaperView:
        ref = NodeRef(label=NodeLabel.PAPER, key=key)
        with self._ws.store(read_only=True) as store:
            node = store.get_node(ref)
            if node is None:
                raise NotFoundError(f"no paper {key!r}")
            citing = store.related([ref], RelType.CITES, "in")[ref]
        return paper_view(node, [r.key for _, r in citing])
