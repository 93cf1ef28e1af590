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

from kg.extraction import extract
from kg.gazetteer import Gazetteer
from kg.nli.scorer import NLIScorer
from kg.store.base import GraphStore
from kg.verify.aggregate import VERDICTS, Decision, Thresholds, agrees, decide
from kg.verify.evidence import (
    DEFAULT_TOP_K,
    Candidate,
    RankedEvidence,
    candidates,
    evidence_hash,
    linked_papers,
    rank,
)
from kg.verify.numeric import NumberedSentence, NumericCheck, check_numbers
from schemas.graph import GraphBatch, NodeLabel, NodeRef, Relationship, RelType, VerdictNode, VerifyScope
from schemas.views import AgreementView, ClaimQuery, ClaimView, VerifySummary

Matrix = npt.NDArray[np.float32]
EmbedFn = Callable[[list[str]], Matrix]
CLAIMS_PER_BATCH = 50  # verdicts written per transaction
PAIRS_PER_STEP = 64  # NLI pairs scored between progress updates


@dataclass(frozen=True)
class VerifyConfig:
    model: str
    backend: str
    model_fingerprint: str  # name, weights hash and inference path: a change re-verifies everything
    thresholds: Thresholds
    scope: VerifyScope = "cited"
    top_k: int = DEFAULT_TOP_K
    force: bool = False

    def fingerprint(self) -> str:
        t = self.thresholds
        return json.dumps([self.scope, self.top_k, t.support, t.refute, t.numeric_score])


@dataclass
class ClaimPlan:
    view: ClaimView
    evidence: list[RankedEvidence]
    numeric: NumericCheck
    digest: str
    probs: Matrix = field(default_factory=lambda: np.zeros((0, 3), dtype=np.float32))


@dataclass
class Progress:
    on_start: Callable[[int], None] | None = None
    on_advance: Callable[[int], None] | None = None


def _evidence_sources(store: GraphStore) -> tuple[dict[str, list[str]], dict[str, set[str]], dict[str, set[str]]]:
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
    return sentences, papers_of_report, extracted


def plan_claims(
    store: GraphStore, views: list[ClaimView], embed: EmbedFn, gazetteer: Gazetteer, config: VerifyConfig
) -> tuple[list[ClaimPlan], int]:
    """Evidence and fingerprint per claim; returns the plans that need scoring and the unchanged count."""
    sentences, papers_of_report, extracted = _evidence_sources(store)
    stored = {n.key: n.props.get("evidence_hash") for n in store.iter_nodes(NodeLabel.VERDICT)}
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
    numbered: dict[tuple[str, int], NumberedSentence] = {}
    plans: list[ClaimPlan] = []
    unchanged = 0
    for view, pool in zip(views, pools, strict=True):
        claim_results = extract(view.text, gazetteer).results
        numeric = NumericCheck("none")
        if claim_results and pool:
            for c in pool:
                if (c.paper, c.index) not in numbered:
                    numbered[c.paper, c.index] = NumberedSentence(
                        c.paper, c.index, extract(c.sentence, gazetteer).results
                    )
            numeric = check_numbers(claim_results, [numbered[c.paper, c.index] for c in pool])
        always = [(numeric.paper, numeric.index)] if numeric.paper is not None and numeric.index is not None else []
        pool_vectors = vectors[[row[c.sentence] for c in pool]] if pool else vectors[:0]
        ranked = rank(vectors[row[view.text]], pool, pool_vectors, config.top_k, always)
        digest = evidence_hash(view.text, ranked, config.model_fingerprint, config.fingerprint())
        if not config.force and stored.get(view.key) == digest:
            unchanged += 1
            continue
        plans.append(ClaimPlan(view, ranked, numeric, digest))
    return plans, unchanged


def score_plans(plans: list[ClaimPlan], scorer: NLIScorer, progress: Progress) -> int:
    pairs = [(e.candidate.sentence, plan.view.text) for plan in plans for e in plan.evidence]
    if progress.on_start:
        progress.on_start(len(pairs))
    probs = np.zeros((len(pairs), 3), dtype=np.float32)
    for start in range(0, len(pairs), PAIRS_PER_STEP):
        chunk = pairs[start : start + PAIRS_PER_STEP]
        probs[start : start + len(chunk)] = scorer.predict(chunk)
        if progress.on_advance:
            progress.on_advance(len(chunk))
    offset = 0
    for plan in plans:
        plan.probs = probs[offset : offset + len(plan.evidence)]
        offset += len(plan.evidence)
    return len(pairs)


def verdict_batch(plans: list[ClaimPlan], config: VerifyConfig, backend: str, model_sha: str, now: str) -> GraphBatch:
    nodes = []
    rels: list[Relationship] = []
    t = config.thresholds
    for plan in plans:
        decision: Decision = decide(plan.probs, plan.numeric, t)
        claim = NodeRef(label=NodeLabel.CLAIM, key=plan.view.key)
        verdict = VerdictNode(
            key=plan.view.key,
            verdict=decision.verdict,
            score=round(decision.score, 6),
            decided_by=decision.decided_by,
            scope=config.scope,
            model=config.model,
            model_sha256=model_sha,
            backend=backend,
            threshold_support=t.support,
            threshold_refute=t.refute,
            evidence_hash=plan.digest,
            verified_at=now,
            evidence_papers=[e.candidate.paper for e in plan.evidence],
            evidence_indices=[e.candidate.index for e in plan.evidence],
            evidence_sentences=[e.candidate.sentence for e in plan.evidence],
            evidence_retrieval=[e.retrieval for e in plan.evidence],
            evidence_entailment=[round(float(p[0]), 6) for p in plan.probs],
            evidence_neutral=[round(float(p[1]), 6) for p in plan.probs],
            evidence_contradiction=[round(float(p[2]), 6) for p in plan.probs],
            numeric_status=plan.numeric.status,
            numeric_detail=plan.numeric.detail,
            numeric_paper=plan.numeric.paper,
            numeric_index=plan.numeric.index,
        )
        nodes.append(verdict.to_node())
        rels.append(Relationship(type=RelType.HAS_VERDICT, start=claim, end=verdict.ref))
        for evidence, p in zip(plan.evidence, plan.probs, strict=True):
            address = (evidence.candidate.paper, evidence.candidate.index)
            numeric_here = (plan.numeric.paper, plan.numeric.index) == address
            supports = (p[0] >= t.support and p[0] >= p[2]) or (numeric_here and plan.numeric.status == "match")
            refutes = (p[2] >= t.refute and p[2] > p[0]) or (numeric_here and plan.numeric.status == "mismatch")
            for rel_type, on in ((RelType.SUPPORTED_BY, supports), (RelType.REFUTED_BY, refutes)):
                if on:
                    rels.append(
                        Relationship(
                            type=rel_type,
                            start=claim,
                            end=NodeRef(label=NodeLabel.PAPER, key=evidence.candidate.paper),
                            key=str(evidence.candidate.index),
                            props={
                                "index": evidence.candidate.index,
                                "sentence": evidence.candidate.sentence,
                                "entailment": round(float(p[0]), 6),
                                "neutral": round(float(p[1]), 6),
                                "contradiction": round(float(p[2]), 6),
                                "numeric": numeric_here and plan.numeric.status != "none",
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
    """Verify the claims ``query`` selects; the scorer is loaded only if some claim needs scoring."""
    progress = progress or Progress()
    views = store.find_claims(query)
    plans, unchanged = plan_claims(store, views, embed, gazetteer, config)
    pairs = 0
    backend = config.backend
    if plans:
        scorer = load_scorer()
        backend = scorer.backend
        pairs = score_plans(plans, scorer, progress)
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        for start in range(0, len(plans), CLAIMS_PER_BATCH):
            chunk = plans[start : start + CLAIMS_PER_BATCH]
            store.apply(verdict_batch(chunk, config, backend, scorer.weights_sha256, now))
    elif progress.on_start:
        progress.on_start(0)
    after = store.find_claims(query)
    counts: dict[str, int] = {label: 0 for label in VERDICTS}
    for view in after:
        if view.verdict is not None:
            counts[view.verdict.verdict] += 1
    return VerifySummary(
        model=config.model,
        backend=backend,
        scope=config.scope,
        top_k=config.top_k,
        threshold_support=config.thresholds.support,
        threshold_refute=config.thresholds.refute,
        claims_selected=len(views),
        claims_verified=len(plans),
        claims_unchanged=unchanged,
        pairs_scored=pairs,
        verdicts=counts,
        agreement=agreement(after),
    )
