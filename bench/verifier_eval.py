"""The whole verifier on held-out claims, with its baselines and the previous verifier, in one table.

Rows per evaluation set (FEVER eval, the HealthVer evaluation part, Citation-Integrity dev;
none of them trained on or used for fitting):

* majority baseline: every claim gets the set's most frequent label;
* cosine baseline: the untuned all-MiniLM-L6-v2; best sentence cosine ≥ t → SUPPORTED, else
  NOT_ENOUGH_INFO (t chosen on the calibration sets, stored in verifier.json);
* previous model + previous rule (``--previous FOLDER``): the model shipped before, top-5
  sentences by cosine, no gate, SUPPORTED if the best entailment ≥ 0.45 and ≥ the best
  contradiction, REFUTED if the best contradiction ≥ 0.50 (its calibrated thresholds);
* the shipped model + relevance gate + calibrated aggregator, at the default operating point
  (precision ≥ 0.85) and with abstention off (precision ≥ 0.5).

    python -m bench.verifier_eval --previous build/previous-nli     # ~25 min on 2 cores

Writes ``bench/results/verifier_eval.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kg.embeddings import embed
from kg.gazetteer import Gazetteer
from kg.nli.model import DEFAULT_NLI_MODEL
from kg.nli.scorer import load_scorer
from kg.settings import DEFAULT_EMBEDDING_MODEL
from kg.verify.aggregate import DEFAULT_MIN_PRECISION
from kg.verify.assess import Prepared, prepare
from kg.verify.evaluate import load_aggregator, majority_label, markdown_table, public_examples, score_sets
from kg.verify.examples import EVALUATION_SETS, ClaimExample
from kg.verify.metrics import VerdictScores, score_verdicts
from schemas.graph import VerdictLabel

RESULTS = Path(__file__).parent / "results"
PREVIOUS_SUPPORT, PREVIOUS_REFUTE, PREVIOUS_TOP_K = 0.45, 0.50, 5


def previous_rule(item: Prepared) -> tuple[VerdictLabel, float]:
    """The verifier before the gate and the aggregator: max over the top 5 against two thresholds."""
    probs = item.probs[:PREVIOUS_TOP_K]
    if item.numeric.status == "match":
        return "SUPPORTED", 0.9
    if item.numeric.status == "mismatch":
        return "REFUTED", 0.9
    if len(probs) == 0:
        return "NOT_ENOUGH_INFO", 1.0
    entail, contra = float(probs[:, 0].max()), float(probs[:, 2].max())
    if entail >= PREVIOUS_SUPPORT and entail >= contra:
        return "SUPPORTED", entail
    if contra >= PREVIOUS_REFUTE:
        return "REFUTED", contra
    return "NOT_ENOUGH_INFO", 1.0 - max(entail, contra)


class CachedEmbed:
    """Both models see the same sentence vectors; embed each text once."""

    def __init__(self) -> None:
        self.vectors: dict[str, npt.NDArray[np.float32]] = {}

    def __call__(self, texts: list[str]) -> npt.NDArray[np.float32]:
        missing = [t for t in texts if t not in self.vectors]
        if missing:
            for text, vector in zip(missing, embed(missing, DEFAULT_EMBEDDING_MODEL), strict=True):
                self.vectors[text] = vector
        return np.vstack([self.vectors[t] for t in texts])


def run(data: Path, previous: Path | None) -> str:
    sets: dict[str, list[ClaimExample]] = public_examples(data, EVALUATION_SETS)
    gazetteer = Gazetteer.load()
    cached = CachedEmbed()
    aggregator, sha = load_aggregator(None, DEFAULT_NLI_MODEL)
    scorer = load_scorer(DEFAULT_NLI_MODEL, "onnx-int8", Path(".claimgraph"))
    prepared = {name: prepare(examples, cached, scorer, gazetteer) for name, examples in sets.items()}
    rows: list[VerdictScores] = []
    default = score_sets(
        prepared, aggregator, system="new model + gate + aggregator (precision ≥ 0.85)", baselines=True
    )
    loose = score_sets(
        prepared, aggregator, system="new model + gate + aggregator (precision ≥ 0.5)", min_precision=0.5
    )
    old: list[VerdictScores] = []
    if previous is not None:
        old_scorer = load_scorer(str(previous), "onnx-int8", Path(".claimgraph"))
        for name, examples in sets.items():
            items = prepare(examples, cached, old_scorer, gazetteer)
            decided = [previous_rule(item) for item in items]
            old.append(
                score_verdicts(
                    "previous model + previous rule",
                    name,
                    [i.example.label for i in items],
                    [d[0] for d in decided],
                    [d[1] for d in decided],
                )
            )
    for name in sets:
        rows += [r for r in default if r.dataset == name and "baseline" in r.system]
        rows += [r for r in old if r.dataset == name]
        rows += [r for r in default if r.dataset == name and "baseline" not in r.system]
        rows += [r for r in loose if r.dataset == name]
    where = (
        f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()}"
    )
    sizes = ", ".join(f"{name} {len(examples)} ({_labels(examples)})" for name, examples in sets.items())
    return (
        f"# The whole verifier on held-out claims ({where})\n\n"
        f"Sets: {sizes}. Each claim's candidate sentences are ranked by all-MiniLM-L6-v2 cosine, gated, "
        f"scored by the NLI model (ONNX int8) and aggregated exactly as `kg verify` does. verifier.json sha256 "
        f"{sha[:12]}; gate similarity ≥ {aggregator.min_similarity}; default operating point "
        f"precision ≥ {DEFAULT_MIN_PRECISION}. ECE: 10 equal-width bins over the confidence of the label given "
        "(the previous rule's score is not a probability; its ECE is shown for comparison only).\n\n"
        + markdown_table(rows)
        + "\nReproduce: `python -m bench.verifier_eval --previous <folder of the previous model>`.\n"
    )


def _labels(examples: Sequence[ClaimExample]) -> str:
    counts = {label: sum(e.label == label for e in examples) for label in ("SUPPORTED", "NOT_ENOUGH_INFO", "REFUTED")}
    return ", ".join(f"{k[:3]} {v}" for k, v in counts.items()) + f"; majority {majority_label(examples)[:3]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/nli"))
    parser.add_argument("--previous", type=Path, default=None, help="the previous model's folder")
    args = parser.parse_args()
    table = run(args.data, args.previous)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "verifier_eval.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
