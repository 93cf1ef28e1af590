"""The NLI model plumbing: label mapping by name, loading, errors, metrics, data splits.

Uses a tiny randomly initialised BERT built from a config in the test (never asserting
semantics with it); the shipped model's semantics are checked in test_nli_shipped.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from kg.errors import ModelError
from kg.nli.data import SPLITS, NLIPair, detokenize
from kg.nli.evaluate import best_threshold, confusion_matrix, macro_f1, score
from kg.nli.labels import LABELS, label_permutation
from kg.nli.model import load_nli_model
from kg.nli.train import stratified


def test_hub_ordered_labels_are_mapped_by_name(tiny_nli_model: Path) -> None:
    model = load_nli_model(str(tiny_nli_model))
    assert model.order == [1, 2, 0]
    probs = model.predict([("A premise.", "A hypothesis."), ("Longer premise sentence here.", "Short.")])
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert (probs.argmax(axis=1) == LABELS.index("entailment")).all()  # output 1 is ENTAILMENT, by name
    assert (probs[:, LABELS.index("neutral")] > probs[:, LABELS.index("contradiction")]).all()
    assert len(model.weights_sha256) == 16


@pytest.mark.parametrize(
    ("id2label", "expected"),
    [
        ({0: "entailment", 1: "neutral", 2: "contradiction"}, [0, 1, 2]),
        ({0: "contradiction", 1: "entailment", 2: "neutral"}, [1, 2, 0]),
        ({"0": "ENTAILMENT", "1": "CONTRADICTION", "2": "NEUTRAL"}, [0, 2, 1]),
        ({0: "SUPPORTS", 1: "REFUTES", 2: "NOT ENOUGH INFO"}, [0, 2, 1]),
    ],
)
def test_label_permutation(id2label: dict[int, str], expected: list[int]) -> None:
    assert label_permutation(id2label) == expected


def test_label_permutation_errors() -> None:
    with pytest.raises(ModelError, match="'LABEL_0' is not an NLI label"):
        label_permutation({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    with pytest.raises(ModelError, match="lack neutral"):
        label_permutation({0: "entailment", 1: "contradiction"})


def test_missing_models_fail_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        load_nli_model(str(tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"has no config\.json"):
        load_nli_model(str(tmp_path / "empty"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="HF_HUB_OFFLINE=1 is set"):
        load_nli_model("some-org/not-a-cached-nli-model")


NLI_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "nli"


def test_metrics_by_hand() -> None:
    gold = [0, 0, 1, 1, 2, 2]
    predicted = [0, 1, 1, 1, 2, 0]
    assert confusion_matrix(gold, predicted) == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    # F1: entailment 0.5, neutral 0.8, contradiction 2/3
    assert macro_f1(confusion_matrix(gold, predicted)) == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    result = score("x", "m", gold, predicted)
    assert result.accuracy == pytest.approx(4 / 6, abs=1e-4) and result.pairs == 6


def test_best_threshold_separates() -> None:
    cosines = [0.9, 0.85, 0.8, 0.3, 0.2, 0.4]
    gold = [0, 0, 0, 1, 2, 1]
    assert 0.4 < best_threshold(cosines, gold) <= 0.8


def test_evaluation_splits_are_never_trained_on() -> None:
    for name, splits in SPLITS.items():
        held = {splits[p] for p in ("calib", "eval") if p in splits}
        assert splits["train"] not in held, name
    assert SPLITS["fever"]["eval"] == "eval" and SPLITS["snli"]["eval"] == "test" and SPLITS["citint"]["eval"] == "dev"
    assert (
        set(SPLITS["numeric"]) == set(SPLITS["negation"]) == set(SPLITS["swap"]) == {"train"}
    )  # synthetic: train only
    assert set(SPLITS["negation_both"]) == set(SPLITS["antonym"]) == {"train"}
    assert SPLITS["scifact"] == {"train": "train", "calib": "calib", "eval": "eval"}


@pytest.mark.skipif(not NLI_DATA.is_dir(), reason="../shared/data/nli is not beside this checkout")
def test_scifact_train_calibration_and_evaluation_parts_are_disjoint() -> None:
    from kg.nli.scifact import scifact, scifact_claims

    parts = {part: scifact_claims(NLI_DATA, part) for part in ("train", "calib", "eval")}
    assert len(parts["train"]) == 808 and len(parts["calib"]) + len(parts["eval"]) == 298  # 2 repeat train claims
    texts = {part: {c.claim for c in claims} for part, claims in parts.items()}
    assert not texts["train"] & (texts["calib"] | texts["eval"]) and not texts["calib"] & texts["eval"]
    ids = {part: {c.id for c in claims} for part, claims in parts.items() if part != "train"}
    assert not ids["calib"] & ids["eval"]
    pairs = scifact(NLI_DATA, "train")
    labels = {p.label for p in pairs}
    assert labels == {"entailment", "neutral", "contradiction"}
    # the hard neutrals are sentences of the same gold abstract that are not its rationale
    assert any(p.source == "scifact-train-other" for p in pairs)
    assert not {p.hypothesis for p in pairs} & (texts["calib"] | texts["eval"])


@pytest.mark.skipif(not NLI_DATA.is_dir(), reason="../shared/data/nli is not beside this checkout")
def test_training_calibration_and_evaluation_parts_are_disjoint() -> None:
    from kg.nli.data import citint_claims, fever_files, healthver_rows

    assert {p.name for p in fever_files(NLI_DATA, "calib")} == {"train_14.csv"}
    assert "train_14.csv" not in {p.name for p in fever_files(NLI_DATA, "train")}
    train, calib = citint_claims(NLI_DATA, "train"), citint_claims(NLI_DATA, "calib")
    assert train and calib and not {c.id for c in train} & {c.id for c in calib}
    assert 0.1 < len(calib) / (len(train) + len(calib)) < 0.3
    topics = {part: {r["topic_ip"] for r in healthver_rows(NLI_DATA, part)} for part in ("train", "calib", "eval")}
    assert all(topics.values())
    assert not topics["train"] & topics["calib"] and not topics["train"] & topics["eval"]
    assert not topics["calib"] & topics["eval"]
    claims = {part: {r["claim"] for r in healthver_rows(NLI_DATA, part)} for part in ("train", "calib", "eval")}
    assert not claims["train"] & (claims["calib"] | claims["eval"])


def test_stratified_sampling_caps_each_label() -> None:
    pairs = [NLIPair("p", "h", LABELS[i % 3], "x") for i in range(30)] + [NLIPair("p", "h", "neutral", "x")] * 5
    chosen = stratified(pairs, 4, random.Random(1))
    assert sorted(p.label for p in chosen) == sorted(["entailment"] * 4 + ["neutral"] * 4 + ["contradiction"] * 4)
    assert len(stratified(pairs, 0, random.Random(1))) == 35


def test_detokenize_fever_text() -> None:
    assert detokenize("New Amsterdam -LRB- 2008 -RRB- , a series .") == "New Amsterdam (2008), a series."


@pytest.mark.skipif(not NLI_DATA.is_dir(), reason="../shared/data/nli is not beside this checkout")
def test_cli_eval_json_on_a_slice(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "CLAIMGRAPH_NLI_DATA": str(NLI_DATA), "CLAIMGRAPH_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "claimgraph.cli.app", "nli", "eval", "--data", "snli", "--limit", "40", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)["results"]
    assert result["dataset"] == "snli" and result["pairs"] == 40
    assert sum(map(sum, result["confusion"])) == 40
    assert result["accuracy"] > 0.5  # the shipped model, not chance (0.33), on SNLI test


def test_retriever_does_not_depend_on_the_hash_seed() -> None:
    """Set iteration order changes with PYTHONHASHSEED: ties must be broken by value, or data builds drift."""
    import subprocess
    import sys

    program = (
        "from kg.nli.data import Retriever;"
        "claims = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta'];"
        "r = Retriever(claims);"  # every token equally rare: only the tie-break decides which 3 are looked up
        "print([r.closest(q) for q in ['alpha beta gamma delta epsilon zeta eta', 'zeta eta delta gamma']])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(8)
    }
    assert len(outputs) == 1, outputs
