"""The whole verifier on held-out claims, with its baselines, the previous verifier and each candidate, in one table.

Rows per evaluation set (SciFact dev's evaluation half, Citation-Integrity dev, the HealthVer
evaluation part, FEVER eval, off-topic pairs; none of them trained on, fitted on or chosen on):

* majority baseline: every claim gets the set's most frequent label;
* cosine baseline: the untuned all-MiniLM-L6-v2; best sentence cosine ≥ t → SUPPORTED, else
  NOT_ENOUGH_INFO (t chosen on the calibration sets);
* the previous shipped verifier: claimgraph-nli-minilm on ONNX int8 with its verifier.json at
  its default (precision ≥ 0.85);
* each candidate ``NAME=MODEL[,AGGREGATOR]``: the model (torch, bf16 where the CPU has it) with
  the aggregator fitted for it on the calibration sets (``kg verifier fit``), at its default
  operating point (best macro-F1 on calibration data);
* the shipped default model with a precision promise (``--min-precision 0.85``).

    python -m bench.verifier_eval \\
        --candidate "claimgraph-nli-minilm, refitted=claimgraph-nli-minilm,build/v1-refit/verifier.json"

Writes ``bench/results/verifier_eval.md`` (about 12 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.machine import machine
from kg.extraction.gazetteer import Gazetteer
from kg.nli.model import DEFAULT_NLI_MODEL, FIRST_NLI_MODEL
from kg.nli.scorer import Backend, load_scorer
from kg.paraphrase.embeddings import embed
from kg.settings import DEFAULT_EMBEDDING_MODEL
from kg.verify.aggregate import FIRST_DEFAULT_MIN_PRECISION, Aggregator
from kg.verify.assess import Prepared, prepare
from kg.verify.evaluate import load_aggregator, majority_label, markdown_table, public_examples, score_sets
from kg.verify.examples import EVALUATION_SETS, ClaimExample
from kg.verify.metrics import VerdictScores

RESULTS = Path(__file__).parent / "results"


class CachedEmbed:
    """Every system sees the same sentence vectors; embed each text once."""

    def __init__(self) -> None:
        self.vectors: dict[str, npt.NDArray[np.float32]] = {}

    def __call__(self, texts: list[str]) -> npt.NDArray[np.float32]:
        missing = [t for t in texts if t not in self.vectors]
        if missing:
            for text, vector in zip(missing, embed(missing, DEFAULT_EMBEDDING_MODEL), strict=True):
                self.vectors[text] = vector
        return np.vstack([self.vectors[t] for t in texts])


def _system(
    label: str,
    model: str,
    backend: Backend,
    aggregator: Aggregator,
    sets: dict[str, list[ClaimExample]],
    cached: CachedEmbed,
    *,
    min_precision: float | None = None,
    baselines: bool = False,
) -> list[VerdictScores]:
    scorer = load_scorer(model, backend, Path(".claimgraph"))
    gazetteer = Gazetteer.load()
    prepared: dict[str, list[Prepared]] = {
        name: prepare(ex, cached, scorer, gazetteer, min_similarity=aggregator.min_similarity)
        for name, ex in sets.items()
    }
    return score_sets(prepared, aggregator, system=label, min_precision=min_precision, baselines=baselines)


def run(data: Path, candidates: Sequence[tuple[str, str, Path | None]]) -> str:
    sets: dict[str, list[ClaimExample]] = public_examples(data, EVALUATION_SETS)
    cached = CachedEmbed()
    shipped, sha = load_aggregator(None, DEFAULT_NLI_MODEL)
    first, _ = load_aggregator(None, FIRST_NLI_MODEL)
    rows = _system(
        f"{DEFAULT_NLI_MODEL}, default point", DEFAULT_NLI_MODEL, "torch", shipped, sets, cached, baselines=True
    )
    rows += _system(
        f"{DEFAULT_NLI_MODEL}, --min-precision {FIRST_DEFAULT_MIN_PRECISION}",
        DEFAULT_NLI_MODEL,
        "torch",
        shipped,
        sets,
        cached,
        min_precision=FIRST_DEFAULT_MIN_PRECISION,
    )
    rows += _system(
        f"previous shipped: {FIRST_NLI_MODEL}, int8, precision ≥ {FIRST_DEFAULT_MIN_PRECISION}",
        FIRST_NLI_MODEL,
        "onnx-int8",
        first,
        sets,
        cached,
        min_precision=FIRST_DEFAULT_MIN_PRECISION,
    )
    for label, model, artefact in candidates:
        aggregator, _ = load_aggregator(artefact, model)
        rows += _system(f"candidate {label}, default point", model, "torch", aggregator, sets, cached)
    order = ("baseline", "previous", "candidate", DEFAULT_NLI_MODEL)
    ranked = sorted(rows, key=lambda r: (list(sets).index(r.dataset), _rank(r.system, order)))
    sizes = ", ".join(f"{name} {len(examples)} ({_labels(examples)})" for name, examples in sets.items())
    point = shipped.default_point or (0.0, 0.0)
    return (
        f"# The whole verifier on held-out claims ({datetime.now(UTC):%Y-%m-%d}, {machine()}, commit {_commit()})\n\n"
        f"Sets: {sizes}. Each claim's candidate sentences are ranked by all-MiniLM-L6-v2 cosine, gated, scored by "
        "the NLI model and aggregated exactly as `kg verify` does. None of these claims was trained on, fitted on "
        f"or used to choose a model. Shipped verifier.json sha256 {sha[:12]}: gate similarity ≥ "
        f"{shipped.min_similarity}; default point P(supported) ≥ {point[0]:.2f}, P(refuted) ≥ {point[1]:.2f}. "
        "NEI rate (truth): the share of NOT_ENOUGH_INFO answers, and of NOT_ENOUGH_INFO gold labels. "
        "SUP/REF P/R: precision and recall of SUPPORTED and REFUTED. ECE: 10 equal-width bins over the "
        "probability of the label given.\n\n"
        + markdown_table(ranked)
        + "\nReproduce: `python -m bench.verifier_eval` (add `--candidate NAME=MODEL[,VERIFIER_JSON]` rows).\n"
    )


def _rank(system: str, order: Sequence[str]) -> int:
    return next((i for i, word in enumerate(order) if word in system), len(order))


def _commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return found.stdout.strip() or "unknown"


def _labels(examples: Sequence[ClaimExample]) -> str:
    counts = {label: sum(e.label == label for e in examples) for label in ("SUPPORTED", "NOT_ENOUGH_INFO", "REFUTED")}
    return ", ".join(f"{k[:3]} {v}" for k, v in counts.items()) + f"; majority {majority_label(examples)[:3]}"


def _candidate(text: str) -> tuple[str, str, Path | None]:
    label, _, rest = text.partition("=")
    model, _, artefact = rest.partition(",")
    return label.strip(), model.strip(), Path(artefact.strip()) if artefact.strip() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/nli"))
    parser.add_argument("--candidate", action="append", default=[], help="NAME=MODEL[,VERIFIER_JSON]")
    parser.add_argument("--output", type=Path, default=RESULTS / "verifier_eval.md")
    args = parser.parse_args()
    table = run(args.data, [_candidate(c) for c in args.candidate])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
