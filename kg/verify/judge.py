"""One claim, its candidate sentences, their NLI scores → one verdict with its reason. Pure.

The verifier over a store (:mod:`kg.verify.runner`), its evaluation and its fitting
(:mod:`kg.verify.examples`, :mod:`kg.verify.fit`) all go through these two functions, so
what is measured is exactly what runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kg.extraction.entities import Extraction
from kg.verify.aggregate import Aggregator, Decision, OperatingPoint, decide, decide_numeric
from kg.verify.features import AdmittedEvidence, claim_features
from kg.verify.gate import GateDecision, admit, no_evidence_reason
from kg.verify.numeric import NumericCheck
from schemas.graph import DecidedBy


@dataclass(frozen=True)
class Gated:
    """Candidates in rank order with the gate's decision on each; ``admitted`` indexes the top k admitted."""

    decisions: list[GateDecision]
    admitted: list[int]


def gate(
    similarity: Sequence[float],
    claim: Extraction,
    sentences: Sequence[Extraction],
    min_similarity: float,
    top_k: int,
    always: Sequence[int] = (),
) -> Gated:
    """Gate every candidate (given in rank order), keep the first ``top_k`` admitted plus ``always``."""
    decisions = [admit(s, claim, x, min_similarity) for s, x in zip(similarity, sentences, strict=True)]
    admitted = [i for i, d in enumerate(decisions) if d.admitted][:top_k]
    admitted += [i for i in always if i not in admitted]
    return Gated(decisions, admitted)


def judge(
    claim_text: str,
    claim: Extraction,
    gated: Gated,
    similarity: Sequence[float],
    sentences: Sequence[str],
    extractions: Sequence[Extraction],
    probs: npt.NDArray[np.float32],
    numeric: NumericCheck,
    aggregator: Aggregator,
    point: OperatingPoint,
    top_k: int,
) -> Decision:
    """``probs``: NLI rows for the *admitted* candidates, in ``gated.admitted`` order."""
    numeric_decision = decide_numeric(numeric, aggregator.numeric_score)
    if numeric_decision is not None:
        return numeric_decision
    if not gated.admitted:
        decided_by: DecidedBy = "gate" if gated.decisions else "no-evidence"
        return Decision("NOT_ENOUGH_INFO", 1.0, decided_by, no_evidence_reason(gated.decisions))
    evidence = AdmittedEvidence(
        probs=probs,
        similarity=[similarity[i] for i in gated.admitted],
        sentences=[sentences[i] for i in gated.admitted],
        extractions=[extractions[i] for i in gated.admitted],
    )
    x = claim_features(claim_text, claim, evidence, numeric, top_k)
    decision = decide(aggregator.probabilities(x), point)
    best = int(np.argmax(probs[:, 0] if decision.verdict != "REFUTED" else probs[:, 2]))
    where = (
        f"; deciding sentence: “{sentences[gated.admitted[best]][:100]}”"
        if decision.verdict != "NOT_ENOUGH_INFO"
        else ""
    )
    return Decision(
        decision.verdict, decision.score, decision.decided_by, decision.reason + where, decision.probabilities
    )
