"""``kg nli eval``: accuracy, macro-F1 and the confusion matrix per evaluation set. Metrics are pure."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel

from kg.nli.labels import LABELS


class EvalResult(BaseModel):
    dataset: str
    model: str
    pairs: int
    accuracy: float
    macro_f1: float
    confusion: list[list[int]]  # rows: gold, columns: predicted, both in LABELS order
    labels: list[str] = list(LABELS)


def confusion_matrix(gold: Sequence[int], predicted: Sequence[int], size: int = len(LABELS)) -> list[list[int]]:
    matrix = [[0] * size for _ in range(size)]
    for g, p in zip(gold, predicted, strict=True):
        matrix[g][p] += 1
    return matrix


def macro_f1(matrix: list[list[int]]) -> float:
    scores = []
    for k in range(len(matrix)):
        tp = matrix[k][k]
        predicted = sum(row[k] for row in matrix)
        actual = sum(matrix[k])
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def score(dataset: str, model: str, gold: Sequence[int], predicted: Sequence[int]) -> EvalResult:
    matrix = confusion_matrix(gold, predicted)
    total = len(gold)
    accuracy = sum(matrix[k][k] for k in range(len(matrix))) / total if total else 0.0
    return EvalResult(
        dataset=dataset,
        model=model,
        pairs=total,
        accuracy=round(accuracy, 4),
        macro_f1=round(macro_f1(matrix), 4),
        confusion=matrix,
    )


def cosine_baseline(premises: list[str], hypotheses: list[str], threshold: float, model_name: str) -> list[int]:
    """The untuned sentence encoder: entailment if cosine >= threshold, else neutral (entailment vs rest)."""
    from kg.paraphrase.embeddings import embed

    a = embed(premises, model_name)
    b = embed(hypotheses, model_name)
    cosine = np.sum(a * b, axis=1)
    return [LABELS.index("entailment") if c >= threshold else LABELS.index("neutral") for c in cosine]


def best_threshold(cosines: Sequence[float], gold: Sequence[int]) -> float:
    """The threshold maximising macro-F1 of entailment-vs-rest on development pairs."""
    entail = LABELS.index("entailment")
    neutral = LABELS.index("neutral")
    best, best_f1 = 0.5, -1.0
    for t in np.linspace(0.1, 0.95, 86):
        predicted = [entail if c >= t else neutral for c in cosines]
        f1 = macro_f1(confusion_matrix(gold, predicted))
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return round(best, 3)
