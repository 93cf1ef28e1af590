"""Scores of verdicts against gold labels: 3-way macro-F1, SUPPORTED precision/recall, calibration error. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from kg.nli.evaluate import confusion_matrix, macro_f1
from kg.verify.aggregate import VERDICTS
from schemas.graph import VerdictLabel


class VerdictScores(BaseModel):
    system: str
    dataset: str
    claims: int
    macro_f1: float
    supported_precision: float | None  # None when nothing was called SUPPORTED
    supported_recall: float
    supported_called: int
    refuted_precision: float | None = None  # None when nothing was called REFUTED
    refuted_recall: float = 0.0
    refuted_called: int = 0
    nei_rate: float  # share of claims answered NOT_ENOUGH_INFO
    ece: float | None  # None for systems without probabilities
    confusion: list[list[int]]  # rows gold, columns predicted, VERDICTS order


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Mean |accuracy − confidence| over equal-width confidence bins, weighted by the bin's share of claims."""
    total = len(confidence)
    if total == 0:
        return 0.0
    error = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [i for i, c in enumerate(confidence) if low < c <= high or (b == 0 and c == 0.0)]
        if members:
            accuracy = sum(correct[i] for i in members) / len(members)
            mean_confidence = sum(confidence[i] for i in members) / len(members)
            error += len(members) / total * abs(accuracy - mean_confidence)
    return error


def _counts(
    gold: Sequence[VerdictLabel], predicted: Sequence[VerdictLabel], label: VerdictLabel
) -> tuple[int, int, int]:
    """(called ``label``, called it rightly, truly ``label``)."""
    called = sum(p == label for p in predicted)
    right = sum(p == g == label for p, g in zip(predicted, gold, strict=True))
    return called, right, sum(g == label for g in gold)


def score_verdicts(
    system: str,
    dataset: str,
    gold: Sequence[VerdictLabel],
    predicted: Sequence[VerdictLabel],
    confidence: Sequence[float] | None = None,
) -> VerdictScores:
    index = {v: i for i, v in enumerate(VERDICTS)}
    matrix = confusion_matrix([index[g] for g in gold], [index[p] for p in predicted])
    called, right, actual = _counts(gold, predicted, "SUPPORTED")
    r_called, r_right, r_actual = _counts(gold, predicted, "REFUTED")
    ece = None
    if confidence is not None:
        ece = expected_calibration_error(confidence, [p == g for p, g in zip(predicted, gold, strict=True)])
    return VerdictScores(
        system=system,
        dataset=dataset,
        claims=len(gold),
        macro_f1=round(macro_f1(matrix), 4),
        supported_precision=round(right / called, 4) if called else None,
        supported_recall=round(right / actual, 4) if actual else 0.0,
        supported_called=called,
        refuted_precision=round(r_right / r_called, 4) if r_called else None,
        refuted_recall=round(r_right / r_actual, 4) if r_actual else 0.0,
        refuted_called=r_called,
        nei_rate=round(sum(p == "NOT_ENOUGH_INFO" for p in predicted) / len(predicted), 4) if predicted else 0.0,
        ece=round(ece, 4) if ece is not None else None,
        confusion=matrix,
    )
