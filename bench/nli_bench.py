"""NLI inference speed and quality, three paths on the same pairs in one run.

1. stock: ``sentence_transformers.CrossEncoder(<shipped model>).predict`` in fp32, its defaults;
2. ours, torch fp32: :meth:`kg.nli.model.NLIModel.predict` (length-sorted batches, inference mode);
3. ours, ONNX Runtime fp32 and int8 (dynamic per-channel quantisation of the linear layers).

``--compare FOLDER`` adds the torch and ONNX int8 rows of another model (e.g. the previous
shipped model, ``git show``-ed into a folder) in the same run, on the same pairs.

Pairs: a stratified sample of FEVER ``eval`` (development data; seed 13), so the macro-F1
column is measured on the same pairs that are timed. Run:

    python -m bench.nli_bench --pairs 2000      # ~3 min on 2 cores

Writes ``bench/results/nli_inference.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kg.nli.data import LOADERS, stratified_sample
from kg.nli.evaluate import confusion_matrix, macro_f1
from kg.nli.model import SHIPPED_MODEL, cpu_threads, load_nli_model
from kg.nli.onnx_model import load_onnx_model

RESULTS = Path(__file__).parent / "results"
Predict = Callable[[list[tuple[str, str]]], npt.NDArray[np.float32]]


def stock_predictor() -> Predict:
    import torch
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(str(SHIPPED_MODEL), device="cpu", model_kwargs={"dtype": torch.float32})
    order = load_nli_model().order

    def predict(pairs: list[tuple[str, str]]) -> npt.NDArray[np.float32]:
        logits = np.asarray(model.predict(pairs, batch_size=32, show_progress_bar=False), dtype=np.float32)
        return logits[:, order]  # argmax needs no softmax

    return predict


def timed(predict: Predict, pairs: list[tuple[str, str]]) -> tuple[float, npt.NDArray[np.float32]]:
    predict(pairs[:64])  # warm-up: first-call allocations, lazy init
    start = time.perf_counter()
    probs = predict(pairs)
    return time.perf_counter() - start, probs


def run(n_pairs: int, data: Path, compare: Path | None = None) -> str:
    sample = stratified_sample(LOADERS["fever"](data, "eval"), n_pairs)
    pairs = [(p.premise, p.hypothesis) for p in sample]
    gold = [p.label_id for p in sample]
    torch_model = load_nli_model()
    with tempfile.TemporaryDirectory() as tmp:
        paths: list[tuple[str, Predict]] = [
            ("stock CrossEncoder.predict, torch fp32", stock_predictor()),
            ("ClaimGraph, torch fp32", torch_model.predict),
            ("ClaimGraph, ONNX Runtime fp32", load_onnx_model(torch_model, Path(tmp), "onnx").predict),
            ("ClaimGraph, ONNX Runtime int8", load_onnx_model(torch_model, Path(tmp), "onnx-int8").predict),
        ]
        if compare is not None:
            other = load_nli_model(str(compare))
            paths += [
                (f"{compare.name}, torch fp32", other.predict),
                (f"{compare.name}, ONNX Runtime int8", load_onnx_model(other, Path(tmp), "onnx-int8").predict),
            ]
        rows = []
        for name, predict in paths:
            seconds, probs = timed(predict, pairs)
            predicted = probs.argmax(axis=1).tolist()
            rows.append((name, seconds, macro_f1(confusion_matrix(gold, predicted)), predicted))
    stock_rate = len(pairs) / rows[0][1]
    stock_f1 = rows[0][2]
    where = (
        f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {cpu_threads()} CPU threads "
        f"(of {os.cpu_count()}), python {platform.python_version()}"
    )
    lines = [
        f"# NLI inference on CPU ({where})",
        "",
        f"{len(pairs):,} FEVER eval pairs (stratified, seed 13), shipped model claimgraph-nli-minilm, "
        "max length 256, batch 32 (stock, its default) / 64 torch / 16 ONNX, one timed pass after a 64-pair warm-up.",
        "",
        "| inference path | seconds | pairs/s | × stock | macro-F1 | Δ macro-F1 vs stock (points) "
        "| same label as stock |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, seconds, f1, predicted in rows:
        rate = len(pairs) / seconds
        same = np.mean(np.array(predicted) == np.array(rows[0][3]))
        lines.append(
            f"| {name} | {seconds:.1f} | {rate:.1f} | {rate / stock_rate:.2f} | {f1:.4f} | "
            f"{100 * (f1 - stock_f1):+.2f} | {same:.1%} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/nli"))
    parser.add_argument("--compare", type=Path, default=None, help="another model folder to time on the same pairs")
    args = parser.parse_args()
    table = run(args.pairs, args.data, args.compare)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nli_inference.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
