"""Choose the verdict thresholds on development data and write them to ``thresholds.toml``.

Development data are the evaluation splits of the NLI-model issue that training never
reads: FEVER ``eval`` (a stratified sample) and Citation-Integrity ``dev``; FEVER ``test``
is kept back and only reported. Each pair is judged as a one-sentence claim with the same
:func:`kg.verify.aggregate.decide` the verifier uses, and the (support, refute) pair with
the best macro-F1 over SUPPORTED / NOT_ENOUGH_INFO / REFUTED wins (ties go to the higher,
more conservative thresholds).

    python -m kg.verify.calibrate            # ~1 min on 2 cores
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kg.nli.data import LOADERS, NLIPair
from kg.nli.evaluate import confusion_matrix, macro_f1
from kg.verify.aggregate import THRESHOLDS_FILE, VERDICTS, Thresholds, decide
from kg.verify.numeric import NO_NUMBERS

#: NLI label index (LABELS order) of each verdict: SUPPORTED→entailment, NEI→neutral, REFUTED→contradiction.
VERDICT_INDEX = {verdict: i for i, verdict in enumerate(VERDICTS)}
GRID = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))  # 0.30 … 0.95


@dataclass(frozen=True)
class Calibration:
    thresholds: Thresholds
    macro_f1: float
    argmax_macro_f1: float  # plain argmax over the three probabilities, for comparison


def stratified_sample(pairs: Sequence[NLIPair], size: int, seed: int = 13) -> list[NLIPair]:
    """Up to ``size`` pairs, as even across labels as the data allow, deterministic for a seed."""
    rng = random.Random(seed)
    by_label: dict[str, list[NLIPair]] = {}
    for pair in pairs:
        by_label.setdefault(pair.label, []).append(pair)
    per_label = max(1, size // max(1, len(by_label)))
    sample: list[NLIPair] = []
    for label in sorted(by_label):
        group = list(by_label[label])
        rng.shuffle(group)
        sample += group[:per_label]
    rng.shuffle(sample)
    return sample


def predictions(probs: npt.NDArray[np.float32], thresholds: Thresholds) -> list[int]:
    return [VERDICT_INDEX[decide(probs[i : i + 1], NO_NUMBERS, thresholds).verdict] for i in range(len(probs))]


def choose_thresholds(
    probs: npt.NDArray[np.float32], gold: Sequence[int], grid: Sequence[float] = GRID, numeric_score: float = 0.9
) -> Calibration:
    best: tuple[float, float, float] | None = None
    for support in grid:
        for refute in grid:
            f1 = macro_f1(confusion_matrix(gold, predictions(probs, Thresholds(support, refute, numeric_score))))
            if best is None or (round(f1, 6), support, refute) > (round(best[0], 6), best[1], best[2]):
                best = (f1, support, refute)
    assert best is not None
    argmax = macro_f1(confusion_matrix(gold, probs.argmax(axis=1).tolist()))
    return Calibration(Thresholds(best[1], best[2], numeric_score), best[0], argmax)


def render_toml(calibration: Calibration, sources: str, held_out: str) -> str:
    t = calibration.thresholds
    return (
        "# Verdict thresholds, chosen by `python -m kg.verify.calibrate` (see kg/verify/calibrate.py).\n"
        f"# Development data: {sources}.\n"
        f"# Dev macro-F1 with these thresholds: {calibration.macro_f1:.4f} "
        f"(plain argmax: {calibration.argmax_macro_f1:.4f}).\n"
        f"# Held out: {held_out}.\n"
        f"support = {t.support}\nrefute = {t.refute}\nnumeric_score = {t.numeric_score}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/nli"))
    parser.add_argument("--model", default="claimgraph-nli-minilm")
    parser.add_argument("--backend", default="onnx-int8", choices=("torch", "onnx", "onnx-int8"))
    parser.add_argument("--fever-pairs", type=int, default=3000)
    parser.add_argument("--output", type=Path, default=THRESHOLDS_FILE)
    parser.add_argument("--cache", type=Path, default=Path(".claimgraph"))
    args = parser.parse_args(argv)

    from kg.nli.scorer import load_scorer

    scorer = load_scorer(args.model, args.backend, args.cache)
    dev = stratified_sample(LOADERS["fever"](args.data, "eval"), args.fever_pairs) + LOADERS["citint"](args.data, "dev")
    probs = scorer.predict([(p.premise, p.hypothesis) for p in dev])
    calibration = choose_thresholds(probs, [p.label_id for p in dev])
    test = stratified_sample(LOADERS["fever"](args.data, "test"), args.fever_pairs)
    test_probs = scorer.predict([(p.premise, p.hypothesis) for p in test])
    test_gold = [p.label_id for p in test]
    held = macro_f1(confusion_matrix(test_gold, predictions(test_probs, calibration.thresholds)))
    held_argmax = macro_f1(confusion_matrix(test_gold, test_probs.argmax(axis=1).tolist()))
    sources = (
        f"{args.fever_pairs} FEVER eval pairs (stratified, seed 13) + Citation-Integrity dev, "
        f"{len(dev)} pairs, scored by {args.model} ({scorer.backend})"
    )
    held_out = f"{len(test)} FEVER test pairs, macro-F1 {held:.4f} (plain argmax {held_argmax:.4f})"
    text = render_toml(calibration, sources, held_out)
    args.output.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
