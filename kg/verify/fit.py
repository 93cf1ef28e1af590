"""``kg verifier fit``: choose the gate threshold and fit the aggregator on held-apart calibration claims.

Calibration claims come from data the NLI model never trained on and that is never
reported as an evaluation score (see :data:`kg.verify.examples.CALIBRATION_SETS`). For each
gate threshold of :data:`GATE_GRID`, a multinomial logistic regression is cross-validated
(5 folds, fixed seed); the threshold with the best out-of-fold macro-F1 wins (near-ties go
to the stricter gate). The final model is fitted on every calibration claim. Everything that
turns probabilities into verdicts is chosen on the *out-of-fold* probabilities, so it is
not optimistic:

* the **default operating point** (:func:`default_point`): the thresholds with the best mean
  macro-F1 over the calibration sets, among those that answer NOT_ENOUGH_INFO at most
  :data:`~kg.verify.aggregate.MAX_NEI_RATIO` times as often as the truth in every set;
* the **precision curves** for ``--min-precision``: measured on the *selection* half of the
  claims and again on the *check* half (split by a hash of the claim id), so a promise read
  off the first is checked on claims it was not read from.

Deterministic: the same prepared claims give byte-identical ``verifier.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from kg.nli.data import held_apart
from kg.nli.evaluate import confusion_matrix, macro_f1
from kg.verify.aggregate import MAX_NEI_RATIO, VERDICTS, Aggregator, CurvePoint
from kg.verify.assess import Prepared, gated
from kg.verify.features import FEATURES, AdmittedEvidence, claim_features

GATE_GRID = (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
CURVE_GRID = tuple(round(0.30 + 0.01 * i, 2) for i in range(70))  # 0.30 … 0.99
FOLDS = 5
SEED = 13
#: Out-of-fold macro-F1 within this of the best counts as a tie, won by the stricter gate.
TIE = 0.005
#: Regularisation strength of the logistic regression (sklearn's C): mild, the features are few and bounded.
C = 1.0
#: Candidate thresholds for the default operating point (P(supported) and P(refuted) alike).
POINT_GRID = tuple(round(0.20 + 0.02 * i, 2) for i in range(36))  # 0.20 … 0.90
#: Share of calibration claims (by a hash of their id) on which precision promises are checked.
CHECK_PERCENT = 50


def feature_rows(
    items: Sequence[Prepared], min_similarity: float, top_k: int
) -> tuple[npt.NDArray[np.float64], list[int]]:
    """Features of the claims with admitted evidence, and the indices of those claims."""
    rows: list[npt.NDArray[np.float64]] = []
    kept: list[int] = []
    for i, item in enumerate(items):
        g = gated(item, min_similarity, top_k)
        if not g.admitted:
            continue
        evidence = AdmittedEvidence(
            item.probs[g.admitted],
            [item.similarity[j] for j in g.admitted],
            [item.sentences[j] for j in g.admitted],
            [item.extractions[j] for j in g.admitted],
        )
        rows.append(claim_features(item.example.claim, item.claim, evidence, item.numeric, top_k))
        kept.append(i)
    return (np.vstack(rows) if rows else np.zeros((0, len(FEATURES)))), kept


def _standardise(x: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def _fit(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.int64], weights: npt.NDArray[np.float64]
) -> tuple[Any, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    from sklearn.linear_model import LogisticRegression

    mean, scale = _standardise(x)
    model = LogisticRegression(C=C, max_iter=2000, random_state=SEED)
    model.fit((x - mean) / scale, y, sample_weight=weights)
    return model, mean, scale


def _full_probs(model: Any, classes: Sequence[int], x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Probabilities in VERDICTS order even when a fold lacked a class."""
    out = np.zeros((len(x), len(VERDICTS)))
    out[:, list(classes)] = model.predict_proba(x)
    return out


def out_of_fold(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.int64], weights: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    from sklearn.model_selection import StratifiedKFold

    probs = np.zeros((len(x), len(VERDICTS)))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train, test in folds.split(x, y):
        model, mean, scale = _fit(x[train], y[train], weights[train])
        probs[test] = _full_probs(model, model.classes_, (x[test] - mean) / scale)
    return probs


def balancing_weights(gold: Sequence[int], groups: Sequence[str]) -> npt.NDArray[np.float64]:
    """Weights giving every label the same mass within each calibration set (mean weight 1).

    Without them the aggregator learns each set's label prior from features that merely
    identify the set (Citation-Integrity claims have long candidate lists and are 64 %
    SUPPORTED), and says SUPPORTED for anything that looks like a scientific claim.
    """
    counts: dict[tuple[str, int], int] = {}
    for g, label in zip(groups, gold, strict=True):
        counts[g, label] = counts.get((g, label), 0) + 1
    labels_in = {g: sum(1 for (group, _) in counts if group == g) for g in set(groups)}
    raw = np.array([1.0 / (labels_in[g] * counts[g, label]) for g, label in zip(groups, gold, strict=True)])
    return np.asarray(raw * len(raw) / raw.sum(), dtype=np.float64)


def _all_claim_probs(n: int, kept: list[int], probs: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Claims the gate left without evidence are NOT_ENOUGH_INFO for certain."""
    full = np.tile(np.array([0.0, 1.0, 0.0]), (n, 1))
    full[kept] = probs
    return full


def curve(probs: npt.NDArray[np.float64], gold: Sequence[int], verdict: int) -> list[CurvePoint]:
    other = 2 - verdict  # SUPPORTED (0) competes with REFUTED (2)
    actual = sum(g == verdict for g in gold)
    points = []
    for t in CURVE_GRID:
        called = (probs[:, verdict] >= t) & (probs[:, verdict] >= probs[:, other])
        right = int(sum(called[i] and gold[i] == verdict for i in range(len(gold))))
        n = int(called.sum())
        points.append(CurvePoint(t, round(right / n, 4) if n else 0.0, round(right / actual, 4) if actual else 0.0, n))
    return points


def decisions(probs: npt.NDArray[np.float64], support: float, refute: float) -> npt.NDArray[np.int64]:
    """Verdict indices (VERDICTS order) under :func:`kg.verify.aggregate.decide`'s rule, for many claims at once."""
    s, r = probs[:, 0], probs[:, 2]
    out = np.ones(len(probs), dtype=np.int64)
    supported = (s >= support) & (s >= r)
    refuted = (r >= refute) & (r > s) & ~supported
    out[supported] = 0
    out[refuted] = 2
    return out


def default_point(
    probs: npt.NDArray[np.float64], gold: Sequence[int], groups: Sequence[str]
) -> tuple[tuple[float, float], dict[str, Any]]:
    """The (support, refute) thresholds with the best mean macro-F1 over the calibration sets.

    Sets with one gold label (off-topic claims are all NEI) do not count in the mean, but every
    set with some NEI and some decided claims must keep its NEI rate within
    :data:`MAX_NEI_RATIO` of the truth's. If no point meets that, the best point regardless
    is taken and the report says so.
    """
    gold_arr = np.asarray(gold)
    names = sorted(set(groups))
    members = {g: np.array([i for i, x in enumerate(groups) if x == g]) for g in names}
    scored = [g for g in names if len(set(gold_arr[members[g]].tolist())) > 1]
    truth_nei = {g: float(np.mean(gold_arr[members[g]] == 1)) for g in names}
    bounded = [g for g in names if 0.0 < truth_nei[g] < 1.0]
    best: tuple[float, float, float, bool] | None = None  # (f1, support, refute, constrained)
    for support in POINT_GRID:
        for refute in POINT_GRID:
            predicted = decisions(probs, support, refute)
            within = all(np.mean(predicted[members[g]] == 1) <= MAX_NEI_RATIO * truth_nei[g] + 1e-9 for g in bounded)
            f1 = float(
                np.mean(
                    [
                        macro_f1(confusion_matrix(gold_arr[members[g]].tolist(), predicted[members[g]].tolist()))
                        for g in scored
                    ]
                )
            )
            key = (within, f1)
            if best is None or key > (best[3], best[0]):
                best = (f1, support, refute, within)
    assert best is not None
    f1, support, refute, within = best
    predicted = decisions(probs, support, refute)
    report = {
        "support": support,
        "refute": refute,
        "mean_macro_f1": round(f1, 4),
        "nei_rate_within_limit": within,
        "nei_rate": {g: round(float(np.mean(predicted[members[g]] == 1)), 4) for g in names},
        "nei_truth": {g: round(truth_nei[g], 4) for g in names},
    }
    return (support, refute), report


def fit_aggregator(
    items: Sequence[Prepared],
    top_k: int,
    provenance: dict[str, Any],
    groups: Sequence[str] | None = None,
    *,
    unbalanced: frozenset[str] = frozenset(),
) -> tuple[Aggregator, dict[str, Any]]:
    """The fitted aggregator and a report of the gate search (out-of-fold macro-F1 per threshold).

    ``groups`` names each claim's calibration set, for :func:`balancing_weights` (one set if None).
    Claims of an ``unbalanced`` group (reviews) weigh 1 each, like an average calibration claim: balanced
    as a set of their own, 25 reviews with 2 REFUTED among them gave each of those 2 the mass of every
    REFUTED claim of a whole public set (bench/results/review_learning_curve.md).
    """
    index = {v: i for i, v in enumerate(VERDICTS)}
    gold = [index[item.example.label] for item in items]
    names = list(groups or ["all"] * len(items))
    weights = balancing_weights(gold, names)
    if unbalanced:
        weights = np.where([g in unbalanced for g in names], 1.0, weights)
    search: dict[str, float] = {}
    best: tuple[float, float] | None = None
    for threshold in GATE_GRID:
        x, kept = feature_rows(items, threshold, top_k)
        y = np.array([gold[i] for i in kept], dtype=np.int64)
        if len(set(y.tolist())) < len(VERDICTS):
            continue
        probs = _all_claim_probs(len(items), kept, out_of_fold(x, y, weights[kept]))
        f1 = macro_f1(confusion_matrix(gold, probs.argmax(axis=1).tolist()))
        search[f"{threshold:.2f}"] = round(f1, 4)
        if best is None or f1 > best[1] + TIE or (abs(f1 - best[1]) <= TIE and threshold > best[0]):
            best = (threshold, max(f1, best[1]) if best else f1)
    if best is None:
        raise ValueError("calibration data lacks a label at every gate threshold: cannot fit the aggregator")
    threshold = best[0]
    x, kept = feature_rows(items, threshold, top_k)
    y = np.array([gold[i] for i in kept], dtype=np.int64)
    model, mean, scale = _fit(x, y, weights[kept])
    coef = np.zeros((len(VERDICTS), len(FEATURES)))
    intercept = np.full(len(VERDICTS), -30.0)  # a class missing from the data is never predicted
    coef[model.classes_] = model.coef_
    intercept[model.classes_] = model.intercept_
    oof = _all_claim_probs(len(items), kept, out_of_fold(x, y, weights[kept]))
    point, point_report = default_point(oof, gold, groups or ["all"] * len(items))
    check = np.array([held_apart(f"check-{item.example.id}", CHECK_PERCENT) for item in items])
    select_gold = [g for g, c in zip(gold, check, strict=True) if not c]
    check_gold = [g for g, c in zip(gold, check, strict=True) if c]
    curves = {"SUPPORTED": curve(oof[~check], select_gold, 0), "REFUTED": curve(oof[~check], select_gold, 2)}
    check_curves = {"SUPPORTED": curve(oof[check], check_gold, 0), "REFUTED": curve(oof[check], check_gold, 2)}
    report = {
        "gate_search_out_of_fold_macro_f1": search,
        "min_similarity": threshold,
        "claims": len(items),
        "claims_with_admitted_evidence": len(kept),
        "labels": {v: gold.count(i) for v, i in index.items()},
        "out_of_fold_macro_f1": round(macro_f1(confusion_matrix(gold, oof.argmax(axis=1).tolist())), 4),
        "default_point": point_report,
        "check_claims": int(check.sum()),
    }
    aggregator = Aggregator(
        features=FEATURES,
        mean=mean,
        scale=scale,
        coef=coef,
        intercept=intercept,
        min_similarity=threshold,
        curves=curves,
        provenance={**provenance, **report},
        default_point=point,
        check_curves=check_curves,
    )
    return aggregator, report


def best_cosine_threshold(items: Sequence[Prepared]) -> float:
    """The cosine baseline's threshold (best sentence ≥ t → SUPPORTED, else NOT_ENOUGH_INFO), on calibration data."""
    gold = [VERDICTS.index(item.example.label) for item in items]
    top = [max(item.similarity, default=0.0) for item in items]
    best, best_f1 = 0.5, -1.0
    for t in np.linspace(0.1, 0.95, 86):
        f1 = macro_f1(confusion_matrix(gold, [0 if s >= t else 1 for s in top]))
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return round(best, 3)
