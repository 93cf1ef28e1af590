"""What `kg verify` must do for a chunk of claims: skip the current ones, gather and gate the rest's evidence.

Two fingerprints decide, cheapest first. The *inputs hash* (:func:`kg.verify.evidence.inputs_hash`) covers
everything a verdict is computed from; a stored verdict carrying the same one is current and its claim costs a
hash. Otherwise the claim's evidence is embedded, ranked and gated, and the *evidence hash* (the admitted
sentences only) decides whether it is scored again: a new paper that adds no admitted sentence leaves the verdict
alone, and only its inputs hash is brought up to date.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import get_args

import numpy as np
import numpy.typing as npt

from kg.extraction.entities import Extraction, extract
from kg.extraction.gazetteer import Gazetteer
from kg.store.base import GraphStore
from kg.verify.aggregate import Aggregator, OperatingPoint
from kg.verify.evidence import (
    DEFAULT_TOP_K,
    GATED_PER_CLAIM,
    Candidate,
    RankedEvidence,
    candidates,
    evidence_hash,
    inputs_hash,
    linked_papers,
    paper_digest,
    rank,
)
from kg.verify.judge import Gated, gate
from kg.verify.numeric import NumberedSentence, NumericCheck, check_numbers
from schemas.graph import NodeLabel, NodeRef, RelType, VerdictLabel, VerifyScope
from schemas.views import ClaimView

Matrix = npt.NDArray[np.float32]
EmbedFn = Callable[[list[str]], Matrix]


@dataclass(frozen=True)
class VerifyConfig:
    model: str
    backend: str
    model_fingerprint: str  # name, weights hash and inference path: a change re-verifies everything
    aggregator: Aggregator
    aggregator_sha256: str
    min_precision: float | None  # None: the aggregator's default operating point
    scope: VerifyScope = "cited"
    top_k: int = DEFAULT_TOP_K
    force: bool = False
    retrieval_fingerprint: str = ""  # sentence encoder, its precision and the gazetteer: what ranks and gates

    @property
    def point(self) -> OperatingPoint:
        return OperatingPoint.of(self.aggregator, self.min_precision)

    def fingerprint(self) -> str:
        return json.dumps([self.scope, self.top_k, self.aggregator_sha256, self.min_precision])


@dataclass(frozen=True)
class EvidenceSources:
    """What planning reads from the store once per run, whatever the number of chunks: every paper's sentences
    (and their digest), the papers each report cites or examines, and the papers each claim was extracted from."""

    sentences: dict[str, list[str]]
    papers_of_report: dict[str, set[str]]
    extracted: dict[str, set[str]]
    digests: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, store: GraphStore) -> EvidenceSources:
        sentences = {
            node.key: [str(s) for s in sents] if isinstance(sents := node.props.get("abstract_sentences"), list) else []
            for node in store.iter_nodes(NodeLabel.PAPER)
        }
        papers_of_report: dict[str, set[str]] = defaultdict(set)
        for rel_type in (RelType.CITES, RelType.EXAMINES):
            for rel in store.iter_relationships(rel_type):
                papers_of_report[rel.start.key].add(rel.end.key)
        extracted: dict[str, set[str]] = defaultdict(set)
        for rel in store.iter_relationships(RelType.EXTRACTED_FROM):
            extracted[rel.start.key].add(rel.end.key)
        digests = {paper: paper_digest(sents) for paper, sents in sentences.items() if sents}
        return cls(sentences, papers_of_report, extracted, digests)

    def linked(self, claim: str, reports: Iterable[str]) -> set[str]:
        """The papers of a claim's pool: cited or examined by a report asserting it, or the one it came from."""
        return linked_papers(reports, self.papers_of_report, self.extracted.get(claim, ()))

    @cached_property
    def everything(self) -> tuple[list[Candidate], str]:
        """``--scope all``'s pool, every sentence of every paper, and its :meth:`pool_key`: built once per run."""
        return candidates(self.sentences, self.sentences), self.pool_key(self.sentences)

    def pool_key(self, papers: Iterable[str]) -> str:
        """The papers of a pool that have sentences, with their digests: what the pool is made of."""
        return json.dumps(sorted((p, self.digests[p]) for p in papers if p in self.digests))


@dataclass(frozen=True)
class ClaimInput:
    """What verifying one claim reads of it: its text and the reports asserting it, with their ✓/× marks (for
    the summary's agreement). A whole claim view costs ten times as much to read (its results, paraphrases,
    verdict and reviews): 37 of the 46 s of a `kg verify` that found all 46k claims current."""

    key: str
    text: str
    marks: tuple[tuple[str, bool], ...]  # (report, verified) per assertion

    @classmethod
    def of(cls, view: ClaimView) -> ClaimInput:
        return cls(view.key, view.text, tuple((a.report, a.verified) for a in view.assertions))

    @property
    def reports(self) -> list[str]:
        return [report for report, _ in self.marks]


def whole_store_inputs(store: GraphStore, size: int) -> Iterator[list[ClaimInput]]:
    """Every claim of the store, ``size`` at a time in key order, from two streams (the claims, the assertions)
    rather than from claim views. The assertions' marks are held for the whole run (about 200 MB at 1.1M)."""
    marks: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for rel in store.iter_relationships(RelType.ASSERTS):
        marks[rel.end.key].append((rel.start.key, bool(rel.props.get("verified"))))
    claims = [(node.key, str(node.props.get("text", ""))) for node in store.iter_nodes(NodeLabel.CLAIM)]
    for start in range(0, len(claims), size):
        yield [ClaimInput(key, text, tuple(marks.pop(key, ()))) for key, text in claims[start : start + size]]


@dataclass(frozen=True)
class StoredVerdict:
    evidence_hash: str | None
    inputs_hash: str | None
    verdict: VerdictLabel | None  # the label stored: what the summary counts for a claim that is not rescored


def stored_verdicts(store: GraphStore, keys: list[str]) -> dict[str, StoredVerdict]:
    """The fingerprints of the stored verdicts of these claims (a claim's verdict has the claim's key)."""
    nodes = store.get_nodes([NodeRef(label=NodeLabel.VERDICT, key=key) for key in keys])
    found = {}
    for ref, node in nodes.items():
        if node is not None:
            evidence, inputs = node.props.get("evidence_hash"), node.props.get("inputs_hash")
            label = node.props.get("verdict")
            found[ref.key] = StoredVerdict(
                str(evidence) if evidence is not None else None,
                str(inputs) if inputs is not None else None,
                next((v for v in get_args(VerdictLabel) if v == label), None),
            )
    return found


@dataclass
class ClaimPlan:
    subject: ClaimInput
    claim: Extraction
    ranked: list[RankedEvidence]  # candidates by similarity (the head of the pool)
    extractions: list[Extraction]
    gated: Gated
    numeric: NumericCheck
    digest: str
    inputs: str
    probs: Matrix = field(default_factory=lambda: np.zeros((0, 3), dtype=np.float32))

    @property
    def evidence(self) -> list[RankedEvidence]:
        """The admitted sentences: the only ones scored, stored and allowed to decide."""
        return [self.ranked[i] for i in self.gated.admitted]


@dataclass
class ChunkPlan:
    plans: list[ClaimPlan]  # to score and write
    current: int  # stored verdicts whose inputs hash matched: nothing computed
    same_evidence: dict[str, str]  # claim key → new inputs hash, for verdicts whose admitted evidence is unchanged

    @property
    def unchanged(self) -> int:
        return self.current + len(self.same_evidence)


def plan_claims(
    sources: EvidenceSources,
    stored: dict[str, StoredVerdict],
    subjects: list[ClaimInput],
    embed: EmbedFn,
    gazetteer: Gazetteer,
    config: VerifyConfig,
) -> ChunkPlan:
    """Inputs hash, then evidence, gate and evidence hash per claim whose inputs changed.

    The evidence hash covers only the *admitted* sentences, so papers or reports that add no
    evidence the gate admits for a claim leave its verdict untouched.
    """
    everything, everything_key = sources.everything if config.scope == "all" else (None, "")
    settings = config.fingerprint()
    todo: list[tuple[ClaimInput, list[Candidate], str, StoredVerdict | None]] = []
    current = 0
    for subject in subjects:
        papers = sources.linked(subject.key, subject.reports) if everything is None else set()
        pool_key = everything_key if everything is not None else sources.pool_key(papers)
        inputs = inputs_hash(subject.text, pool_key, config.retrieval_fingerprint, config.model_fingerprint, settings)
        known = stored.get(subject.key)
        if not config.force and known is not None and known.inputs_hash == inputs:
            current += 1
            continue
        pool = everything if everything is not None else candidates(papers, sources.sentences)
        todo.append((subject, pool, inputs, known))
    texts = sorted({c.sentence for _, pool, _, _ in todo for c in pool} | {subject.text for subject, *_ in todo})
    vectors = embed(texts) if texts else np.zeros((0, 0), dtype=np.float32)
    row = {text: i for i, text in enumerate(texts)}
    extraction: dict[str, Extraction] = {}

    def extract_once(text: str) -> Extraction:
        if text not in extraction:
            extraction[text] = extract(text, gazetteer)
        return extraction[text]

    chunk = ChunkPlan([], current, {})
    min_similarity = config.aggregator.min_similarity
    for subject, pool, inputs, known in todo:
        claim = extract_once(subject.text)
        numeric = NumericCheck("none")
        if claim.results and pool:
            numbered = [NumberedSentence(c.paper, c.index, extract_once(c.sentence).results) for c in pool]
            numeric = check_numbers(claim.results, numbered)
        always = [(numeric.paper, numeric.index)] if numeric.paper is not None and numeric.index is not None else []
        pool_vectors = vectors[[row[c.sentence] for c in pool]] if pool else vectors[:0]
        ranked = rank(vectors[row[subject.text]], pool, pool_vectors, GATED_PER_CLAIM, always)
        extractions = [extract_once(r.candidate.sentence) for r in ranked]
        forced = [i for i, r in enumerate(ranked) if (r.candidate.paper, r.candidate.index) in set(always)]
        gated = gate([r.retrieval for r in ranked], claim, extractions, min_similarity, config.top_k, forced)
        admitted = [ranked[i] for i in gated.admitted]
        digest = evidence_hash(subject.text, admitted, config.model_fingerprint, settings)
        if not config.force and known is not None and known.evidence_hash == digest:
            chunk.same_evidence[subject.key] = inputs
            continue
        chunk.plans.append(ClaimPlan(subject, claim, ranked, extractions, gated, numeric, digest, inputs))
    return chunk
