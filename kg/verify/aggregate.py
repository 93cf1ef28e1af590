"""From per-sentence NLI probabilities (and the numeric check) to one verdict per claim. Pure.

A claim is SUPPORTED when its best-entailing evidence sentence clears the support
threshold (and entails more than any sentence contradicts), REFUTED when its
most-contradicting sentence clears the refute threshold, otherwise NOT_ENOUGH_INFO. One
decisive sentence is enough either way: abstracts state a finding once. A numeric match or
mismatch on the claim's own benchmark decides before the NLI scores, because the NLI model
cannot tell 1.6 from 6.1. Thresholds are chosen on development data by
``python -m kg.verify.calibrate`` and live in ``thresholds.toml`` beside this module.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kg.verify.numeric import NumericCheck
from schemas.graph import DecidedBy, VerdictLabel

VERDICTS: tuple[VerdictLabel, VerdictLabel, VerdictLabel] = ("SUPPORTED", "NOT_ENOUGH_INFO", "REFUTED")
THRESHOLDS_FILE = Path(__file__).with_name("thresholds.toml")


@dataclass(frozen=True)
class Thresholds:
    support: float
    refute: float
    numeric_score: float = 0.9  # the score given to a verdict decided by an exact numeric (mis)match

    @classmethod
    def load(cls, path: Path = THRESHOLDS_FILE) -> Thresholds:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(float(data["support"]), float(data["refute"]), float(data.get("numeric_score", 0.9)))


@dataclass(frozen=True)
class Decision:
    verdict: VerdictLabel
    score: float
    decided_by: DecidedBy


def decide(probs: npt.NDArray[np.float32], numeric: NumericCheck, thresholds: Thresholds) -> Decision:
    """``probs``: one row per evidence sentence, columns (entailment, neutral, contradiction)."""
    if len(probs) == 0 and numeric.status == "none":
        return Decision("NOT_ENOUGH_INFO", 1.0, "no-evidence")
    best_entail = float(probs[:, 0].max()) if len(probs) else 0.0
    best_contra = float(probs[:, 2].max()) if len(probs) else 0.0
    if numeric.status == "match":
        return Decision("SUPPORTED", max(thresholds.numeric_score, best_entail), "numeric")
    if numeric.status == "mismatch":
        return Decision("REFUTED", max(thresholds.numeric_score, best_contra), "numeric")
    if best_entail >= thresholds.support and best_entail >= best_contra:
        return Decision("SUPPORTED", best_entail, "nli")
    if best_contra >= thresholds.refute:
        return Decision("REFUTED", best_contra, "nli")
    return Decision("NOT_ENOUGH_INFO", 1.0 - max(best_entail, best_contra), "nli")


def agrees(verified_by_report: bool, verdict: VerdictLabel) -> bool:
    """A report's ✓ agrees with SUPPORTED; its × (could not verify) with REFUTED or NOT_ENOUGH_INFO."""
    return verified_by_report == (verdict == "SUPPORTED")
