"""From one claim's admitted evidence to one verdict: a calibrated aggregator with an operating point. Pure.

The first verifier took the maximum entailment over ~10 sentences against two hand
thresholds, so nearly every claim got a verdict. Now:

1. the relevance gate (:mod:`kg.verify.gate`) drops sentences that are not about the claim;
   none left → NOT_ENOUGH_INFO with the reason;
2. a numeric match or mismatch on the claim's own benchmark decides (the NLI model cannot
   tell 1.6 from 6.1, and the calibration data has no benchmark numbers to learn that from);
3. otherwise a multinomial logistic regression over :data:`kg.verify.features.FEATURES`,
   fitted on held-apart calibration data by ``kg verifier fit``, gives calibrated
   probabilities of SUPPORTED / NOT_ENOUGH_INFO / REFUTED;
4. the verdict is SUPPORTED (or REFUTED) only when its probability clears the *operating
   point*. The default point is the pair of thresholds with the best macro-F1 on the
   calibration data's out-of-fold probabilities, among those that answer NOT_ENOUGH_INFO at
   most 1.25× as often as the truth is NOT_ENOUGH_INFO in each calibration set: a verifier
   that abstains on everything is as useless as one that guesses. A user who wants a
   precision promise asks for one (``--min-precision``): its thresholds are read off the
   precision curve of one half of the calibration claims and the promise is checked on the
   other half before it is printed.

The fitted weights, the gate threshold and the curves live in ``verifier.json`` beside the
NLI model they were fitted for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kg.errors import ModelError
from kg.verify.features import FEATURES
from kg.verify.numeric import NumericCheck
from schemas.graph import DecidedBy, VerdictLabel

VERDICTS: tuple[VerdictLabel, VerdictLabel, VerdictLabel] = ("SUPPORTED", "NOT_ENOUGH_INFO", "REFUTED")
ARTEFACT = "verifier.json"
#: The precision the first verifier promised by default (kept for the comparison with it).
FIRST_DEFAULT_MIN_PRECISION = 0.85
#: The default point may answer NOT_ENOUGH_INFO at most this many times as often as the truth is NEI, per set.
MAX_NEI_RATIO = 1.25
#: An operating point needs this many calibration claims above it to count as measured.
MIN_SUPPORT_AT_POINT = 20


@dataclass(frozen=True)
class CurvePoint:
    threshold: float
    precision: float
    recall: float
    predicted: int


@dataclass(frozen=True)
class Aggregator:
    """The fitted decision; build with :meth:`load` or :func:`kg.verify.fit.fit_aggregator`."""

    features: tuple[str, ...]
    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    coef: npt.NDArray[np.float64]  # (3, len(features)), rows in VERDICTS order
    intercept: npt.NDArray[np.float64]  # (3,)
    min_similarity: float
    curves: dict[str, list[CurvePoint]]  # "SUPPORTED"/"REFUTED" → points by rising threshold
    numeric_score: float = 0.9
    provenance: dict[str, Any] = field(default_factory=dict)
    #: (P(supported), P(refuted)) thresholds of the best macro-F1 on calibration data; None in older artefacts.
    default_point: tuple[float, float] | None = None
    #: The same curves measured on the held-apart check half of the calibration claims.
    check_curves: dict[str, list[CurvePoint]] = field(default_factory=dict)

    def probabilities(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Calibrated P(SUPPORTED), P(NOT_ENOUGH_INFO), P(REFUTED) for one feature vector (or a matrix)."""
        z = ((x - self.mean) / self.scale) @ self.coef.T + self.intercept
        z = z - z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=-1, keepdims=True), dtype=np.float64)

    def threshold(self, verdict: VerdictLabel, min_precision: float) -> float:
        """The lowest probability at which ``verdict`` was at least ``min_precision`` precise on calibration data.

        Above 1.0 (never) when no measured point reaches that precision.
        """
        for point in self.curves.get(verdict, []):
            if point.precision >= min_precision and point.predicted >= MIN_SUPPORT_AT_POINT:
                return point.threshold
        return 1.01

    def checked(self, verdict: VerdictLabel, threshold: float) -> CurvePoint | None:
        """The check half's precision at ``threshold`` (the nearest measured threshold at or above it)."""
        for point in self.check_curves.get(verdict, []):
            if point.threshold >= threshold - 1e-9:
                return point
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(float(v), 8) for v in self.mean],
            "scale": [round(float(v), 8) for v in self.scale],
            "coef": [[round(float(v), 8) for v in row] for row in self.coef],
            "intercept": [round(float(v), 8) for v in self.intercept],
            "min_similarity": self.min_similarity,
            "numeric_score": self.numeric_score,
            "curves": {
                verdict: [[p.threshold, p.precision, p.recall, p.predicted] for p in points]
                for verdict, points in sorted(self.curves.items())
            },
            "check_curves": {
                verdict: [[p.threshold, p.precision, p.recall, p.predicted] for p in points]
                for verdict, points in sorted(self.check_curves.items())
            },
            "default_point": list(self.default_point) if self.default_point else None,
            "provenance": self.provenance,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Aggregator:
        if tuple(data["features"]) != FEATURES:
            raise ModelError(
                "the verifier artefact was fitted on other features; refit it with `kg verifier fit` "
                f"(artefact: {data['features']}, code: {list(FEATURES)})"
            )
        return cls(
            features=tuple(data["features"]),
            mean=np.array(data["mean"], dtype=np.float64),
            scale=np.array(data["scale"], dtype=np.float64),
            coef=np.array(data["coef"], dtype=np.float64),
            intercept=np.array(data["intercept"], dtype=np.float64),
            min_similarity=float(data["min_similarity"]),
            numeric_score=float(data.get("numeric_score", 0.9)),
            curves={
                verdict: [CurvePoint(float(t), float(p), float(r), int(n)) for t, p, r, n in points]
                for verdict, points in data["curves"].items()
            },
            provenance=dict(data.get("provenance", {})),
            default_point=tuple(data["default_point"]) if data.get("default_point") else None,
            check_curves={
                verdict: [CurvePoint(float(t), float(p), float(r), int(n)) for t, p, r, n in points]
                for verdict, points in data.get("check_curves", {}).items()
            },
        )

    @classmethod
    def load(cls, path: Path) -> Aggregator:
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot read the verifier artefact {path}: {exc}") from exc

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class OperatingPoint:
    """The probabilities SUPPORTED and REFUTED must reach: the default (best macro-F1) or a precision promise."""

    min_precision: float | None  # None: the default point
    support: float
    refute: float

    @classmethod
    def of(cls, aggregator: Aggregator, min_precision: float | None = None) -> OperatingPoint:
        if min_precision is None:
            if aggregator.default_point is None:
                raise ModelError("this verifier artefact has no default operating point: refit it (kg verifier fit)")
            support, refute = aggregator.default_point
            return cls(None, support, refute)
        return cls(
            min_precision,
            aggregator.threshold("SUPPORTED", min_precision),
            aggregator.threshold("REFUTED", min_precision),
        )

    def describe(self) -> str:
        """How the point was chosen, for reasons and summaries."""
        if self.min_precision is None:
            return "the default point (best macro-F1 on calibration data)"
        return f"the point for precision ≥ {self.min_precision}"


@dataclass(frozen=True)
class Decision:
    verdict: VerdictLabel
    score: float  # the calibrated probability of the verdict given (numeric: a fixed score)
    decided_by: DecidedBy
    reason: str
    probabilities: tuple[float, float, float] = (0.0, 1.0, 0.0)  # SUPPORTED, NOT_ENOUGH_INFO, REFUTED


def promise_check(aggregator: Aggregator, point: OperatingPoint) -> str | None:
    """What a precision promise achieved on the held-apart check claims, in words; None for the default point."""
    if point.min_precision is None:
        return None
    parts = []
    for verdict, threshold in (("SUPPORTED", point.support), ("REFUTED", point.refute)):
        if threshold > 1.0:
            parts.append(f"{verdict}: no threshold reaches precision {point.min_precision}, never called")
            continue
        checked = aggregator.checked(verdict, threshold)  # type: ignore[arg-type]
        if checked is None or checked.predicted == 0:
            parts.append(f"{verdict}: not checked (no held-apart claims above {threshold:.2f})")
            continue
        held = "held" if checked.precision >= point.min_precision else "NOT met"
        parts.append(
            f"{verdict}: precision {checked.precision:.2f} on {checked.predicted} held-apart calibration claims "
            f"({held})"
        )
    return "; ".join(parts)


def decide_numeric(numeric: NumericCheck, numeric_score: float) -> Decision | None:
    if numeric.status == "match":
        return Decision("SUPPORTED", numeric_score, "numeric", f"numeric check: {numeric.detail}")
    if numeric.status == "mismatch":
        return Decision("REFUTED", numeric_score, "numeric", f"numeric check: {numeric.detail}")
    return None


def _apart(value: float, needed: float) -> tuple[str, str]:
    """Both numbers with the fewest decimals (two or more) that keep different numbers apart.

    "P(supported) 0.7478 is below 0.75", never "0.75 is below 0.75".
    """
    for decimals in range(2, 7):
        a, b = f"{value:.{decimals}f}", f"{needed:.{decimals}f}"
        if a != b or value == needed:
            return a, b
    return f"{value:.6f}", f"{needed:.6f}"


def decide(probabilities: npt.NDArray[np.float64], point: OperatingPoint) -> Decision:
    """The verdict for calibrated (SUPPORTED, NOT_ENOUGH_INFO, REFUTED) probabilities at an operating point."""
    p = (float(probabilities[0]), float(probabilities[1]), float(probabilities[2]))
    supported, nei, refuted = p
    if supported >= point.support and supported >= refuted:
        shown, limit = _apart(supported, point.support)
        reason = f"P(supported) {shown} ≥ {limit}, {point.describe()}"
        return Decision("SUPPORTED", supported, "nli", reason, p)
    if refuted >= point.refute and refuted > supported:
        shown, limit = _apart(refuted, point.refute)
        reason = f"P(refuted) {shown} ≥ {limit}, {point.describe()}"
        return Decision("REFUTED", refuted, "nli", reason, p)
    leaning, value, needed = (
        ("supported", supported, point.support) if supported >= refuted else ("refuted", refuted, point.refute)
    )
    if nei >= value:
        reason = f"the evidence does not decide the claim: P(not enough info) {nei:.2f}"
    else:
        shown, limit = _apart(value, min(needed, 1.0))
        reason = f"abstained: P({leaning}) {shown} is below {limit}, {point.describe()}"
    return Decision("NOT_ENOUGH_INFO", nei, "nli", reason, p)


def agrees(verified_by_report: bool, verdict: VerdictLabel) -> bool:
    """A report's ✓ agrees with SUPPORTED; its × (could not verify) with REFUTED or NOT_ENOUGH_INFO."""
    return verified_by_report == (verdict == "SUPPORTED")
