"""Which approximate-nearest-neighbour library links paraphrases: usearch vs hnswlib vs faiss-cpu (HNSW).

Clustered unit vectors of all-MiniLM-L6-v2's width (384): near-duplicate groups, the shape of paraphrased
claims. Each library builds an HNSW index over ``--n`` vectors, then answers the k nearest neighbours of
every vector; recall@k is against exact search (numpy). Build and query on 2 cores.

    python -m bench.ann_choice --n 50000      # writes bench/results/ann_choice.md
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

RESULTS = Path(__file__).parent / "results"
DIM, K = 384, 16
Matrix = npt.NDArray[np.float32]


def vectors(n: int, seed: int = 13) -> Matrix:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n // 4, DIM)).astype(np.float32)
    data = centres[rng.integers(0, len(centres), n)] + 0.35 * rng.normal(size=(n, DIM)).astype(np.float32)
    unit: Matrix = (data / np.linalg.norm(data, axis=1, keepdims=True)).astype(np.float32)
    return unit


THRESHOLD = 0.75  # the paraphrase pass's default minimum cosine


def exact(data: Matrix) -> tuple[npt.NDArray[np.int64], list[set[int]]]:
    """The exact top-k of every vector, and its neighbours at or above the paraphrase threshold."""
    out = np.empty((len(data), K), dtype=np.int64)
    close: list[set[int]] = []
    for start in range(0, len(data), 2048):
        sims = data[start : start + 2048] @ data.T
        top = np.argpartition(-sims, K, axis=1)[:, :K]
        order = np.take_along_axis(sims, top, axis=1).argsort(axis=1)[:, ::-1]
        out[start : start + 2048] = np.take_along_axis(top, order, axis=1)
        close += [set(np.nonzero(row >= THRESHOLD)[0].tolist()) for row in sims]
    return out, close


def with_usearch(data: Matrix) -> tuple[float, float, npt.NDArray[np.int64]]:
    from usearch.index import Index

    index = Index(ndim=DIM, metric="cos", dtype="f32", connectivity=16, expansion_add=128, expansion_search=64)
    t = time.perf_counter()
    index.add(np.arange(len(data)), data)
    built = time.perf_counter() - t
    t = time.perf_counter()
    found = index.search(data, K).keys
    return built, time.perf_counter() - t, np.asarray(found, dtype=np.int64)


def with_hnswlib(data: Matrix) -> tuple[float, float, npt.NDArray[np.int64]]:
    import hnswlib

    index = hnswlib.Index(space="cosine", dim=DIM)
    index.init_index(max_elements=len(data), ef_construction=128, M=16)
    t = time.perf_counter()
    index.add_items(data, np.arange(len(data)))
    built = time.perf_counter() - t
    index.set_ef(64)
    t = time.perf_counter()
    labels, _ = index.knn_query(data, k=K)
    return built, time.perf_counter() - t, labels.astype(np.int64)


def with_faiss(data: Matrix) -> tuple[float, float, npt.NDArray[np.int64]]:
    import faiss

    index = faiss.IndexHNSWFlat(DIM, 16, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 128
    t = time.perf_counter()
    index.add(data)
    built = time.perf_counter() - t
    index.hnsw.efSearch = 64
    t = time.perf_counter()
    _, labels = index.search(data, K)
    return built, time.perf_counter() - t, labels.astype(np.int64)


def recall(found: npt.NDArray[np.int64], truth: npt.NDArray[np.int64]) -> float:
    hits = sum(len(set(f.tolist()) & set(t.tolist())) for f, t in zip(found, truth, strict=True))
    return hits / truth.size


def recall_close(found: npt.NDArray[np.int64], close: list[set[int]]) -> float:
    """Of the pairs at cosine ≥ THRESHOLD (the ones the paraphrase pass looks at), the share the top-k holds."""
    wanted = sum(len(c) for c in close)
    hits = sum(len(set(f.tolist()) & c) for f, c in zip(found, close, strict=True))
    return hits / wanted if wanted else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50_000)
    args = parser.parse_args()
    data = vectors(args.n)
    t = time.perf_counter()
    truth, close = exact(data)
    exact_s = time.perf_counter() - t
    libraries: dict[str, Callable[[Matrix], tuple[float, float, npt.NDArray[np.int64]]]] = {
        "usearch 2.26 (HNSW, M=16)": with_usearch,
        "hnswlib 0.8 (HNSW, M=16)": with_hnswlib,
        "faiss-cpu 1.15 (IndexHNSWFlat, M=16)": with_faiss,
    }
    lines = [
        f"# ANN libraries for paraphrase candidates ({args.n:,} vectors × {DIM}, k={K}, {os.cpu_count()} CPUs)",
        "",
        f"Exact search (numpy, chunked): {exact_s:.1f} s. Reproduce: `python -m bench.ann_choice --n {args.n}`.",
        "",
        "| library | build s | query all s | queries/s | recall@16 | recall of pairs ≥ 0.75 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, run in libraries.items():
        built, queried, found = run(data)
        lines.append(
            f"| {name} | {built:.1f} | {queried:.1f} | {args.n / queried:,.0f} | {recall(found, truth):.3f} "
            f"| {recall_close(found, close):.3f} |"
        )
    table = "\n".join(lines) + "\n"
    pairs = sum(len(c) for c in close)
    table += f"\n{pairs:,} (vector, neighbour) pairs at cosine ≥ {THRESHOLD} (self included).\n"
    (RESULTS / "ann_choice.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
