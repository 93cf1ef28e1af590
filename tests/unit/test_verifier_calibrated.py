"""The trustworthy verifier's pure parts: relevance gate, features, aggregator fitting, metrics, hard-pair builders."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from kg.errors import InputError
from kg.extraction.entities import extract
from kg.extraction.gazetteer import Gazetteer
from kg.nli.augment import negate, negation_pairs, numeric_pairs, swap_pairs
from kg.nli.pairs import NLIPair
from kg.verify.aggregate import ARTEFACT, VERDICTS, Aggregator, OperatingPoint, decide
from kg.verify.assess import Prepared, decide_prepared
from kg.verify.examples import ClaimExample, read_examples
from kg.verify.features import FEATURES, AdmittedEvidence, claim_features
from kg.verify.fit import fit_aggregator
from kg.verify.gate import admit, entity_conflict
from kg.verify.judge import gate, judge
from kg.verify.metrics import expected_calibration_error, score_verdicts
from kg.verify.numeric import NO_NUMBERS

SHIPPED_ARTEFACT = Path(__file__).resolve().parents[2] / "kg" / "models" / "claimgraph-nli-minilm-v2" / ARTEFACT


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


# -- the relevance gate --------------------------------------------------------------------


def test_an_off_topic_sentence_is_not_admitted(gazetteer: Gazetteer) -> None:
    claim = extract("The code for the study is available at https://github.com/uclanlp/Robust-XLT.", gazetteer)
    sentence = extract("We adopt two widely used robust training methods.", gazetteer)
    decision = admit(0.21, claim, sentence, min_similarity=0.35)
    assert not decision.admitted and "similarity 0.21 < 0.35" in decision.reason
    assert admit(0.50, claim, sentence, min_similarity=0.35).admitted


def test_a_sentence_about_another_benchmark_is_not_admitted(gazetteer: Gazetteer) -> None:
    claim = extract("The cross-lingual transfer performance improves by 1.6 points on XNLI.", gazetteer)
    other = extract("Our method improves accuracy by 1.6 points on PAWS-X.", gazetteer)
    same = extract("Our method improves accuracy by 1.6 points on XNLI and PAWS-X.", gazetteer)
    silent = extract("Our method improves accuracy by 1.6 points.", gazetteer)
    assert entity_conflict(claim, other) == "names PAWS-X, not XNLI"
    assert not admit(0.9, claim, other, 0.3).admitted
    assert admit(0.9, claim, same, 0.3).admitted
    assert admit(0.9, claim, silent, 0.3).admitted  # abstracts name the benchmark once and refer back to it


def test_an_off_topic_sentence_cannot_decide_even_if_it_entails(gazetteer: Gazetteer) -> None:
    """The NLI model's confident entailment on an unrelated sentence must not become a verdict."""
    claim_text = "Syntactic features require large amounts of data."
    claim = extract(claim_text, gazetteer)
    sentences = ["Large multilingual models have significantly advanced NLP research."]
    extractions = [extract(s, gazetteer) for s in sentences]
    gated = gate([0.22], claim, extractions, min_similarity=0.35, top_k=5)
    assert gated.admitted == []
    aggregator = _toy_aggregator()
    decision = judge(
        claim_text, claim, gated, [0.22], sentences, extractions,
        np.zeros((0, 3), np.float32), NO_NUMBERS, aggregator, OperatingPoint.of(aggregator), 5,
    )  # fmt: skip
    assert (decision.verdict, decision.decided_by) == ("NOT_ENOUGH_INFO", "gate")
    assert decision.reason.startswith("no relevant evidence") and "similarity 0.22 < 0.35" in decision.reason


def test_gate_keeps_top_k_admitted_and_forced(gazetteer: Gazetteer) -> None:
    claim = extract("XLM-R improves on XNLI.", gazetteer)
    texts = ["XLM-R on XNLI.", "mBERT on PAWS-X.", "It improves.", "More.", "Numbers: XNLI 5.4 points."]
    extractions = [extract(t, gazetteer) for t in texts]
    gated = gate([0.9, 0.8, 0.7, 0.2, 0.1], claim, extractions, 0.3, top_k=2, always=[4])
    assert gated.admitted == [0, 2, 4]
    assert not gated.decisions[1].admitted and not gated.decisions[3].admitted


# -- features and the aggregator -------------------------------------------------------------


def _evidence(
    rows: list[tuple[float, float, float]], similarity: list[float], gazetteer: Gazetteer
) -> AdmittedEvidence:
    sentences = [f"Sentence {i} about XNLI with 2.1 points." for i in range(len(rows))]
    return AdmittedEvidence(
        np.array(rows, dtype=np.float32), similarity, sentences, [extract(s, gazetteer) for s in sentences]
    )


def test_features_are_named_bounded_and_deterministic(gazetteer: Gazetteer) -> None:
    text = "Accuracy improves by 2.1 points on XNLI."
    claim = extract(text, gazetteer)
    evidence = _evidence([(0.9, 0.05, 0.05), (0.1, 0.2, 0.7)], [0.8, 0.5], gazetteer)
    x = claim_features(text, claim, evidence, NO_NUMBERS, top_k=5)
    assert x.shape == (len(FEATURES),)
    named = dict(zip(FEATURES, x.tolist(), strict=True))
    assert named["entail_max"] == pytest.approx(0.9) and named["contra_max"] == pytest.approx(0.7)
    assert named["similarity_of_entailing"] == pytest.approx(0.8)
    assert named["entity_coverage"] == 1.0 and named["number_coverage"] == 1.0
    assert named["admitted_share"] == pytest.approx(0.4)
    assert np.all((x >= -1.0) & (x <= 1.0))
    assert np.array_equal(x, claim_features(text, claim, evidence, NO_NUMBERS, top_k=5))


def _prepared(
    label: str, rows: list[tuple[float, float, float]], sims: list[float], gazetteer: Gazetteer, i: int
) -> Prepared:
    sentences = [f"Evidence sentence {i}-{j}." for j in range(len(rows))]
    claim = f"Claim number {i}."
    return Prepared(
        ClaimExample(claim, tuple(sentences), label, str(i)),  # type: ignore[arg-type]
        extract(claim, gazetteer),
        sentences,
        sims,
        [extract(s, gazetteer) for s in sentences],
        np.array(rows, dtype=np.float32),
        NO_NUMBERS,
    )


def _synthetic(gazetteer: Gazetteer, n: int = 90, seed: int = 0, signal: float = 1.5) -> list[Prepared]:
    """Claims whose NLI rows lean towards their label, with noise: a learnable but imperfect task."""
    rng = np.random.default_rng(seed)
    items = []
    for i in range(n):
        label = VERDICTS[i % 3]
        column = {"SUPPORTED": 0, "NOT_ENOUGH_INFO": 1, "REFUTED": 2}[label]
        rows = []
        for _ in range(3):
            p = rng.dirichlet([1.0, 1.0, 1.0])
            p[column] += rng.uniform(0.0, signal)
            rows.append(tuple((p / p.sum()).tolist()))
        items.append(_prepared(label, rows, rng.uniform(0.2, 0.9, 3).round(4).tolist(), gazetteer, i))
    return items


def _toy_aggregator() -> Aggregator:
    return Aggregator.from_json(json.loads(SHIPPED_ARTEFACT.read_text(encoding="utf-8")))


def test_fitting_is_deterministic_and_the_artefact_round_trips(
    gazetteer: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.verify import fit

    monkeypatch.setattr(fit, "GATE_GRID", (0.0, 0.25, 0.5))  # three thresholds show it as well as nine, in a third
    items = _synthetic(gazetteer)
    first, report = fit_aggregator(items, 5, {"data": "synthetic"})
    second, _ = fit_aggregator(items, 5, {"data": "synthetic"})
    first.save(tmp_path / "a.json")
    second.save(tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    loaded = Aggregator.load(tmp_path / "a.json")
    x = np.random.default_rng(1).uniform(0, 1, (4, len(FEATURES)))
    assert np.allclose(loaded.probabilities(x), first.probabilities(x), atol=1e-6)
    assert report["out_of_fold_macro_f1"] > 0.6  # the signal is learnable
    assert set(report["gate_search_out_of_fold_macro_f1"]) and 0.0 <= first.min_similarity <= 0.5
    decisions = [decide_prepared(item, loaded, OperatingPoint.of(loaded, 0.5), 5) for item in items]
    assert decisions == [decide_prepared(item, loaded, OperatingPoint.of(loaded, 0.5), 5) for item in items]


def test_probabilities_are_calibrated_on_held_out_synthetic_claims(gazetteer: Gazetteer) -> None:
    aggregator, _ = fit_aggregator(_synthetic(gazetteer, 300, seed=1), 5, {})
    held = _synthetic(gazetteer, 300, seed=2)
    decisions = [decide_prepared(item, aggregator, OperatingPoint.of(aggregator, 0.5), 5) for item in held]
    gold = [item.example.label for item in held]
    scores = score_verdicts("fit", "held", gold, [d.verdict for d in decisions], [d.score for d in decisions])
    assert scores.ece is not None and scores.ece < 0.12


def test_higher_min_precision_never_says_supported_more_often(gazetteer: Gazetteer) -> None:
    aggregator, _ = fit_aggregator(_synthetic(gazetteer, 300, seed=3, signal=0.6), 5, {})
    items = _synthetic(gazetteer, 150, seed=4, signal=0.6)
    called = []
    for precision in (0.5, 0.7, 0.85, 0.95):
        point = OperatingPoint.of(aggregator, precision)
        called.append(sum(decide_prepared(i, aggregator, point, 5).verdict == "SUPPORTED" for i in items))
    assert called == sorted(called, reverse=True) and called[0] > called[-1]


def test_shipped_artefact_matches_the_code_and_says_how_it_was_made() -> None:
    data = json.loads(SHIPPED_ARTEFACT.read_text(encoding="utf-8"))
    assert tuple(data["features"]) == FEATURES
    provenance = data["provenance"]
    assert set(provenance["calibration_sets"]) == {
        "scifact-calib",
        "fever-calib",
        "citint-calib",
        "healthver-calib",
        "offtopic-calib",
    }
    assert provenance["reproduce"].startswith("kg verifier fit")
    default = OperatingPoint.of(_toy_aggregator())
    assert default.min_precision is None and default.support < 1.0 and default.refute < 1.0
    chosen = provenance["default_point"]
    assert chosen["nei_rate_within_limit"]  # it answers NOT_ENOUGH_INFO at most 1.25x as often as the truth
    assert (chosen["support"], chosen["refute"]) == (default.support, default.refute)


def test_one_spurious_contradiction_does_not_veto_strong_support(gazetteer: Gazetteer) -> None:
    aggregator = _toy_aggregator()
    text = "Robust training improves zero-shot cross-lingual transfer."
    claim = extract(text, gazetteer)
    support = [(0.97, 0.02, 0.01), (0.93, 0.05, 0.02), (0.9, 0.08, 0.02)]
    with_one_contradiction = [*support, (0.2, 0.2, 0.6)]
    point = OperatingPoint.of(aggregator)
    verdicts = []
    for rows in (support, with_one_contradiction):
        evidence = _evidence(rows, [0.8] * len(rows), gazetteer)
        p = aggregator.probabilities(claim_features(text, claim, evidence, NO_NUMBERS, 5))
        assert p[0] > p[2], rows
        verdicts.append(decide(p, point).verdict)
    assert verdicts == ["SUPPORTED", "SUPPORTED"]


# -- metrics ------------------------------------------------------------------------------------


def test_expected_calibration_error() -> None:
    assert expected_calibration_error([0.9] * 10, [True] * 9 + [False]) == pytest.approx(0.0)
    assert expected_calibration_error([1.0] * 4, [True, False, True, False]) == pytest.approx(0.5)
    scores = score_verdicts("s", "d", ["SUPPORTED", "REFUTED"], ["SUPPORTED", "NOT_ENOUGH_INFO"])
    assert (scores.supported_precision, scores.supported_recall, scores.nei_rate) == (1.0, 1.0, 0.5)
    assert score_verdicts("s", "d", ["SUPPORTED"], ["NOT_ENOUGH_INFO"]).supported_precision is None


# -- claim files ----------------------------------------------------------------------------------


def test_claim_files_in_jsonl_and_csv(tmp_path: Path) -> None:
    jsonl = tmp_path / "claims.jsonl"
    jsonl.write_text(
        '{"claim": "A", "evidence": ["s1", "s2"], "label": "SUPPORTS"}\n\n'
        '{"claim": "B", "evidence": "One sentence. Another one.", "label": "nei"}\n',
        encoding="utf-8",
    )
    examples = read_examples(jsonl)
    assert [(e.claim, e.label) for e in examples] == [("A", "SUPPORTED"), ("B", "NOT_ENOUGH_INFO")]
    assert examples[1].sentences == ("One sentence.", "Another one.")
    csv_file = tmp_path / "claims.csv"
    csv_file.write_text("claim,evidence,label\nC,It is so.,REFUTED\n", encoding="utf-8")
    assert read_examples(csv_file)[0].label == "REFUTED"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"claim": "A", "evidence": [], "label": "maybe"}\n', "claims.jsonl:1: label 'maybe'"),
        ('{"claim": "A", "label": "SUPPORTED"}\nnot json\n', "claims.jsonl:2: not JSON"),
        ('["A"]\n', "claims.jsonl:1: expected an object"),
    ],
)
def test_bad_claim_files_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        read_examples(path)


# -- hard pairs in the training-data builder --------------------------------------------------------


def test_numeric_pairs_change_a_shared_number_into_a_contradiction() -> None:
    pairs = [
        NLIPair("Toy Story is a 1995 film by Pixar.", "Toy Story was released in 1995.", "entailment", "t"),
        NLIPair("It scored 71.3 on XNLI.", "It scored 71.3 on XNLI.", "entailment", "t"),
        NLIPair("No numbers here.", "Nor here.", "entailment", "t"),
        NLIPair("A 1995 film.", "Released in 1995.", "neutral", "t"),  # only entailed claims are changed
    ]
    out = numeric_pairs(pairs, random.Random(0))
    assert len(out) == 2 and all(p.label == "contradiction" and p.source == "t+numeric" for p in out)
    assert "1995" not in out[0].hypothesis and out[0].premise == pairs[0].premise
    assert "71.3" not in out[1].hypothesis and any(c.isdigit() for c in out[1].hypothesis)
    assert out == numeric_pairs(pairs, random.Random(0))


@pytest.mark.parametrize(
    ("claim", "negated"),
    [
        ("The model is trained on XNLI.", "The model is not trained on XNLI."),
        ("Robust training has been shown to help.", "Robust training has not been shown to help."),
        ("He carries the ball in the game.", "He does not carry the ball in the game."),
        ("XLM-R does not help.", None),  # already negative: left alone
        ("Great results.", None),  # nothing to negate
    ],
)
def test_negate(claim: str, negated: str | None) -> None:
    assert negate(claim) == negated


def test_negation_pairs_flip_entailment_and_keep_neutral() -> None:
    pairs = [
        NLIPair("p", "The model is trained on XNLI.", "entailment", "t"),
        NLIPair("p", "The model is trained on PAWS-X.", "neutral", "t"),
        NLIPair("p", "The model is trained on MLQA.", "contradiction", "t"),  # label would be unclear: skipped
    ]
    out = negation_pairs(pairs)
    assert [(p.hypothesis, p.label) for p in out] == [
        ("The model is not trained on XNLI.", "contradiction"),
        ("The model is not trained on PAWS-X.", "neutral"),
    ]


def test_swap_pairs_change_the_subject_into_a_neutral() -> None:
    pairs = [NLIPair("XLM-R gains 2 points on XNLI.", "It is XLM-R that gains on XNLI.", "entailment", "t")]
    out = swap_pairs(pairs, ["XLM-R", "mBERT", "XNLI"], random.Random(0))
    assert len(out) == 1 and out[0].label == "neutral"
    assert "mBERT" in out[0].hypothesis and out[0].premise == pairs[0].premise


def test_balancing_weights_give_each_label_the_same_mass_per_set() -> None:
    from kg.verify.fit import balancing_weights

    gold = [0, 0, 0, 1, 2, 0, 1]
    groups = ["a", "a", "a", "a", "a", "b", "b"]
    w = balancing_weights(gold, groups)
    assert w.mean() == pytest.approx(1.0)
    mass = {(g, y): 0.0 for g, y in zip(groups, gold, strict=True)}
    for g, y, weight in zip(groups, gold, w, strict=True):
        mass[g, y] += weight
    assert mass["a", 0] == pytest.approx(mass["a", 1]) == pytest.approx(mass["a", 2])
    assert mass["b", 0] == pytest.approx(mass["b", 1])


def test_off_topic_examples_pair_a_claim_with_another_claims_sentences() -> None:
    from kg.verify.examples import off_topic_examples

    examples = [
        ClaimExample(f"claim {i}", (f"sentence {i}a", f"sentence {i}b"), "SUPPORTED", str(i)) for i in range(20)
    ]
    out = off_topic_examples(examples, 8, seed=3)
    assert len(out) == 8 and {e.label for e in out} == {"NOT_ENOUGH_INFO"}
    for e in out:
        own = e.claim.split()[-1]
        assert all(not s.startswith(f"sentence {own}") for s in e.sentences)  # never its own evidence
    assert out == off_topic_examples(examples, 8, seed=3)
