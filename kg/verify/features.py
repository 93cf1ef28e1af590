"""Per-claim features for the aggregator, from the admitted evidence sentences. Pure.

One claim is judged by several sentences; what matters is not only the best entailment but
how far it beats the best contradiction, whether other sentences agree, how close the
deciding sentences are to the claim, and whether the evidence mentions the claim's
entities and numbers at all. Every feature is a bounded number so a linear model over them
stays well behaved; the names are stored with the fitted weights and checked on load.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kg.extraction.entities import Extraction
from kg.verify.numeric import NumericCheck

FEATURES: tuple[str, ...] = (
    "entail_max",
    "contra_max",
    "neutral_min",
    "entail_minus_contra",
    "entail_second",
    "contra_second",
    "share_entailing",
    "share_contradicting",
    "similarity_max",
    "similarity_of_entailing",
    "similarity_of_contradicting",
    "entail_x_similarity",
    "contra_x_similarity",
    "claim_names_entities",
    "entity_coverage",
    "claim_has_numbers",
    "number_coverage",
    "numeric_match",
    "numeric_mismatch",
    "admitted_share",
)

_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")


@dataclass(frozen=True)
class AdmittedEvidence:
    """The gate's survivors for one claim: NLI probabilities (entailment, neutral, contradiction) per sentence."""

    probs: npt.NDArray[np.float32]
    similarity: Sequence[float]
    sentences: Sequence[str]
    extractions: Sequence[Extraction]


def _second(values: npt.NDArray[np.float32]) -> float:
    return float(np.sort(values)[-2]) if len(values) > 1 else 0.0


def _entities(extraction: Extraction) -> set[str]:
    return set(extraction.benchmarks) | set(extraction.models) | set(extraction.languages)


def claim_features(
    claim_text: str, claim: Extraction, evidence: AdmittedEvidence, numeric: NumericCheck, top_k: int
) -> npt.NDArray[np.float64]:
    """The :data:`FEATURES` vector of one claim with at least one admitted sentence."""
    probs = evidence.probs
    if len(probs) == 0:
        raise ValueError("claim_features needs at least one admitted sentence")
    similarity = np.asarray(evidence.similarity, dtype=np.float64)
    entail, neutral, contra = probs[:, 0], probs[:, 1], probs[:, 2]
    top_e, top_c = int(entail.argmax()), int(contra.argmax())
    argmax = probs.argmax(axis=1)
    wanted = _entities(claim)
    named: set[str] = set().union(*(_entities(x) for x in evidence.extractions))
    numbers = set(_NUMBER.findall(claim_text))
    text = " ".join(evidence.sentences)
    found_numbers = {n for n in numbers if re.search(rf"(?<![\w.]){re.escape(n)}(?![\w]|\.\d)", text)}
    values = {
        "entail_max": float(entail.max()),
        "contra_max": float(contra.max()),
        "neutral_min": float(neutral.min()),
        "entail_minus_contra": float(entail.max() - contra.max()),
        "entail_second": _second(entail),
        "contra_second": _second(contra),
        "share_entailing": float(np.mean(argmax == 0)),
        "share_contradicting": float(np.mean(argmax == 2)),
        "similarity_max": float(similarity.max()),
        "similarity_of_entailing": float(similarity[top_e]),
        "similarity_of_contradicting": float(similarity[top_c]),
        "entail_x_similarity": float(entail[top_e] * similarity[top_e]),
        "contra_x_similarity": float(contra[top_c] * similarity[top_c]),
        "claim_names_entities": float(bool(wanted)),
        "entity_coverage": len(wanted & named) / len(wanted) if wanted else 0.0,
        "claim_has_numbers": float(bool(numbers)),
        "number_coverage": len(found_numbers) / len(numbers) if numbers else 0.0,
        "numeric_match": float(numeric.status == "match"),
        "numeric_mismatch": float(numeric.status == "mismatch"),
        "admitted_share": min(1.0, len(probs) / max(1, top_k)),
    }
    return np.array([values[name] for name in FEATURES], dtype=np.float64)
