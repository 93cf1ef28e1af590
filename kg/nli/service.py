"""Evaluation as one call for the CLI: load data, score the model (and the baseline), optionally write the card."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel

from kg.errors import InputError
from kg.nli.card import render_card
from kg.nli.data import load
from kg.nli.evaluate import EvalResult, best_threshold, cosine_baseline, score
from kg.nli.model import load_nli_model, resolve_nli_location
from kg.settings import DEFAULT_EMBEDDING_MODEL

EVAL_SETS = ("fever", "snli", "citint", "healthver")


class EvalReport(BaseModel):
    model: str
    results: list[EvalResult]
    baseline: list[EvalResult] = []
    baseline_threshold: float | None = None


def evaluate_model(
    model_name: str, data: str, data_dir: Path, *, limit: int = 0, baseline: bool = False, write_card: bool = False
) -> EvalReport:
    if not data_dir.is_dir():
        raise InputError(f"NLI data folder {data_dir} does not exist (set --data-dir or CLAIMGRAPH_NLI_DATA)")
    names = EVAL_SETS if data == "all" else (data,)
    model = load_nli_model(model_name)
    report = EvalReport(model=model_name, results=[])
    threshold = None
    if baseline:
        dev = load(data_dir, "snli", "train")[: limit or None]
        from kg.paraphrase.embeddings import embed

        a = embed([p.premise for p in dev], DEFAULT_EMBEDDING_MODEL)
        b = embed([p.hypothesis for p in dev], DEFAULT_EMBEDDING_MODEL)
        threshold = best_threshold(np.sum(a * b, axis=1).tolist(), [p.label_id for p in dev])
        report.baseline_threshold = threshold
    for name in names:
        pairs = load(data_dir, name, "eval")
        if limit:
            pairs = pairs[:limit]
        gold = [p.label_id for p in pairs]
        probs = model.predict([(p.premise, p.hypothesis) for p in pairs])
        report.results.append(score(name, model_name, gold, probs.argmax(axis=1).tolist()))
        if threshold is not None:
            predicted = cosine_baseline(
                [p.premise for p in pairs], [p.hypothesis for p in pairs], threshold, DEFAULT_EMBEDDING_MODEL
            )
            report.baseline.append(score(name, "all-MiniLM-L6-v2 cosine baseline", gold, predicted))
    if write_card:
        folder = Path(resolve_nli_location(model_name))
        if not (folder / "training.json").exists():
            raise InputError(f"{folder} has no training.json: only models trained by `kg nli train` get a card")
        (folder / "README.md").write_text(
            render_card(folder, report.results, report.baseline, threshold), encoding="utf-8"
        )
    return report
