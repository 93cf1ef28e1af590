"""Evidence candidates for a claim, their ranking, and the fingerprint of an evidence set. Pure.

Candidates are abstract sentences, addressed as (paper, index into the paper's
``abstract_sentences``), of the papers linked to the claim: cited by a report that asserts
it, examined by such a report, or the paper it was extracted from. ``scope="all"`` widens
the pool to every paper in the graph. Sentences are ranked by cosine similarity to the
claim; the relevance gate (:mod:`kg.verify.gate`) then keeps the top k it admits. A sentence
stating the claim's number for its benchmark is always kept, since the numeric check relies on it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Kept evidence sentences per claim: an abstract has 6–10 sentences, 5 covers the findings.
DEFAULT_TOP_K = 5
#: Candidates gated per claim, best first: the top k admitted are found among them.
GATED_PER_CLAIM = 50
#: Bumped whenever retrieval, the numeric check or aggregation change meaning, so stored verdicts are redone.
VERIFIER_VERSION = "3"  # 2: relevance gate and calibrated aggregator; 3: default point, batch-invariant NLI


@dataclass(frozen=True)
class Candidate:
    paper: str
    index: int
    sentence: str


@dataclass(frozen=True)
class RankedEvidence:
    candidate: Candidate
    retrieval: float


def linked_papers(
    asserting_reports: Iterable[str],
    papers_of_report: Mapping[str, set[str]],
    extracted_from: Iterable[str] = (),
) -> set[str]:
    linked = set(extracted_from)
    for report in asserting_reports:
        linked |= papers_of_report.get(report, set())
    return linked


def candidates(papers: Iterable[str], sentences_of_paper: Mapping[str, Sequence[str]]) -> list[Candidate]:
    """Every abstract sentence of the given papers, in (paper, index) order; papers without an abstract add none."""
    return [
        Candidate(paper, index, sentence)
        for paper in sorted(papers)
        for index, sentence in enumerate(sentences_of_paper.get(paper, ()))
    ]


def rank(
    claim_vector: npt.NDArray[np.float32],
    pool: Sequence[Candidate],
    pool_vectors: npt.NDArray[np.float32],
    k: int,
    always: Iterable[tuple[str, int]] = (),
) -> list[RankedEvidence]:
    """Top ``k`` of ``pool`` by cosine (vectors are unit-normalised), plus the ``always`` addresses."""
    if not pool:
        return []
    scores = pool_vectors @ claim_vector
    order = sorted(range(len(pool)), key=lambda i: (-float(scores[i]), pool[i].paper, pool[i].index))
    keep = order[:k]
    forced = set(always)
    keep += [i for i in order[k:] if (pool[i].paper, pool[i].index) in forced]
    return [RankedEvidence(pool[i], round(float(scores[i]), 6)) for i in keep]


def paper_digest(sentences: Sequence[str]) -> str:
    """Changes when a paper's abstract sentences change: one term of a claim's :func:`inputs_hash`."""
    return hashlib.sha256(json.dumps(list(sentences), ensure_ascii=False).encode()).hexdigest()[:16]


def inputs_hash(claim_text: str, pool: str, retrieval: str, model_fingerprint: str, settings: str) -> str:
    """Changes when anything a claim's verdict is computed from changes: its text, its candidate pool (``pool``:
    the linked papers with their :func:`paper_digest`), the retrieval (sentence encoder, its precision, the
    gazetteer), the NLI model or the verifier settings. A stored verdict with the same inputs hash is current
    without embedding, ranking, gating or scoring anything: what lets `kg verify` after one new report look at
    300k claims in seconds. The evidence hash stays the finer test once the inputs did change."""
    payload = json.dumps(
        [VERIFIER_VERSION, claim_text, pool, retrieval, model_fingerprint, settings], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def evidence_hash(claim_text: str, evidence: Sequence[RankedEvidence], model_fingerprint: str, settings: str) -> str:
    """Changes when the claim, its evidence set, the model or the verifier settings change — and only then."""
    payload = json.dumps(
        {
            "version": VERIFIER_VERSION,
            "claim": claim_text,
            "evidence": [[e.candidate.paper, e.candidate.index, e.candidate.sentence] for e in evidence],
            "model": model_fingerprint,
            "settings": settings,
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:24]
