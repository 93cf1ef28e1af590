"""Run the verifier's pipeline on claim-level examples (no store): rank, gate, score, decide.

Used to fit the aggregator (:mod:`kg.verify.fit`) and to evaluate the whole verifier
(``kg verifier eval``). It ranks, checks numbers and gates with the same functions and limits
as the store's runner (:mod:`kg.verify.runner`), and NLI inference is batch-invariant, so
``kg verifier eval`` decides a claim exactly as ``kg verify`` does on the same sentences.
NLI scores are computed once for the top :data:`SCORED_PER_CLAIM` candidates of each claim,
so that fitting can try several gate thresholds without rescoring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kg.extraction.entities import Extraction, extract
from kg.extraction.gazetteer import Gazetteer
from kg.nli.scorer import NLIScorer
from kg.verify.aggregate import Aggregator, Decision, OperatingPoint
from kg.verify.evidence import DEFAULT_TOP_K, GATED_PER_CLAIM, Candidate, RankedEvidence, rank
from kg.verify.examples import ClaimExample
from kg.verify.judge import Gated, gate, judge
from kg.verify.numeric import NumberedSentence, NumericCheck, check_numbers

Matrix = npt.NDArray[np.float32]
EmbedFn = Callable[[list[str]], Matrix]
#: Candidates NLI-scored per claim for fitting: the top k admitted are among them for any gate threshold tried.
SCORED_PER_CLAIM = 10


@dataclass(frozen=True)
class Prepared:
    example: ClaimExample
    claim: Extraction
    sentences: list[str]  # candidates in rank order (the top GATED_PER_CLAIM, plus a forced numeric one)
    similarity: list[float]
    extractions: list[Extraction]
    probs: Matrix  # NLI (entailment, neutral, contradiction) per candidate; NaN where not scored
    numeric: NumericCheck
    forced: tuple[int, ...] = ()  # candidates the gate always admits (the numeric check's sentence)


def _ranked(example: ClaimExample, vectors: Matrix, row: dict[str, int], numeric: NumericCheck) -> list[RankedEvidence]:
    """The runner's ranking: the top :data:`GATED_PER_CLAIM` by cosine, plus the numeric check's sentence."""
    pool = [Candidate("", i, s) for i, s in enumerate(example.sentences)]
    pool_vectors = vectors[[row[s] for s in example.sentences]] if pool else vectors[:0]
    always = [("", numeric.index)] if numeric.index is not None else []
    return rank(vectors[row[example.claim]], pool, pool_vectors, GATED_PER_CLAIM, always)


def prepare(
    examples: Sequence[ClaimExample],
    embed: EmbedFn,
    scorer: NLIScorer,
    gazetteer: Gazetteer,
    *,
    min_similarity: float | None = None,
    top_k: int = DEFAULT_TOP_K,
    on_progress: Callable[[int], None] | None = None,
) -> list[Prepared]:
    """Rank, check numbers and NLI-score each claim's candidates exactly as ``kg verify`` does with a store.

    Scored: the top :data:`SCORED_PER_CLAIM` (so fitting can try other gate thresholds), and,
    when ``min_similarity`` is given, every candidate that gate admits, so evaluation decides
    on exactly the sentences ``kg verify`` would.
    """
    texts = sorted({e.claim for e in examples} | {s for e in examples for s in e.sentences})
    vectors = embed(texts)
    row = {t: i for i, t in enumerate(texts)}
    prepared: list[Prepared] = []
    for example in examples:
        claim = extract(example.claim, gazetteer)
        numeric = NumericCheck("none")
        if claim.results and example.sentences:
            numbered = [NumberedSentence("", i, extract(s, gazetteer).results) for i, s in enumerate(example.sentences)]
            numeric = check_numbers(claim.results, numbered)
        ranked = _ranked(example, vectors, row, numeric)
        sentences = [r.candidate.sentence for r in ranked]
        similarity = [r.retrieval for r in ranked]
        extractions = [extract(s, gazetteer) for s in sentences]
        forced = tuple(
            i for i, r in enumerate(ranked) if numeric.index is not None and r.candidate.index == numeric.index
        )
        wanted = set(range(min(SCORED_PER_CLAIM, len(ranked)))) | set(forced)
        if min_similarity is not None:
            wanted |= set(gate(similarity, claim, extractions, min_similarity, top_k, forced).admitted)
        probs = np.full((len(ranked), 3), np.nan, dtype=np.float32)
        index = sorted(wanted)
        if index:
            probs[index] = scorer.predict([(sentences[i], example.claim) for i in index])
        prepared.append(Prepared(example, claim, sentences, similarity, extractions, probs, numeric, forced))
        if on_progress:
            on_progress(1)
    return prepared


def gated(item: Prepared, min_similarity: float, top_k: int) -> Gated:
    """The gate's decision on a prepared claim; admitted candidates that were not scored are left out (fitting)."""
    g = gate(item.similarity, item.claim, item.extractions, min_similarity, top_k, item.forced)
    scored = [i for i in g.admitted if not np.isnan(item.probs[i, 0])]
    return Gated(g.decisions, scored)


def decide_prepared(item: Prepared, aggregator: Aggregator, point: OperatingPoint, top_k: int) -> Decision:
    g = gated(item, aggregator.min_similarity, top_k)
    return judge(
        item.example.claim,
        item.claim,
        g,
        item.similarity,
        item.sentences,
        item.extractions,
        item.probs[g.admitted] if g.admitted else item.probs[:0],
        item.numeric,
        aggregator,
        point,
        top_k,
    )
