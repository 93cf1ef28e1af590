"""Does the verifier learn from reviews? A learning curve with simulated reviewers.

Reviewers are simulated by the gold labels of a held-apart set (default: Citation-Integrity dev, which
no model or aggregator was fitted on). In each draw (a seeded shuffle) the claims are split once: the
last ones are the *remaining* claims every row is scored on, the first ones are the pool the reviews
come from. After n reviews (25, 50, 100, 200) the aggregator is refitted exactly as
`kg verifier fit --with-reviews` does (calibration sets + the reviewed claims as one more set) and
scored at its default point on the remaining claims, beside the shipped aggregator (no reviews) on
the same claims. The NLI model is not retrained; only the calibrated aggregator learns.

    python -m bench.review_learning_curve      # about 10 min on 2 cores; writes bench/results/review_learning_curve.md
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import random
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from bench.machine import machine
from kg.extraction.gazetteer import Gazetteer
from kg.nli.model import DEFAULT_NLI_MODEL
from kg.nli.scorer import load_scorer
from kg.settings import Settings
from kg.verify.evaluate import load_aggregator, prepare_sets, public_examples, score_sets
from kg.verify.evidence import DEFAULT_TOP_K
from kg.verify.examples import CALIBRATION_SETS
from kg.verify.fit import fit_aggregator

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
T = TypeVar("T")


def _cached(path: Path, build: Callable[[], T]) -> T:
    """Prepared claims (NLI scores included) kept between runs: scoring them is most of the run."""
    if path.exists():
        with path.open("rb") as handle:
            loaded: T = pickle.load(handle)  # our own cache under build/
            return loaded
    value = build()
    with path.open("wb") as handle:
        pickle.dump(value, handle)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="citint-dev", help="the held-apart set the reviewers' labels come from")
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS / "review_learning_curve.md")
    args = parser.parse_args()
    settings = Settings()
    started = time.monotonic()
    scorer = load_scorer(DEFAULT_NLI_MODEL, settings.nli_backend, settings.data_dir)
    shipped, _ = load_aggregator(None, DEFAULT_NLI_MODEL)
    gazetteer = Gazetteer.load()
    cache = REPO / "build" / "bench-cache"
    cache.mkdir(parents=True, exist_ok=True)
    calibration = _cached(
        cache / "calibration.pkl",
        lambda: prepare_sets(
            public_examples(settings.nli_data, CALIBRATION_SETS), scorer, settings.embedding_model, gazetteer
        ),
    )
    calib_items = [item for name in CALIBRATION_SETS for item in calibration[name]]
    calib_groups = [name for name in CALIBRATION_SETS for _ in calibration[name]]
    # every candidate a gate could admit is scored (min_similarity 0), so each refit's gate decides on scored ones
    target = _cached(
        cache / f"{args.set}.pkl",
        lambda: prepare_sets(
            public_examples(settings.nli_data, [args.set]),
            scorer,
            settings.embedding_model,
            gazetteer,
            aggregator=dataclasses.replace(shipped, min_similarity=0.0),
        ),
    )[args.set]
    pool_size = max(args.sizes)
    if len(target) <= pool_size + 50:
        raise SystemExit(f"{args.set} has {len(target)} claims: too few for {pool_size} reviews and a remainder")
    variants = {"each review weighs as a calibration claim": True, "reviews balanced as a set of their own": False}
    scores: dict[tuple[str, int], list[float]] = {("none", 0): [], ("refitted, no reviews", 0): []}
    # the refit alone, without any review: what separates the reviews' effect from the refit's
    refitted, _ = fit_aggregator(calib_items, DEFAULT_TOP_K, {}, calib_groups)
    scores |= {(variant, n): [] for variant in variants for n in args.sizes}
    remaining_count = len(target) - pool_size
    for draw in range(args.draws):
        order = list(range(len(target)))
        random.Random(draw).shuffle(order)
        pool = [target[i] for i in order[:pool_size]]
        rest = [target[i] for i in order[pool_size:]]
        baseline = score_sets({"rest": rest}, shipped, system="shipped", top_k=DEFAULT_TOP_K)[0].macro_f1
        scores[("none", 0)].append(baseline)
        refit_only = score_sets({"rest": rest}, refitted, system="refitted", top_k=DEFAULT_TOP_K)[0].macro_f1
        scores[("refitted, no reviews", 0)].append(refit_only)
        for variant, natural in variants.items():
            for n in args.sizes:
                aggregator, _ = fit_aggregator(
                    [*calib_items, *pool[:n]],
                    DEFAULT_TOP_K,
                    {},
                    [*calib_groups, *(["reviews"] * n)],
                    unbalanced=frozenset({"reviews"}) if natural else frozenset(),
                )
                row = score_sets({"rest": rest}, aggregator, system=f"{n} reviews", top_k=DEFAULT_TOP_K)[0]
                scores[(variant, n)].append(row.macro_f1)
                print(f"draw {draw}, {variant}, {n}: {row.macro_f1:.3f} (no reviews {baseline:.3f})", flush=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    lines = [
        "# Learning from reviews: macro-F1 on the remaining claims after n simulated reviews",
        "",
        f"`python -m bench.review_learning_curve --set {args.set} --sizes {' '.join(map(str, args.sizes))} "
        f"--draws {args.draws}`",
        f"commit {commit.stdout.strip()}, {datetime.now(UTC):%Y-%m-%d}, {machine()}, "
        f"{time.monotonic() - started:.0f} s",
        "",
        f"Reviewers simulated by {args.set}'s gold labels; every row is scored on the same {remaining_count} "
        f"remaining claims per draw ({args.draws} draws, seeded shuffles); mean ± sd over the draws. "
        "The aggregator is refitted on the calibration sets plus the reviewed claims (one more set, as "
        "`kg verifier fit --with-reviews`); the NLI model is unchanged.",
        "",
        "| weighting | reviews used | macro-F1 on the remaining claims | vs no reviews (mean of the per-draw gains) |",
        "|---|---:|---:|---:|",
    ]
    base = scores[("none", 0)]
    for (variant, n), values in scores.items():
        mean = statistics.mean(values)
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        gain = statistics.mean(v - b for v, b in zip(values, base, strict=True))
        label = ("0 (the shipped aggregator)" if variant == "none" else "0") if n == 0 else str(n)
        lines.append(f"| {variant} | {label} | {mean:.3f} ± {sd:.3f} | {gain:+.3f} |")
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
