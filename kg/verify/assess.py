"""Run the verifier's pipeline on claim-level examples (no store): rank, gate, score, decide.

Used to fit the aggregator (:mod:`kg.verify.fit`) and to evaluate the whole verifier
(``kg verifier eval``). NLI scores are computed once for the top :data:`SCORED_PER_CLAIM`
candidates of each claim, so that fitting can try several gate thresholds without rescoring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kg.extraction import Extraction, extract
from kg.gazetteer import Gazetteer
from kg.nli.scorer import NLIScorer
from kg.verify.aggregate import Aggregator, Decision, OperatingPoint
from kg.verify.examples import ClaimExample
from kg.verify.judge import Gated, gate, judge
from kg.verify.numeric import NumberedSentence, NumericCheck, check_numbers

Matrix = npt.NDArray[np.float32]
EmbedFn = Callable[[list[str]], Matrix]
#: Candidates scored per claim: the top k admitted are always among them for any gate threshold tried.
SCORED_PER_CLAIM = 10


@dataclass(frozen=True)
class Prepared:
    example: ClaimExample
    claim: Extraction
    sentences: list[str]  # candidates in rank order (the top SCORED_PER_CLAIM)
    similarity: list[float]
    extractions: list[Extraction]
    probs: Matrix  # NLI (entailment, neutral, contradiction) per candidate
    numeric: NumericCheck


def prepare(
    examples: Sequence[ClaimExample],
    embed: EmbedFn,
    scorer: NLIScorer,
    gazetteer: Gazetteer,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> list[Prepared]:
    texts = sorted({e.claim for e in examples} | {s for e in examples for s in e.sentences})
    vectors = embed(texts)
    row = {t: i for i, t in enumerate(texts)}
    ranked: list[tuple[list[str], list[float]]] = []
    for example in examples:
        sims = [float(vectors[row[s]] @ vectors[row[example.claim]]) for s in example.sentences]
        order = sorted(range(len(sims)), key=lambda i: (-sims[i], i))[:SCORED_PER_CLAIM]
        ranked.append(([example.sentences[i] for i in order], [round(sims[i], 6) for i in order]))
    prepared: list[Prepared] = []
    for example, (sentences, sims) in zip(examples, ranked, strict=True):
        # one claim's pairs are one batch: its scores never depend on which other claims are scored
        probs = scorer.predict([(s, example.claim) for s in sentences]) if sentences else np.zeros((0, 3), np.float32)
        claim = extract(example.claim, gazetteer)
        extractions = [extract(s, gazetteer) for s in sentences]
        numbered = [NumberedSentence("evidence", i, x.results) for i, x in enumerate(extractions)]
        numeric = check_numbers(claim.results, numbered) if claim.results else NumericCheck("none")
        prepared.append(Prepared(example, claim, sentences, sims, extractions, probs, numeric))
        if on_progress:
            on_progress(1)
    return prepared


def gated(item: Prepared, min_similarity: float, top_k: int) -> Gated:
    return gate(item.similarity, item.claim, item.extractions, min_similarity, top_k)


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
