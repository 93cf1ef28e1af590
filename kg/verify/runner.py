"""Run the verifier over a store: gather evidence, skip what has not changed, score, decide, write.

The only module of the verifier that does I/O (through the store interface and the two
callables it is handed for embeddings and the NLI scorer), so every backend verifies the
same way and the decisions themselves stay in pure functions.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from kg.extraction.entities import Extraction, extract
from kg.extraction.gazetteer import Gazetteer
from kg.nli.scorer import NLIScorer
from kg.store.base import GraphStore
from kg.verify.aggregate import VERDICTS, Aggregator, Decision, OperatingPoint, agrees, promise_check
from kg.verify.evidence import (
    DEFAULT_TOP_K,
    GATED_PER_CLAIM,
    Candidate,
    RankedEvidence,
    candidates,
    evidence_hash,
    linked_papers,
    rank,
)
from kg.verify.judge import Gated, gate, judge
from kg.verify.numeric import NumberedSentence, NumericCheck, check_numbers
from schemas.graph import GraphBatch, NodeLabel, NodeRef, Relationship, RelType, VerdictNode, VerifyScope
from schemas.views import AgreementView, ClaimQuery, ClaimView, VerifySummary

Matrix = npt.NDArray[np.float32]
EmbedFn = Callable[[list[str]], Matrix]
CLAIMS_PER_BATCH = 50  # verdicts written per transaction
#: claims planned, scored and written at a time: bounds what a run over a whole store holds (a run stopped midway
#: keeps the verdicts of the chunks it finished) and lets the progress bar move from the first minute
CLAIMS_PER_CHUNK = 1024


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

    @property
    def point(self) -> OperatingPoint:
        return OperatingPoint.of(self.aggregator, self.min_precision)

    def fingerprint(self) -> str:
        return json.dumps([self.scope, self.top_k, self.aggregator_sha256, self.min_precision])


@dataclass
class ClaimPlan:
    view: ClaimView
    claim: Extraction
    ranked: list[RankedEvidence]  # candidates by similarity (the head of the pool)
    extractions: list[Extraction]
    gated: Gated
    numeric: NumericCheck
    digest: str
    probs: Matrix = field(default_factory=lambda: np.zeros((0, 3), dtype=np.float32))

    @property
    def evidence(self) -> list[RankedEvidence]:
        """The admitted sentences: the only ones scored, stored and allowed to decide."""
        return [self.ranked[i] for i in self.gated.admitted]


@dataclass
class Progress:
    on_start: Callable[[int], None] | None = None
    on_advance: Callable[[int], None] | None = None


@dataclass(frozen=True)
class EvidenceSources:
    """What planning reads from the store once per run, whatever the number of chunks: every paper's sentences,
    the papers each report cites or examines, and the papers each claim was extracted from."""

    sentences: dict[str, list[str]]
    papers_of_report: dict[str, set[str]]
    extracted: dict[str, set[str]]

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
        return cls(sentences, papers_of_report, extracted)


def stored_evidence_hashes(store: GraphStore) -> dict[str, str | None]:
    """The evidence hash of every stored verdict, by claim key: a claim whose hash is unchanged is not rescored."""
    return {
        n.key: str(h) if (h := n.props.get("evidence_hash")) is not None else None
        for n in store.iter_nodes(NodeLabel.VERDICT)
    }


def plan_claims(
    sources: EvidenceSources,
    stored: dict[str, str | None],
    views: list[ClaimView],
    embed: EmbedFn,
    gazetteer: Gazetteer,
    config: VerifyConfig,
) -> tuple[list[ClaimPlan], int]:
    """Evidence, gate and fingerprint per claim; returns the plans that need deciding and the unchanged count.

    The fingerprint covers only the *admitted* sentences, so papers or reports that add no
    evidence the gate admits for a claim leave its verdict untouched.
    """
    sentences, papers_of_report, extracted = sources.sentences, sources.papers_of_report, sources.extracted
    everything = candidates(sentences, sentences) if config.scope == "all" else None
    pools: list[list[Candidate]] = []
    for view in views:
        if everything is not None:
            pools.append(everything)
        else:
            papers = linked_papers([a.report for a in view.assertions], papers_of_report, extracted.get(view.key, ()))
            pools.append(candidates(papers, sentences))
    texts = sorted({c.sentence for pool in pools for c in pool} | {v.text for v in views})
    vectors = embed(texts) if texts else np.zeros((0, 0), dtype=np.float32)
    row = {text: i for i, text in enumerate(texts)}
    extraction: dict[str, Extraction] = {}

    def extract_once(text: str) -> Extraction:
        if text not in extraction:
            extraction[text] = extract(text, gazetteer)
        return extraction[text]

    plans: list[ClaimPlan] = []
    unchanged = 0
    min_similarity = config.aggregator.min_similarity
    for view, pool in zip(views, pools, strict=True):
        claim = extract_once(view.text)
        numeric = NumericCheck("none")
        if claim.results and pool:
            numbered = [NumberedSentence(c.paper, c.index, extract_once(c.sentence).results) for c in pool]
            numeric = check_numbers(claim.results, numbered)
        always = [(numeric.paper, numeric.index)] if numeric.paper is not None and numeric.index is not None else []
        pool_vectors = vectors[[row[c.sentence] for c in pool]] if pool else vectors[:0]
        ranked = rank(vectors[row[view.text]], pool, pool_vectors, GATED_PER_CLAIM, always)
        extractions = [extract_once(r.candidate.sentence) for r in ranked]
        forced = [i for i, r in enumerate(ranked) if (r.candidate.paper, r.candidate.index) in set(always)]
        gated = gate([r.retrieval for r in ranked], claim, extractions, min_similarity, config.top_k, forced)
        admitted = [ranked[i] for i in gated.admitted]
        digest = evidence_hash(view.text, admitted, config.model_fingerprint, config.fingerprint())
        if not config.force and stored.get(view.key) == digest:
            unchanged += 1
            continue
        plans.append(ClaimPlan(view, claim, ranked, extractions, gated, numeric, digest))
    return plans, unchanged


def score_plans(plans: list[ClaimPlan], scorer: NLIScorer, *, across_claims: bool) -> int:
    """NLI on each claim's admitted sentences; returns the pairs scored.

    ``across_claims``: one call for every pair of the plans, which the model batches by length across claims
    (the torch path: its padding is decided by each pair alone, so a pair's scores are the same in any batch).
    Otherwise one claim per call: with int8 dynamic quantisation a sentence's scores depend on what else is in
    its batch, and a verdict must not change because another claim was added.
    """
    per_claim = [[(e.candidate.sentence, plan.view.text) for e in plan.evidence] for plan in plans]
    if across_claims:
        flat = [pair for pairs in per_claim for pair in pairs]
        probs = scorer.predict(flat) if flat else np.zeros((0, 3), dtype=np.float32)
        start = 0
        for plan, pairs in zip(plans, per_claim, strict=True):
            plan.probs = probs[start : start + len(pairs)]
            start += len(pairs)
        return len(flat)
    for plan, pairs in zip(plans, per_claim, strict=True):
        if pairs:
            plan.probs = scorer.predict(pairs)
    return sum(len(pairs) for pairs in per_claim)


def batch_invariant(scorer: NLIScorer) -> bool:
    """Whether a pair's scores are the same in any batch: the torch path's, fp32 or bf16 (tested)."""
    return scorer.backend.startswith("torch")


def decide_plan(plan: ClaimPlan, config: VerifyConfig) -> Decision:
    return judge(
        plan.view.text,
        plan.claim,
        plan.gated,
        [r.retrieval for r in plan.ranked],
        [r.candidate.sentence for r in plan.ranked],
        plan.extractions,
        plan.probs,
        plan.numeric,
        config.aggregator,
        config.point,
        config.top_k,
    )


def _deciding(plan: ClaimPlan, decision: Decision) -> set[int]:
    """Positions (in ``plan.evidence``) of the sentences a SUPPORTED or REFUTED verdict rests on."""
    if decision.decided_by == "numeric":
        address = (plan.numeric.paper, plan.numeric.index)
        return {i for i, e in enumerate(plan.evidence) if (e.candidate.paper, e.candidate.index) == address}
    if decision.verdict == "NOT_ENOUGH_INFO" or len(plan.probs) == 0:
        return set()
    column = 0 if decision.verdict == "SUPPORTED" else 2
    best = int(plan.probs[:, column].argmax())
    return {best} | {i for i, p in enumerate(plan.probs) if int(p.argmax()) == column}


def verdict_batch(plans: list[ClaimPlan], config: VerifyConfig, backend: str, model_sha: str, now: str) -> GraphBatch:
    nodes = []
    rels: list[Relationship] = []
    point = config.point
    for plan in plans:
        decision = decide_plan(plan, config)
        claim = NodeRef(label=NodeLabel.CLAIM, key=plan.view.key)
        evidence = plan.evidence
        p_supported, p_nei, p_refuted = decision.probabilities
        verdict = VerdictNode(
            key=plan.view.key,
            verdict=decision.verdict,
            score=round(decision.score, 6),
            decided_by=decision.decided_by,
            scope=config.scope,
            model=config.model,
            model_sha256=model_sha,
            backend=backend,
            threshold_support=point.support,
            threshold_refute=point.refute,
            evidence_hash=plan.digest,
            verified_at=now,
            evidence_papers=[e.candidate.paper for e in evidence],
            evidence_indices=[e.candidate.index for e in evidence],
            evidence_sentences=[e.candidate.sentence for e in evidence],
            evidence_retrieval=[e.retrieval for e in evidence],
            evidence_entailment=[round(float(p[0]), 6) for p in plan.probs],
            evidence_neutral=[round(float(p[1]), 6) for p in plan.probs],
            evidence_contradiction=[round(float(p[2]), 6) for p in plan.probs],
            numeric_status=plan.numeric.status,
            numeric_detail=plan.numeric.detail,
            numeric_paper=plan.numeric.paper,
            numeric_index=plan.numeric.index,
            reason=decision.reason,
            probability_supported=round(p_supported, 6) if decision.decided_by == "nli" else None,
            probability_nei=round(p_nei, 6) if decision.decided_by == "nli" else None,
            probability_refuted=round(p_refuted, 6) if decision.decided_by == "nli" else None,
            min_precision=config.min_precision,
            gate_min_similarity=config.aggregator.min_similarity,
            aggregator_sha256=config.aggregator_sha256,
        )
        nodes.append(verdict.to_node())
        rels.append(Relationship(type=RelType.HAS_VERDICT, start=claim, end=verdict.ref))
        rel_type = RelType.SUPPORTED_BY if decision.verdict == "SUPPORTED" else RelType.REFUTED_BY
        for i in sorted(_deciding(plan, decision)):
            e, p = evidence[i], plan.probs[i] if i < len(plan.probs) else np.zeros(3, dtype=np.float32)
            rels.append(
                Relationship(
                    type=rel_type,
                    start=claim,
                    end=NodeRef(label=NodeLabel.PAPER, key=e.candidate.paper),
                    key=str(e.candidate.index),
                    props={
                        "index": e.candidate.index,
                        "sentence": e.candidate.sentence,
                        "entailment": round(float(p[0]), 6),
                        "neutral": round(float(p[1]), 6),
                        "contradiction": round(float(p[2]), 6),
                        "numeric": decision.decided_by == "numeric",
                    },
                )
            )
    return GraphBatch(
        source=f"verify {len(plans)} claims",
        nodes=nodes,
        relationships=rels,
        replace_outgoing=[NodeRef(label=NodeLabel.CLAIM, key=p.view.key) for p in plans],
        replace_types=[RelType.HAS_VERDICT, RelType.SUPPORTED_BY, RelType.REFUTED_BY],
    )


def agreement(views: list[ClaimView]) -> AgreementView:
    matrix: dict[str, dict[str, int]] = {label: {"✓": 0, "×": 0} for label in VERDICTS}
    total = agreeing = 0
    for view in views:
        if view.verdict is None:
            continue
        for assertion in view.assertions:
            total += 1
            agreeing += agrees(assertion.verified, view.verdict.verdict)
            matrix[view.verdict.verdict]["✓" if assertion.verified else "×"] += 1
    return AgreementView(
        assertions=total, agreeing=agreeing, rate=round(agreeing / total, 4) if total else None, matrix=matrix
    )


def views_after(store: GraphStore, views: list[ClaimView], rescored: set[str]) -> list[ClaimView]:
    """The selected claims' views once the new verdicts are written: only the rescored claims are read again.
    Reading every claim again took 28 s of a 71 s verify after +1 report at 46k claims, which rescored none."""
    if not rescored:
        return views
    fresh = {view.key: view for view in store.find_claims(ClaimQuery(keys=sorted(rescored)))}
    return [fresh.get(view.key, view) for view in views]


def verify_claims(
    store: GraphStore,
    query: ClaimQuery,
    config: VerifyConfig,
    *,
    embed: EmbedFn,
    load_scorer: Callable[[], NLIScorer],
    gazetteer: Gazetteer,
    progress: Progress | None = None,
) -> VerifySummary:
    """Verify the claims ``query`` selects, :data:`CLAIMS_PER_CHUNK` at a time; the scorer is loaded only if some
    claim needs scoring. Progress counts claims."""
    progress = progress or Progress()
    views = store.find_claims(query)
    sources, stored = EvidenceSources.read(store), stored_evidence_hashes(store)
    if progress.on_start:
        progress.on_start(len(views))
    pairs = unchanged = 0
    rescored: set[str] = set()
    backend = config.backend
    scorer: NLIScorer | None = None
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    for start in range(0, len(views), CLAIMS_PER_CHUNK):
        chunk = views[start : start + CLAIMS_PER_CHUNK]
        plans, same = plan_claims(sources, stored, chunk, embed, gazetteer, config)
        unchanged += same
        if plans:
            scorer = scorer or load_scorer()
            backend = scorer.backend
            pairs += score_plans(plans, scorer, across_claims=batch_invariant(scorer))
            rescored.update(plan.view.key for plan in plans)
            for first in range(0, len(plans), CLAIMS_PER_BATCH):
                batch = plans[first : first + CLAIMS_PER_BATCH]
                store.apply(verdict_batch(batch, config, backend, scorer.weights_sha256, now))
        if progress.on_advance:
            progress.on_advance(len(chunk))
    point = config.point
    after = views_after(store, views, rescored)
    counts: dict[str, int] = {label: 0 for label in VERDICTS}
    for view in after:
        if view.verdict is not None:
            counts[view.verdict.verdict] += 1
    return VerifySummary(
        model=config.model,
        backend=backend,
        scope=config.scope,
        top_k=config.top_k,
        min_precision=config.min_precision,
        precision_check=promise_check(config.aggregator, point),
        threshold_support=point.support,
        threshold_refute=point.refute,
        claims_selected=len(views),
        claims_verified=len(rescored),
        claims_unchanged=unchanged,
        pairs_scored=pairs,
        verdicts=counts,
        agreement=agreement(after),
    )
