"""Ingest: report and claim files into the graph, then the derived paraphrase links.

Files go in by groups of reports per transaction (:class:`ingest.pipeline.Ingestor`).
Paraphrase links are then updated incrementally: only the claims this ingest wrote are
embedded and compared, through the HNSW index kept beside the store
(:mod:`kg.paraphrase.index`); ``kg paraphrases --relink`` recomputes the whole layer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from claimgraph.services.papers import PaperService
from claimgraph.services.workspace import Workspace
from ingest.pipeline import Ingestor, IngestResult, SourceOutcome
from kg.errors import StoreError
from kg.heap import long_lived_heap
from kg.paraphrase.ann import Matrix
from kg.paraphrase.encode_ahead import EncodeAhead, ready_in_order
from kg.paraphrase.index import IndexUpdate, ParaphraseIndex
from kg.paraphrase.links import ClaimText, EmbeddingCache, ParaphraseConfig, ParaphraseLink
from kg.store import GraphStore
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType, WriteSummary
from schemas.paper import PapersOutcome

#: claims per chunk a pass beside the encoder waits for (two of the child's encode calls)
PASS_CHUNK = 1024


@dataclass(frozen=True)
class ParaphrasePass:
    """What one paraphrase pass did: the links written, how many claims it embedded and compared, its time."""

    links: WriteSummary
    claims_indexed: int
    seconds: float
    full: bool  # every claim recomputed (first pass, --relink), not just the new ones
    encoded_ahead: int = 0  # claim texts handed to the encode-ahead child (0: the pass embedded them itself)


@dataclass(frozen=True)
class IngestRun:
    """Everything one `kg ingest` did: per-file outcomes, paraphrase links, the papers step."""

    files: IngestResult
    paraphrase: ParaphrasePass | None
    papers: PapersOutcome | None

    @property
    def paraphrase_links(self) -> WriteSummary | None:
        return None if self.paraphrase is None else self.paraphrase.links


def _claim_text(node: Node) -> ClaimText:
    return ClaimText(node.key, str(node.props.get("text", "")), bool(node.props.get("truncated")))


def _claim_ref(key: str) -> NodeRef:
    return NodeRef(label=NodeLabel.CLAIM, key=key)


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
        settings = self._ws.settings
        ahead: list[EncodeAhead] = []  # the encoder child, once the file count asks for one

        def started(files: int) -> None:
            if link_paraphrases and self._encode_ahead(store, files):
                ahead.append(EncodeAhead(settings.data_dir, settings.embedding_model))
            if on_start is not None:
                on_start(files)

        def written(claims: dict[str, str]) -> None:
            for encoder in ahead:
                encoder.submit(claims)

        with long_lived_heap(), self._ws.store() as store:
            ingestor = Ingestor(
                store, self._ws.gazetteer, group_size=settings.ingest_group_size, on_claims_written=written
            )
            try:
                result = ingestor.ingest(paths, on_file=on_file, on_start=started)
                if result.store_failure is not None:  # once, with the cause; no pass or papers step on a dead store
                    done = sum(o.status in ("ingested", "unchanged") for o in result.outcomes)
                    raise StoreError(
                        f"the store failed during the ingest: {result.store_failure}; {done} file(s) were written "
                        f"before it, the other {len(result.outcomes) - done} were not (re-run the same command "
                        "when the store is back: what was written is kept, the rest goes in)"
                    )
                encoder = ahead[0] if ahead else None
                if encoder is not None:
                    encoder.writer_done()
                touched = list(ingestor.touched_claims)
                links = self._link_paraphrases(store, touched, encoder) if link_paraphrases else None
            finally:  # done, or failed: whatever the child was still doing is cached already or not wanted
                for encoder in ahead:
                    encoder.stop()
            fetched = None
            if papers:  # the papers these files cite or examine; `kg papers fetch` catches up on the whole store
                among = list(ingestor.papers_seen)
                fetched = self._papers.fetch_into(store, ids=None, refresh=False, offline=offline, among=among)
        return IngestRun(files=result, paraphrase=links, papers=fetched)

    def _encode_ahead(self, store: GraphStore, files: int) -> bool:
        """Start the encoding child? For many files (it encodes while they are written), or into a large store
        (its model load then overlaps the writer's claim index: a +1 report into 100k took 20 s, 5 of them the
        pass's own model load after the writer)."""
        settings = self._ws.settings
        if settings.encode_ahead_from and files >= settings.encode_ahead_from:
            return True
        threshold = settings.encode_ahead_store_claims
        return bool(threshold) and store.count_nodes(NodeLabel.CLAIM) >= threshold

    def link_paraphrases(self) -> WriteSummary:
        """Recompute every paraphrase link from scratch (the index too) and make them the complete set."""
        with long_lived_heap(), self._ws.store() as store:
            return self._link_paraphrases(store, touched=None).links

    def paraphrase_config(self) -> ParaphraseConfig:
        return self._ws.paraphrase_config()

    def _link_paraphrases(
        self, store: GraphStore, touched: list[str] | None, encoder: EncodeAhead | None = None
    ) -> ParaphrasePass:
        """``touched``: the claims to (re)index, in the order they were written (None: every claim, afresh).
        ``encoder``: the encode-ahead child, still working: the pass then runs beside it (:meth:`_index_and_link`).
        """
        started = time.perf_counter()
        ahead = encoder.submitted if encoder is not None else 0  # every text is in: the writer is done
        index = self._ws.paraphrase_index()
        try:
            claims_in_store = store.count_nodes(NodeLabel.CLAIM)
            # an empty index over a store that held claims before: only a full pass finds their links
            first = index.live_count == 0
            if touched is None or (first and claims_in_store != len(touched)):
                summary, indexed = self._relink_all(store, index, encoder)
                return ParaphrasePass(summary, indexed, time.perf_counter() - started, full=True, encoded_ahead=ahead)
            found = store.get_nodes([_claim_ref(k) for k in touched])
            present = [_claim_text(node) for node in found.values() if node is not None]
            gone = [ref.key for ref, node in found.items() if node is None]
            updates = [index.update([], gone, self._ws.gazetteer), *self._index_and_link(index, present, encoder)]
            if index.reconcile_needed(claims_in_store):
                updates.append(self._reconcile(store, index))
            if first:  # every claim of the store is new: the links found are the whole layer
                rels = _relationships((link for update in updates for link in update.links), index.config.method)
                summary = store.replace_relationships(RelType.PARAPHRASE_OF, rels)
            else:
                summary = store.apply(self._links_batch(store, updates))
            index.commit()
            indexed = sum(update.indexed for update in updates)
            return ParaphrasePass(summary, indexed, time.perf_counter() - started, full=first, encoded_ahead=ahead)
        finally:
            index.close()

    def _index_and_link(
        self, index: ParaphraseIndex, claims: list[ClaimText], encoder: EncodeAhead | None
    ) -> Iterator[IndexUpdate]:
        """Index ``claims`` and link them: at once, or, beside a running encoder, once the child has cached
        every vector.

        Beside the encoder the pass waits for the claims in the order the child works through what the writer
        left it, shortest text first (:func:`kg.paraphrase.encode_ahead.ready_in_order`), then adds them all and links
        (:meth:`ParaphraseIndex.add`, :meth:`ParaphraseIndex.link`) when the child has left the cores. Adding
        each chunk as it came, as the pass once did, built the HNSW graph in text-length order, 1,024 claims
        at a time, which cost 7 points of its recall at 296k claims (``bench/results/hnsw_order.md``); the adds
        take the same CPU either way, only now on both cores.
        """
        if encoder is None:
            yield index.update(claims, [], self._ws.gazetteer)
            return
        claims = sorted(claims, key=lambda claim: (len(claim.text), claim.key))
        chunks = [[claim.text for claim in claims[i : i + PASS_CHUNK]] for i in range(0, len(claims), PASS_CHUNK)]
        cache = EmbeddingCache(self._ws.settings.data_dir, self._ws.settings.embedding_model)
        try:
            for _ in ready_in_order(chunks, cache, self._encode, encoder.running):
                pass
        finally:
            cache.close()
        added = index.add(claims, [])
        yield added
        if added.rows:
            yield IndexUpdate(index.link(added.rows, self._ws.gazetteer), 0, frozenset(), frozenset())

    def _encode(self, texts: list[str]) -> Matrix:
        from kg.paraphrase.embeddings import embed

        return embed(texts, self._ws.settings.embedding_model)

    def _relink_all(
        self, store: GraphStore, index: ParaphraseIndex, encoder: EncodeAhead | None = None
    ) -> tuple[WriteSummary, int]:
        index.reset()
        claims = [_claim_text(n) for n in store.iter_nodes(NodeLabel.CLAIM)]
        updates = list(self._index_and_link(index, claims, encoder))
        links = _relationships((link for update in updates for link in update.links), index.config.method)
        summary = store.replace_relationships(RelType.PARAPHRASE_OF, links)
        index.commit()
        return summary, sum(update.indexed for update in updates)

    def _reconcile(self, store: GraphStore, index: ParaphraseIndex) -> IndexUpdate:
        """Index what the store holds and the index does not (claims written without the pass), retire the rest."""
        live = index.live_claims()
        in_store = {node.key: _claim_text(node) for node in store.iter_nodes(NodeLabel.CLAIM)}
        differing = [c for key, c in in_store.items() if live.get(key) != (c.text, c.truncated)]
        return index.update(differing, sorted(set(live) - set(in_store)), self._ws.gazetteer)

    def _links_batch(self, store: GraphStore, updates: list[IndexUpdate]) -> GraphBatch:
        """The new links; for claims whose text changed, their old links are replaced, not kept beside."""
        links = {(link.a, link.b): link for update in updates for link in update.links}
        config = self.paraphrase_config()
        rels = _relationships(links.values(), config.method)
        changed = set().union(*(update.changed for update in updates))
        if not changed:
            return GraphBatch(source="paraphrase links", relationships=rels)
        refs = [_claim_ref(k) for k in sorted(changed)]
        starts = set(changed)
        for rows in store.related(refs, RelType.PARAPHRASE_OF, "in").values():
            starts.update(rel.start.key for rel, _ in rows)
        start_refs = [_claim_ref(k) for k in sorted(starts)]
        kept = [
            rel
            for rows in store.related(start_refs, RelType.PARAPHRASE_OF, "out").values()
            for rel, _ in rows
            if rel.start.key not in changed and rel.end.key not in changed
        ]
        return GraphBatch(
            source="paraphrase links",
            relationships=[*rels, *kept],
            replace_outgoing=start_refs,
            replace_types=[RelType.PARAPHRASE_OF],
        )


def _relationships(links: Iterable[ParaphraseLink], method: str) -> list[Relationship]:
    """The links as relationships, one NodeRef per claim shared by all its links (a first pass at 10k reports
    writes 127k links: validating a new ref for each end was 60 % of building them)."""
    links = list(links)
    ref = {key: _claim_ref(key) for key in {end for link in links for end in (link.a, link.b)}}
    return [
        Relationship(
            type=RelType.PARAPHRASE_OF,
            start=ref[link.a],
            end=ref[link.b],
            props={"score": link.cosine, "overlap": link.overlap, "method": method},
        )
        for link in links
    ]
