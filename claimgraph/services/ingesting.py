"""Ingest: report and claim files into the graph, then the derived paraphrase links.

Each file is one transaction (:class:`ingest.pipeline.Ingestor`); paraphrase links are
recomputed over all claims afterwards and replace the previous set as one derived layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from claimgraph.services.papers import PaperService
from claimgraph.services.workspace import Workspace
from ingest.pipeline import Ingestor, IngestResult, SourceOutcome
from kg.paraphrase import ClaimText, ParaphraseConfig, ParaphraseLink, find_paraphrases
from kg.store import GraphStore
from schemas.graph import NodeLabel, NodeRef, Relationship, RelType, WriteSummary
from schemas.paper import PapersOutcome


@dataclass(frozen=True)
class IngestRun:
    """Everything one `kg ingest` did: per-file outcomes, paraphrase links, the papers step."""

    files: IngestResult
    paraphrase_links: WriteSummary | None
    papers: PapersOutcome | None


class IngestService:
    def __init__(self, workspace: Workspace, papers: PaperService) -> None:
        self._ws = workspace
        self._papers = papers

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
        with self._ws.store() as store:
            result = Ingestor(store, self._ws.gazetteer).ingest(paths, on_file=on_file, on_start=on_start)
            links = self._link_paraphrases(store) if link_paraphrases else None
            fetched = self._papers.fetch_into(store, ids=None, refresh=False, offline=offline) if papers else None
        return IngestRun(files=result, paraphrase_links=links, papers=fetched)

    def link_paraphrases(self) -> WriteSummary:
        with self._ws.store() as store:
            return self._link_paraphrases(store)

    def paraphrase_config(self) -> ParaphraseConfig:
        settings = self._ws.settings
        return ParaphraseConfig(min_cosine=settings.paraphrase_threshold, model=settings.embedding_model)

    def _link_paraphrases(self, store: GraphStore) -> WriteSummary:
        config = self.paraphrase_config()
        claims = [
            ClaimText(n.key, str(n.props.get("text", "")), bool(n.props.get("truncated")))
            for n in store.iter_nodes(NodeLabel.CLAIM)
        ]
        links: list[ParaphraseLink] = []
        if len(claims) >= 2:
            vectors = self._ws.embed_cached([c.text for c in claims])
            links = find_paraphrases(claims, vectors, self._ws.gazetteer, config)
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
