"""The second verifier's pure parts: negation and direction pairs, the precision choice, batch-invariant
padding and the default operating point."""

from __future__ import annotations

import numpy as np

from kg.nli.augment import antonym_pairs, negation_both_pairs
from kg.nli.pairs import NLIPair
from kg.padding import BUCKET_TOKENS, bucket_length
from kg.precision import choose_precision
from kg.verify.aggregate import MAX_NEI_RATIO, Aggregator, CurvePoint, OperatingPoint, decide
from kg.verify.fit import decisions, default_point

ENTAILED = NLIPair(
    "The treatment was effective against mortality in older patients.", "The treatment is effective.", "entailment", "t"
)
NEUTRAL = NLIPair("Patients were recruited from three hospitals.", "The treatment is effective.", "neutral", "t")


def test_negation_lands_in_the_evidence_and_in_both_so_that_a_not_predicts_nothing() -> None:
    pairs = negation_both_pairs([ENTAILED, NEUTRAL])
    by_source = {(p.source, p.label): p for p in pairs}
    evidence_only = by_source["t+negated-evidence", "contradiction"]
    assert " not " in evidence_only.premise and evidence_only.hypothesis == ENTAILED.hypothesis
    both = by_source["t+negated-both", "entailment"]
    assert " not " in both.premise and " not " in both.hypothesis
    control = by_source["t+negated-evidence", "neutral"]
    assert " not " in control.premise and control.hypothesis == NEUTRAL.hypothesis
    labels = sorted(p.label for p in pairs)
    assert labels == ["contradiction", "entailment", "neutral"]


def test_an_already_negated_claim_or_evidence_is_left_alone() -> None:
    negated = NLIPair(
        "The treatment did not reduce mortality.", "The treatment does not reduce mortality.", "entailment", "t"
    )
    assert negation_both_pairs([negated]) == []


def test_direction_words_flip_in_the_claim_and_in_both() -> None:
    pair = NLIPair(
        "Obesity was associated with an increased risk of fracture.", "Obesity increased the risk.", "entailment", "t"
    )
    flipped = {p.label: p for p in antonym_pairs([pair])}
    assert flipped["contradiction"].hypothesis == "Obesity decreased the risk."
    assert flipped["contradiction"].premise == pair.premise
    assert flipped["entailment"].premise == "Obesity was associated with an decreased risk of fracture."
    assert flipped["entailment"].hypothesis == "Obesity decreased the risk."
    assert antonym_pairs([NEUTRAL]) == []  # only entailed pairs have a direction to flip


def test_precision_follows_the_cpu_flags_unless_forced() -> None:
    assert choose_precision("auto", "cpu", frozenset({"avx2", "amx_bf16"}))[0] == "bf16"
    assert choose_precision("auto", "cpu", frozenset({"avx512_bf16"}))[0] == "bf16"
    assert choose_precision("auto", "cpu", frozenset({"avx2", "avx512f"})) == (
        "fp32",
        "CPU has neither amx_bf16 nor avx512_bf16",
    )
    assert choose_precision("fp32", "cpu", frozenset({"amx_bf16"}))[0] == "fp32"
    assert choose_precision("bf16", "cpu", frozenset())[0] == "bf16"
    assert choose_precision("auto", "cuda:0", frozenset())[0] == "bf16"


def test_a_pairs_padded_length_depends_on_itself_alone() -> None:
    assert bucket_length(1, 256) == BUCKET_TOKENS
    assert bucket_length(BUCKET_TOKENS, 256) == BUCKET_TOKENS
    assert bucket_length(BUCKET_TOKENS + 1, 256) == 2 * BUCKET_TOKENS
    assert bucket_length(250, 256) == 256


def _probs(rows: list[tuple[float, float, float]]) -> np.ndarray:
    return np.array(rows, dtype=np.float64)


def test_vectorised_decisions_follow_decide() -> None:
    rng = np.random.default_rng(3)
    probs = rng.dirichlet([1.0, 1.0, 1.0], size=300)
    point = OperatingPoint(None, 0.4, 0.5)
    expected = [("SUPPORTED", "NOT_ENOUGH_INFO", "REFUTED").index(decide(p, point).verdict) for p in probs]
    assert decisions(probs, 0.4, 0.5).tolist() == expected


def test_default_point_has_the_best_macro_f1_and_does_not_abstain_far_more_than_the_truth() -> None:
    rng = np.random.default_rng(7)
    gold = rng.integers(0, 3, size=600).tolist()
    # a weakly informative model: the gold label's probability is raised a little
    probs = rng.dirichlet([2.0, 3.0, 2.0], size=600)
    for row, g in zip(probs, gold, strict=True):
        row[g] += 0.25
    probs /= probs.sum(axis=1, keepdims=True)
    groups = ["a"] * 300 + ["b"] * 300
    (support, refute), report = default_point(probs, gold, groups)
    assert report["nei_rate_within_limit"]
    for group in ("a", "b"):
        assert report["nei_rate"][group] <= MAX_NEI_RATIO * report["nei_truth"][group] + 1e-9
    # no other point on a coarse grid that meets the limit beats it
    from kg.nli.evaluate import confusion_matrix, macro_f1

    def mean_f1(s: float, r: float) -> float:
        predicted = decisions(probs, s, r)
        return float(
            np.mean([macro_f1(confusion_matrix(gold[i : i + 300], predicted[i : i + 300].tolist())) for i in (0, 300)])
        )

    assert abs(mean_f1(support, refute) - report["mean_macro_f1"]) < 1e-4  # rounded to 4 places
    assert mean_f1(support, refute) >= mean_f1(0.9, 0.9)


def test_the_default_point_and_a_precision_promise_are_different_points() -> None:
    curve = [CurvePoint(t, 0.6 + 0.4 * t, 0.5, 50) for t in (0.3, 0.5, 0.7, 0.9)]
    aggregator = Aggregator(
        features=(),
        mean=np.zeros(0),
        scale=np.ones(0),
        coef=np.zeros((3, 0)),
        intercept=np.zeros(3),
        min_similarity=0.3,
        curves={"SUPPORTED": curve, "REFUTED": curve},
        default_point=(0.36, 0.42),
        check_curves={"SUPPORTED": [CurvePoint(0.7, 0.8, 0.4, 30)]},
    )
    default = OperatingPoint.of(aggregator)
    assert (default.min_precision, default.support, default.refute) == (None, 0.36, 0.42)
    assert "best macro-F1" in default.describe()
    promised = OperatingPoint.of(aggregator, 0.85)
    assert promised.support == 0.7 and "precision ≥ 0.85" in promised.describe()
    checked = aggregator.checked("SUPPORTED", promised.support)
    assert checked is not None and checked.precision == 0.8
    restored = Aggregator.from_json(
        {**aggregator.to_json(), "features": list(__import__("kg.verify.features", fromlist=["FEATURES"]).FEATURES)}
    )
    assert restored.default_point == (0.36, 0.42) and restored.check_curves["SUPPORTED"][0].precision == 0.8
