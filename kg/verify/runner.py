"""Run the verifier over a store: gather evidence, skip what has not changed, score, decide, write.

The only module of the verifier that does I/O (through the store interface and the two
callables it is handed for embeddings and the NLI scorer), so every backend verifies the
same way and the decisions themselves stay in pure functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from kg.extraction.gazetteer import Gazetteer
from kg.nli.scorer import NLIScorer
from kg.store.base import GraphStore
from kg.verify.aggregate import VERDICTS, Decision, agrees, promise_check
from kg.verify.judge import judge
from kg.verify.planning import (
    ClaimInput,
    ClaimPlan,
    EmbedFn,
    EvidenceSources,
    VerifyConfig,
    plan_claims,
    stored_verdicts,
    whole_store_inputs,
)
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType, VerdictLabel, VerdictNode
from schemas.views import AgreementView, ClaimQuery, VerifySummary

__all__ = ["CLAIMS_PER_CHUNK", "Progress", "VerifyConfig", "verify_claims"]

CLAIMS_PER_BATCH = 50  # verdicts written per transaction
#: claims planned, scored and written at a time: bounds what a run over a whole store holds (a run stopped midway
#: keeps the verdicts of the chunks it finished) and lets the progress bar move from the first minute
CLAIMS_PER_CHUNK = 1024


@dataclass
class Progress:
    on_start: Callable[[int | None], None] | None = None  # the claims selected, None when unknown up front
    on_advance: Callable[[int], None] | None = None


def score_plans(plans: list[ClaimPlan], scorer: NLIScorer, *, across_claims: bool) -> int:
    """NLI on each claim's admitted sentences; returns the pairs scored.

    ``across_claims``: one call for every pair of the plans, which the model batches by length across claims
    (the torch path: its padding is decided by each pair alone, so a pair's scores are the same in any batch).
    Otherwise one claim per call: with int8 dynamic quantisation a sentence's scores depend on what else is in
    its batch, and a verdict must not change because another claim was added.
    """
    per_claim = [[(e.candidate.sentence, plan.subject.text) for e in plan.evidence] for plan in plans]
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
        plan.subject.text,
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


def verdict_batch(
    plans: list[ClaimPlan], decisions: list[Decision], config: VerifyConfig, backend: str, model_sha: str, now: str
) -> GraphBatch:
    nodes = []
    rels: list[Relationship] = []
    point = config.point
    for plan, decision in zip(plans, decisions, strict=True):
        claim = NodeRef(label=NodeLabel.CLAIM, key=plan.subject.key)
        evidence = plan.evidence
        p_supported, p_nei, p_refuted = decision.probabilities
        verdict = VerdictNode(
            key=plan.subject.key,
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
            inputs_hash=plan.inputs,
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
        replace_outgoing=[NodeRef(label=NodeLabel.CLAIM, key=p.subject.key) for p in plans],
        replace_types=[RelType.HAS_VERDICT, RelType.SUPPORTED_BY, RelType.REFUTED_BY],
    )


@dataclass
class Tally:
    """The summary's counts, added up chunk by chunk so a run over the whole store never holds every claim view."""

    verdicts: dict[str, int] = field(default_factory=lambda: {label: 0 for label in VERDICTS})
    matrix: dict[str, dict[str, int]] = field(default_factory=lambda: {label: {"✓": 0, "×": 0} for label in VERDICTS})
    assertions: int = 0
    agreeing: int = 0

    def add(self, claim: ClaimInput, verdict: VerdictLabel | None) -> None:
        """One claim and its verdict now (None: it has none)."""
        if verdict is None:
            return
        self.verdicts[verdict] += 1
        for _, verified in claim.marks:
            self.assertions += 1
            self.agreeing += agrees(verified, verdict)
            self.matrix[verdict]["✓" if verified else "×"] += 1

    def agreement(self) -> AgreementView:
        rate = round(self.agreeing / self.assertions, 4) if self.assertions else None
        return AgreementView(assertions=self.assertions, agreeing=self.agreeing, rate=rate, matrix=self.matrix)


def claim_pages(store: GraphStore, query: ClaimQuery, size: int) -> Iterator[list[ClaimInput]]:
    """The claims ``query`` selects, ``size`` at a time in key order. Writing a claim's verdict changes no key and
    no other claim's match, so verdicts written between pages cannot make a later page skip or repeat a claim."""
    if query == ClaimQuery():
        yield from whole_store_inputs(store, size)
        return
    after = None
    while True:
        page = store.find_claims(query.model_copy(update={"after": after, "limit": size}))
        if page:
            yield [ClaimInput.of(view) for view in page]
        if len(page) < size:
            return
        after = page[-1].key


def selected_total(store: GraphStore, query: ClaimQuery) -> int | None:
    """How many claims ``query`` selects, where that is known without reading them: for the progress bar."""
    if query.model_copy(update={"keys": None}) != ClaimQuery():
        return None
    return len(query.keys) if query.keys is not None else store.count_nodes(NodeLabel.CLAIM)


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
    """Verify the claims ``query`` selects, :data:`CLAIMS_PER_CHUNK` at a time (read, planned, scored, written and
    counted per chunk: memory stays flat at any store size); the scorer is loaded only if some claim needs
    scoring. Progress counts claims."""
    progress = progress or Progress()
    sources = EvidenceSources.read(store)
    if progress.on_start:
        progress.on_start(selected_total(store, query))
    pairs = selected = unchanged = rescored = 0
    tally = Tally()
    backend = config.backend
    scorer: NLIScorer | None = None
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    for chunk in claim_pages(store, query, CLAIMS_PER_CHUNK):
        selected += len(chunk)
        stored = stored_verdicts(store, [claim.key for claim in chunk])
        planned = plan_claims(sources, stored, chunk, embed, gazetteer, config)
        unchanged += planned.unchanged
        if planned.same_evidence:  # verdicts that stand, with the inputs they now stand on
            refreshed = [
                Node(label=NodeLabel.VERDICT, key=key, props={"inputs_hash": inputs})
                for key, inputs in planned.same_evidence.items()
            ]
            store.apply(GraphBatch(source=f"verify: {len(refreshed)} verdicts unchanged", nodes=refreshed))
        plans = planned.plans
        decided: dict[str, VerdictLabel] = {}  # the verdicts of this chunk's rescored claims
        if plans:
            scorer = scorer or load_scorer()
            backend = scorer.backend
            pairs += score_plans(plans, scorer, across_claims=batch_invariant(scorer))
            rescored += len(plans)
            decisions = [decide_plan(plan, config) for plan in plans]
            for first in range(0, len(plans), CLAIMS_PER_BATCH):
                end = first + CLAIMS_PER_BATCH
                sha = scorer.weights_sha256
                store.apply(verdict_batch(plans[first:end], decisions[first:end], config, backend, sha, now))
            # counted from the decisions just written, not read back: reading every rescored claim's view again
            # cost a full read of the store on a first run (about 170 s at 296k claims)
            decided = {plan.subject.key: decision.verdict for plan, decision in zip(plans, decisions, strict=True)}
        for claim in chunk:
            known = stored.get(claim.key)
            tally.add(claim, decided.get(claim.key) or (known.verdict if known is not None else None))
        if progress.on_advance:
            progress.on_advance(len(chunk))
    point = config.point
    return VerifySummary(
        model=config.model,
        backend=backend,
        scope=config.scope,
        top_k=config.top_k,
        min_precision=config.min_precision,
        precision_check=promise_check(config.aggregator, point),
        threshold_support=point.support,
        threshold_refute=point.refute,
        claims_selected=selected,
        claims_verified=rescored,
        claims_unchanged=unchanged,
        pairs_scored=pairs,
        verdicts=tally.verdicts,
        agreement=tally.agreement(),
    )
