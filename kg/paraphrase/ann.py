"""Approximate nearest neighbours over unit vectors: the candidate generator of the paraphrase pass.

faiss-cpu's ``IndexHNSWFlat`` (inner product, so cosine for unit vectors). Chosen by
``bench/ann_choice.py`` (50k clustered 384-d vectors): faiss, hnswlib and usearch all found
every pair at cosine ≥ 0.75; faiss built and searched within 10 % of hnswlib, which ships
only as a source distribution (a C++ compiler at install time), and faiss had the best
recall@16. The flat storage keeps the exact vectors, so the cosine a link records is exact;
only *which* pairs are looked at is approximate.

Below :data:`EXACT_BELOW` vectors a chunked matrix product is both exact and faster than
building a graph, so small corpora (the seeds, tests) never touch the approximation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
Rows = npt.NDArray[np.int64]

EXACT_BELOW = 4096
HNSW_M = 16
EF_CONSTRUCTION = 80
#: the search's candidate list. In a crowded corpus (a templated claim has hundreds of look-alikes above the
#: threshold) a list of 64 lost true neighbours ranked 11-14 of a query, and which ones it lost changed with
#: the last bits of the vectors: at 10k reports, 531 of the 1,391 links bf16 and fp32 disagreed on. 256: 111.
#: Tried and dropped: 64 for the first round only (most queries end there): the pass took as long (63 s of
#: its own work at 10k against 62 s) and agreed less with fp32 (99.52 % against 99.63 %).
EF_SEARCH = 256
FIRST_K = 16


def _faiss() -> Any:
    import faiss

    return faiss


class Hits(NamedTuple):
    """Search hits, one per (query, neighbour): ``queries[i]`` found row ``rows[i]`` at cosine ``scores[i]``."""

    queries: Rows
    rows: Rows
    scores: Matrix


class VectorIndex:
    """An HNSW graph over rows 0..n-1; rows are never renumbered (removal is a tombstone the caller keeps)."""

    def __init__(self, dim: int, index: Any = None) -> None:
        faiss = _faiss()
        self.dim = dim
        if index is None:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = EF_CONSTRUCTION
        index.hnsw.efSearch = EF_SEARCH
        self._index = index

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: Matrix) -> None:
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def vectors(self, start: int, stop: int) -> Matrix:
        """The stored vectors of rows ``start..stop-1`` (the flat storage keeps them exactly)."""
        stop = min(stop, len(self))
        if stop <= start:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._index.reconstruct_n(start, stop - start), dtype=np.float32)

    def neighbours(self, queries: Matrix, min_cosine: float, max_neighbours: int = 10**9) -> Hits:
        """Each query's nearest rows at cosine ≥ ``min_cosine``, at most ``max_neighbours`` of them, as flat
        arrays ordered by query, then nearest first.

        k grows (×4) for the queries whose k-th neighbour is still above the threshold, up to the cap.
        Arrays, not a list per query: a first pass over 46k claims finds two million hits.
        """
        pending = np.arange(len(queries), dtype=np.int64)
        cap = min(len(self), max_neighbours)
        parts: list[Hits] = []
        k = FIRST_K
        while len(pending) and cap > 0:
            k_now = min(k, cap)
            scores, rows = self._index.search(np.ascontiguousarray(queries[pending], dtype=np.float32), k_now)
            kept = (rows >= 0) & (scores >= min_cosine)
            again = (kept.sum(axis=1) == k_now) & (k_now < cap)
            done = ~again
            at_query, at_rank = np.nonzero(kept[done])  # row-major: by query, then rank
            parts.append(
                Hits(
                    pending[done][at_query],
                    rows[done][at_query, at_rank].astype(np.int64),
                    scores[done][at_query, at_rank],
                )
            )
            pending = pending[again]
            k *= 4
        if not parts:
            return Hits(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
        queries_of = np.concatenate([p.queries for p in parts])
        order = np.argsort(queries_of, kind="stable")
        return Hits(
            queries_of[order],
            np.concatenate([p.rows for p in parts])[order],
            np.concatenate([p.scores for p in parts])[order],
        )

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        _faiss().write_index(self._index, str(tmp))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, dim: int) -> VectorIndex:
        index = _faiss().read_index(str(path))
        if index.d != dim:
            raise ValueError(f"{path} holds {index.d}-d vectors, expected {dim}")
        return cls(dim, index)


def pairs_within(vectors: Matrix, min_cosine: float, max_neighbours: int = 10**9) -> Iterator[tuple[int, int, float]]:
    """Pairs (i < j) of rows at cosine ≥ ``min_cosine``: all of them for small sets (exact); above, each row's
    ``max_neighbours`` nearest (HNSW)."""
    n = len(vectors)
    if n < 2:
        return
    if n < EXACT_BELOW:
        chunk = 1024
        for start in range(0, n, chunk):
            sims = vectors[start : start + chunk] @ vectors.T
            rows, cols = np.nonzero(sims >= min_cosine)
            for r, j in zip(rows.tolist(), cols.tolist(), strict=True):
                if j > start + r:
                    yield start + r, j, float(sims[r, j])
        return
    index = VectorIndex(vectors.shape[1])
    index.add(vectors)
    hits = index.neighbours(vectors, min_cosine, max_neighbours + 1)  # +1: a row finds itself
    first = first_hit_of_each_pair(hits.queries, hits.rows)
    low, high = np.minimum(hits.queries, hits.rows)[first], np.maximum(hits.queries, hits.rows)[first]
    order = np.lexsort((high, low))
    yield from zip(low[order].tolist(), high[order].tolist(), hits.scores[first][order].tolist(), strict=True)


def first_hit_of_each_pair(a: Rows, b: Rows) -> Rows:
    """Positions of the first hit ``(a[i], b[i])`` of each unordered pair of distinct rows, in hit order.

    Both ends of a pair may find each other; the first hit decides which way round it is judged.
    """
    if not len(a):
        return np.zeros(0, dtype=np.int64)
    span = int(max(a.max(), b.max())) + 1
    distinct = np.flatnonzero(a != b)
    low, high = np.minimum(a, b)[distinct], np.maximum(a, b)[distinct]
    _, first = np.unique(low * span + high, return_index=True)
    return np.sort(distinct[first])
