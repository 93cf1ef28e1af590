"""The paraphrase gates of :func:`kg.paraphrase.pair_link`, over many candidate pairs at once.

A first pass over 46k claims judges about a million candidate pairs; one Python call of
``pair_link`` each was most of the pass's own CPU, and the pass runs beside the encoding
child, so that CPU came out of the encoder's. Here each claim's feature set is a row of a
sparse 0/1 matrix, so ``|A ∩ B|`` for every pair is one elementwise product, and the
gates become array comparisons. ``pair_link`` stays the definition: the tests check that
both agree on every pair.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from kg.ann import Rows
from kg.paraphrase import ClaimFeatures

PAIRS_PER_PRODUCT = 1 << 18  # bounds the temporary matrices (two rows per pair) to tens of MB


class FeatureSets:
    """Sets as the rows of a sparse 0/1 matrix: sizes and pairwise intersection sizes, vectorised."""

    def __init__(self, sets: Sequence[frozenset[Hashable]]) -> None:
        vocabulary: dict[Hashable, int] = {}
        indptr = np.zeros(len(sets) + 1, dtype=np.int64)
        columns: list[int] = []
        for i, items in enumerate(sets):
            columns.extend(vocabulary.setdefault(item, len(vocabulary)) for item in items)
            indptr[i + 1] = len(columns)
        self.sizes: Rows = np.diff(indptr)
        ones = np.ones(len(columns), dtype=np.int32)
        shape = (len(sets), max(len(vocabulary), 1))
        self._matrix = sparse.csr_matrix((ones, np.asarray(columns, dtype=np.int64), indptr), shape=shape)
        self._matrix.sort_indices()

    def intersections(self, a: Rows, b: Rows) -> Rows:
        """``|set[a[i]] ∩ set[b[i]]|`` for every i."""
        out = np.zeros(len(a), dtype=np.int64)
        for start in range(0, len(a), PAIRS_PER_PRODUCT):
            part = slice(start, start + PAIRS_PER_PRODUCT)
            product = self._matrix[a[part]].multiply(self._matrix[b[part]])
            out[part] = np.asarray(product.sum(axis=1)).ravel()
        return out


@dataclass(frozen=True)
class Accepted:
    """The pairs that pass, as positions into the pairs given, with their token-overlap coefficients."""

    positions: Rows
    overlaps: npt.NDArray[np.float64]


def accept_pairs(
    features: Sequence[ClaimFeatures], truncated: npt.NDArray[np.bool_], a: Rows, b: Rows, min_overlap: float
) -> Accepted:
    """The entity, number and overlap gates of ``pair_link(claim[a[i]], claim[b[i]], …)`` for every i.

    ``a`` is ``pair_link``'s first argument: when both sides are cut, the second must be the subset.
    Each gate runs only on the pairs the gates before it let through.
    """
    small_is_a = truncated[a] & ~truncated[b]
    small_cut = small_is_a | truncated[b]
    alive = np.arange(len(a), dtype=np.int64)
    for sets in (
        FeatureSets([f.entities for f in features]),
        FeatureSets([f.numbers for f in features]),
    ):
        pa, pb, is_a = a[alive], b[alive], small_is_a[alive]
        common = sets.intersections(pa, pb)
        size_a, size_b = sets.sizes[pa], sets.sizes[pb]
        small, large = np.where(is_a, size_a, size_b), np.where(is_a, size_b, size_a)
        alive = alive[(common == small) & (small_cut[alive] | (small == large))]
    tokens = FeatureSets([f.tokens for f in features])
    pa, pb = a[alive], b[alive]
    smaller = np.minimum(tokens.sizes[pa], tokens.sizes[pb])
    overlaps = np.where(smaller > 0, tokens.intersections(pa, pb) / np.maximum(smaller, 1), 0.0)
    passing = overlaps >= min_overlap
    return Accepted(alive[passing], overlaps[passing])
