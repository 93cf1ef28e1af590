"""NLI inference paths side by side in one run: speed, agreement, batch invariance, quality, the probe.

For the previous shipped model (claimgraph-nli-minilm) and the default (claimgraph-nli-minilm-v2):

* torch fp32 and torch bf16 (``torch.autocast``; the default where the CPU has amx_bf16 or
  avx512_bf16), through :meth:`kg.nli.model.NLIModel.predict` (pairs padded to a bucket of
  their own length, so batch-invariant);
* ONNX Runtime int8 (dynamic quantisation: activation scales per batch);
* the stock ``sentence_transformers.CrossEncoder.predict`` fp32 of the previous model, as the
  reference speed.

Columns: pairs/s; the share of labels equal to the same model's fp32; batch mixing, the
largest |Δp| of a pair scored alone against the same pair scored among all the others;
macro-F1 on the timed pairs (FEVER eval, stratified, and SciFact dev's evaluation half, none
trained on); accuracy on the hand-written probe (tests/data/nli_probe.jsonl: negation,
direction words, numbers, hedges).

    python -m bench.nli_bench --pairs 1000      # ~6 min on 2 cores

Writes ``bench/results/nli_inference.md``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.machine import machine
from kg.nli.data import LOADERS, load, stratified_sample
from kg.nli.evaluate import confusion_matrix, macro_f1
from kg.nli.labels import LABELS
from kg.nli.model import DEFAULT_NLI_MODEL, FIRST_NLI_MODEL, MODELS_DIR, cpu_threads, load_nli_model
from kg.nli.onnx_model import load_onnx_model

RESULTS = Path(__file__).parent / "results"
Predict = Callable[[list[tuple[str, str]]], npt.NDArray[np.float32]]


PROBE = Path(__file__).parents[1] / "tests" / "data" / "nli_probe.jsonl"
MIXING_PAIRS = 60


def stock_predictor(folder: Path) -> Predict:
    import torch
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(str(folder), device="cpu", model_kwargs={"dtype": torch.float32})
    order = load_nli_model(FIRST_NLI_MODEL).order

    def predict(pairs: list[tuple[str, str]]) -> npt.NDArray[np.float32]:
        logits = np.asarray(model.predict(pairs, batch_size=32, show_progress_bar=False), dtype=np.float32)
        logits = logits[:, order]
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float32)

    return predict


def timed(predict: Predict, pairs: list[tuple[str, str]]) -> tuple[float, npt.NDArray[np.float32]]:
    predict(pairs[:64])  # warm-up: first-call allocations, lazy init
    start = time.perf_counter()
    probs = predict(pairs)
    return time.perf_counter() - start, probs


def probe_accuracy(predict: Predict) -> float:
    rows = [json.loads(line) for line in PROBE.read_text(encoding="utf-8").splitlines() if line.strip()]
    probs = predict([(r["premise"], r["hypothesis"]) for r in rows])
    return float(np.mean([LABELS[int(i)] == r["label"] for i, r in zip(probs.argmax(axis=1), rows, strict=True)]))


def mixing(predict: Predict, pairs: list[tuple[str, str]], together: npt.NDArray[np.float32]) -> float:
    """Largest |Δp| between a pair scored alone and the same pair scored among all the others."""
    alone = np.vstack([predict([pair]) for pair in pairs[:MIXING_PAIRS]])
    return float(np.abs(alone - together[:MIXING_PAIRS]).max())


def _paths(tmp: Path) -> list[tuple[str, str, Predict]]:
    """(model, path, predict) rows; each model's fp32 row comes first (the agreement reference)."""
    rows: list[tuple[str, str, Predict]] = [
        (FIRST_NLI_MODEL, "stock CrossEncoder fp32", stock_predictor(MODELS_DIR / FIRST_NLI_MODEL))
    ]
    for name in (FIRST_NLI_MODEL, DEFAULT_NLI_MODEL):
        fp32 = replace(load_nli_model(name), precision="fp32")
        bf16 = replace(fp32, precision="bf16")
        rows += [
            (name, "torch fp32", fp32.predict),
            (name, "torch bf16", bf16.predict),
            (name, "ONNX Runtime int8", load_onnx_model(fp32, tmp / name, "onnx-int8").predict),
        ]
    return rows


def run(n_pairs: int, data: Path) -> str:
    sample = stratified_sample(LOADERS["fever"](data, "eval"), n_pairs) + load(data, "scifact", "eval")
    pairs = [(p.premise, p.hypothesis) for p in sample]
    gold = [p.label_id for p in sample]
    lines = [
        f"# NLI inference paths ({datetime.now(UTC):%Y-%m-%d}, {machine()}, {cpu_threads()} torch threads)",
        "",
        f"{len(pairs):,} pairs: {n_pairs:,} FEVER eval (stratified, seed 13) and SciFact dev's evaluation half. "
        "Max length 256, batch 64 (stock: 32), one timed pass after a 64-pair warm-up. Reproduce: "
        f"`python -m bench.nli_bench --pairs {n_pairs}`.",
        "",
        "| model | inference path | pairs/s | × stock | same label as its fp32 | batch mixing max abs Δp "
        "| macro-F1 | probe accuracy |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        stock_rate = 0.0
        reference: dict[str, list[int]] = {}
        for model, path, predict in _paths(Path(tmp)):
            seconds, probs = timed(predict, pairs)
            predicted = probs.argmax(axis=1).tolist()
            rate = len(pairs) / seconds
            stock_rate = stock_rate or rate
            if path == "torch fp32":
                reference[model] = predicted
            same = np.mean(np.array(predicted) == np.array(reference.get(model, predicted)))
            lines.append(
                f"| {model} | {path} | {rate:.1f} | {rate / stock_rate:.2f} | {same:.1%} | "
                f"{mixing(predict, pairs, probs):.1e} | {macro_f1(confusion_matrix(gold, predicted)):.4f} | "
                f"{probe_accuracy(predict):.3f} |"
            )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/nli"))
    args = parser.parse_args()
    table = run(args.pairs, args.data)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nli_inference.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
