"""The NLI model ClaimGraph ships: present, small, loadable offline, and right on clear cases.

The pairs are hand-written (not from any training or evaluation set), one clear case each,
in the domain ClaimGraph checks: premise = evidence sentence, hypothesis = claim.
"""

from __future__ import annotations

import json

import pytest

from kg.nli.labels import LABELS
from kg.nli.model import DEFAULT_NLI_MODEL, FIRST_NLI_MODEL, MODELS_DIR, SHIPPED_MODEL, adapter_base, load_nli_model

PAIRS = [
    ("A man is playing a guitar on a stage in front of a crowd.", "A man is playing an instrument.", "entailment"),
    ("A man is playing a guitar on a stage in front of a crowd.", "The man is sleeping in his bed.", "contradiction"),
    (
        "Two children are building a sandcastle on the beach.",
        "The children are on vacation with their parents.",
        "neutral",
    ),
    ("Barack Obama was born in Honolulu, Hawaii.", "Barack Obama was born in Kenya.", "contradiction"),
    ("Paris is the capital and largest city of France.", "Paris is a city in France.", "entailment"),
]

#: The cases the hard-neutral recipe is for, written before the retrained model was evaluated: an on-topic sentence
#: that does not decide the claim and an off-topic one (both right), plus the three cases the first shipped model
#: got wrong (now right).
HARD_CASES = [
    ("We evaluate XLM-R on XNLI and PAWS-X.", "XLM-R outperforms mBERT on XNLI.", "neutral"),
    ("We adopt two widely used robust training methods.", "The code for the study is available on GitHub.", "neutral"),
    (
        "Robust training improves zero-shot cross-lingual transfer on text classification tasks.",
        "Robust training improves cross-lingual transfer.",
        "entailment",
    ),
    ("The model was trained only on English data.", "The model was trained on Chinese data.", "contradiction"),
    ("The study evaluates XLM-R on the XNLI benchmark.", "The study was funded by a government grant.", "neutral"),
]

#: Written with HARD_CASES, before the retrained model was evaluated, and got wrong by it. Kept as strict expected
#: failures: the day a retrained model gets one right, this suite fails and asks for it to be moved up.
KNOWN_MISSES = [
    (
        "Our method improves accuracy by 2.1 points on PAWS-X.",
        "The method improves accuracy by 4.5 points on PAWS-X.",
        "contradiction",
    ),  # a changed number: entailment 0.48 vs contradiction 0.38 (the verifier's numeric check catches this one)
    (
        "We evaluate XLM-R on the XNLI benchmark.",
        "XLM-R is not evaluated on the PAWS-X benchmark.",
        "neutral",
    ),  # a negated claim about another benchmark reads as contradiction (0.77)
]


def test_shipped_models_are_packaged_and_small() -> None:
    """The first model is whole (fp16); the default ships only its own part: a LoRA adapter and head over the first."""
    first = MODELS_DIR / FIRST_NLI_MODEL
    config = json.loads((first / "config.json").read_text())
    assert {v.lower() for v in config["id2label"].values()} == set(LABELS)
    assert adapter_base(SHIPPED_MODEL) == FIRST_NLI_MODEL
    for folder, limit_mb in ((first, 60), (SHIPPED_MODEL, 10)):
        weights = list(folder.glob("*.safetensors"))
        assert weights and sum(w.stat().st_size for w in weights) <= limit_mb * 1024 * 1024, folder
        assert (folder / "README.md").read_text().startswith("---")  # the model card
        assert (folder / "training.json").exists()


def predicted(premise: str, hypothesis: str) -> str:
    probs = load_nli_model(DEFAULT_NLI_MODEL).predict([(premise, hypothesis)])[0]
    return LABELS[int(probs.argmax())]


@pytest.mark.parametrize(("premise", "hypothesis", "label"), PAIRS + HARD_CASES)
def test_clear_cases(premise: str, hypothesis: str, label: str) -> None:
    assert predicted(premise, hypothesis) == label


@pytest.mark.xfail(strict=True, reason="known weakness of the shipped CPU-trained model")
@pytest.mark.parametrize(("premise", "hypothesis", "label"), KNOWN_MISSES)
def test_known_misses(premise: str, hypothesis: str, label: str) -> None:
    assert predicted(premise, hypothesis) == label
