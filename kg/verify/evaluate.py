"""Fit and evaluate the whole verifier (retrieval + gate + aggregator) on claim-level examples.

The I/O edge of :mod:`kg.verify.fit` and :mod:`kg.verify.assess`: it loads the NLI scorer
and the sentence encoder, builds or reads the examples, and returns scores and tables.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kg.extraction.gazetteer import Gazetteer
from kg.nli.model import resolve_nli_location
from kg.nli.scorer import Backend, NLIScorer, load_scorer
from kg.verify.aggregate import ARTEFACT, Aggregator, OperatingPoint
from kg.verify.assess import Prepared, decide_prepared, prepare
from kg.verify.evidence import DEFAULT_TOP_K
from kg.verify.examples import CALIBRATION_SETS, PUBLIC_SETS, ClaimExample
from kg.verify.fit import best_cosine_threshold, fit_aggregator
from kg.verify.metrics import VerdictScores, score_verdicts
from schemas.graph import VerdictLabel

Progress = Callable[[int], None]


def _embedder(model: str) -> Callable[[list[str]], Any]:
    from kg.paraphrase.embeddings import embed

    return lambda texts: embed(texts, model)


def public_examples(data_root: Path, names: Sequence[str]) -> dict[str, list[ClaimExample]]:
    return {name: PUBLIC_SETS[name](data_root) for name in names}


def prepare_sets(
    sets: dict[str, list[ClaimExample]],
    scorer: NLIScorer,
    embedding_model: str,
    gazetteer: Gazetteer,
    progress: Progress | None = None,
    *,
    aggregator: Aggregator | None = None,
    top_k: int = DEFAULT_TOP_K,
) -> dict[str, list[Prepared]]:
    """Prepared claims per set; with ``aggregator``, every sentence its gate admits is scored (evaluation)."""
    embed = _embedder(embedding_model)
    gate = aggregator.min_similarity if aggregator is not None else None
    return {
        name: prepare(examples, embed, scorer, gazetteer, min_similarity=gate, top_k=top_k, on_progress=progress)
        for name, examples in sets.items()
    }


def fit(
    model: str,
    backend: Backend,
    data_root: Path,
    cache_dir: Path,
    embedding_model: str,
    *,
    top_k: int = DEFAULT_TOP_K,
    output: Path | None = None,
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
    reviews: Sequence[ClaimExample] = (),
) -> tuple[Aggregator, dict[str, Any], Path]:
    """Fit on the calibration sets and write ``verifier.json`` (beside the model unless ``output`` is given).

    ``reviews``: claims people labelled (``--with-reviews``), a calibration set of their own: the
    balancing weights give it the weight of one set, and the default point must hold on it too.
    """
    sets = public_examples(data_root, CALIBRATION_SETS)
    names = list(CALIBRATION_SETS)
    if reviews:
        sets["reviews"] = list(reviews)
        names.append("reviews")
    if on_start:
        on_start(sum(len(v) for v in sets.values()))
    scorer = load_scorer(model, backend, cache_dir)
    prepared = prepare_sets(sets, scorer, embedding_model, Gazetteer.load(), progress)
    items = [item for name in names for item in prepared[name]]
    groups = [name for name in names for _ in prepared[name]]
    provenance = {
        "nli_model": Path(resolve_nli_location(model)).name,
        "nli_weights_sha256": scorer.weights_sha256,
        "nli_backend": scorer.backend,
        "embedding_model": embedding_model,
        "top_k": top_k,
        "calibration_sets": {name: len(sets[name]) for name in names},
        "cosine_baseline_threshold": best_cosine_threshold(items),
        "reproduce": f"kg verifier fit --model {model} --backend {backend}" + (" --with-reviews" if reviews else ""),
    }
    aggregator, report = fit_aggregator(items, top_k, provenance, groups, unbalanced=frozenset({"reviews"}))
    target = output or Path(resolve_nli_location(model)) / ARTEFACT
    aggregator.save(target)
    return aggregator, report, target


def majority_label(examples: Sequence[ClaimExample]) -> VerdictLabel:
    counts = Counter(e.label for e in examples)
    return max(sorted(counts), key=lambda label: counts[label])


def score_sets(
    prepared: dict[str, list[Prepared]],
    aggregator: Aggregator,
    *,
    system: str,
    min_precision: float | None = None,
    top_k: int = DEFAULT_TOP_K,
    baselines: bool = False,
) -> list[VerdictScores]:
    point = OperatingPoint.of(aggregator, min_precision)
    rows: list[VerdictScores] = []
    cosine = float(aggregator.provenance.get("cosine_baseline_threshold", 0.5))
    for name, items in prepared.items():
        gold = [item.example.label for item in items]
        if baselines:
            majority = majority_label([i.example for i in items])
            rows.append(score_verdicts("majority baseline", name, gold, [majority] * len(items)))
            rows.append(
                score_verdicts(
                    f"all-MiniLM-L6-v2 cosine ≥ {cosine:.2f} baseline",
                    name,
                    gold,
                    ["SUPPORTED" if max(i.similarity, default=0.0) >= cosine else "NOT_ENOUGH_INFO" for i in items],
                )
            )
        decisions = [decide_prepared(item, aggregator, point, top_k) for item in items]
        rows.append(score_verdicts(system, name, gold, [d.verdict for d in decisions], [d.score for d in decisions]))
    return rows


def load_aggregator(path: Path | None, model: str) -> tuple[Aggregator, str]:
    """The aggregator (and the sha256 of its file): ``path``, else ``verifier.json`` beside ``model``,
    else the shipped model's (an aggregator fitted for another model is better than none, and
    ``kg verifier fit --model`` fits one for yours)."""
    from kg.nli.model import DEFAULT_NLI_MODEL

    if path is None:
        path = Path(resolve_nli_location(model)) / ARTEFACT
        if not path.exists():
            path = Path(resolve_nli_location(DEFAULT_NLI_MODEL)) / ARTEFACT
    aggregator = Aggregator.load(path)
    return aggregator, hashlib.sha256(path.read_bytes()).hexdigest()


def markdown_table(rows: Sequence[VerdictScores]) -> str:
    def f(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    lines = [
        "| dataset | claims | system | macro-F1 | NEI rate (truth) | SUP P | SUP R | REF P | REF R | ECE |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        truth = sum(r.confusion[1]) / r.claims if r.claims else 0.0
        lines.append(
            f"| {r.dataset} | {r.claims} | {r.system} | {f(r.macro_f1)} | {f(r.nei_rate)} ({truth:.2f}) | "
            f"{f(r.supported_precision)} | {f(r.supported_recall)} | {f(r.refuted_precision)} | "
            f"{f(r.refuted_recall)} | {f(r.ece)} |"
        )
    return "\n".join(lines) + "\n"
