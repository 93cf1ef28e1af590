"""The paraphrase gates of :func:`kg.paraphrase.links.pair_link`, over many candidate pairs at once.

A first pass over 46k claims judges about a million candidate pairs; one Python call of
``pair_link`` each was most of the pass's own CPU, and the pass runs beside the encoding
child, so that CPU came out of the encoder's. Here each claim's feature set is a row of a
sparse 0/1 matrix, so ``|A ∩ B|`` for every pair is one elementwise product, and the
gates become array comparisons. ``pair_link`` stays the definition: the tests check that
both agree on every pair.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from kg.paraphrase.ann import Rows
from kg.paraphrase.links import ClaimFeatures

PAIRS_PER_PRODUCT = 1 << 18  # bounds the temporary matrices (two rows per pair) to tens of MB


class FeatureSets:
    """Sets as the rows of a sparse 0/1 matrix: sizes and pairwise intersection sizes, vectorised.

    Rows can be appended: a pass meets its claims block by block, and rebuilding every row's set from
    Python objects for each block (18 blocks at 296k claims, most rows met again in each) was a third of
    its linking time. The matrix is rebuilt from the flat arrays, in numpy, only when rows were added.
    """

    def __init__(self, sets: Iterable[frozenset[Hashable]] = ()) -> None:
        self._vocabulary: dict[Hashable, int] = {}
        self._columns = array("q")
        self._indptr = array("q", [0])
        self._matrix: sparse.csr_matrix | None = None
        self._sizes: Rows = np.zeros(0, dtype=np.int64)
        self.extend(sets)

    def __len__(self) -> int:
        return len(self._indptr) - 1

    def extend(self, sets: Iterable[frozenset[Hashable]]) -> None:
        vocabulary, columns, indptr = self._vocabulary, self._columns, self._indptr
        for items in sets:
            # sorted within a row: the canonical CSR form scipy's elementwise product needs, without a sort pass
            columns.extend(sorted(vocabulary.setdefault(item, len(vocabulary)) for item in items))
            indptr.append(len(columns))
        self._matrix = None

    @property
    def sizes(self) -> Rows:
        self._built()
        return self._sizes

    def _built(self) -> sparse.csr_matrix:
        if self._matrix is None:
            indptr = np.array(self._indptr, dtype=np.int64)  # copies: the arrays keep growing
            columns = np.array(self._columns, dtype=np.int64)
            shape = (len(self), max(len(self._vocabulary), 1))
            self._matrix = sparse.csr_matrix((np.ones(len(columns), dtype=np.int32), columns, indptr), shape=shape)
            self._matrix.has_sorted_indices = True
            self._sizes = np.diff(indptr)
        return self._matrix

    def intersections(self, a: Rows, b: Rows) -> Rows:
        """``|set[a[i]] ∩ set[b[i]]|`` for every i."""
        matrix = self._built()
        out = np.zeros(len(a), dtype=np.int64)
        for start in range(0, len(a), PAIRS_PER_PRODUCT):
            part = slice(start, start + PAIRS_PER_PRODUCT)
            product = matrix[a[part]].multiply(matrix[b[part]])
            out[part] = np.asarray(product.sum(axis=1)).ravel()
        return out


class GateTable:
    """What the gates read of many claims, one row per claim: entity, number and token sets, cut or not.

    Rows are appended as a pass meets claims (:meth:`extend`); :meth:`accept` judges pairs of rows.
    """

    def __init__(self, features: Sequence[ClaimFeatures] = (), truncated: Iterable[bool] = ()) -> None:
        self.entities, self.numbers, self.tokens = FeatureSets(), FeatureSets(), FeatureSets()
        self._truncated = array("b")
        self.extend(features, truncated)

    def __len__(self) -> int:
        return len(self._truncated)

    def extend(self, features: Sequence[ClaimFeatures], truncated: Iterable[bool]) -> None:
        self.entities.extend(f.entities for f in features)
        self.numbers.extend(f.numbers for f in features)
        self.tokens.extend(f.tokens for f in features)
        self._truncated.extend(bool(cut) for cut in truncated)
        if len(self._truncated) != len(self.tokens):
            raise ValueError("one truncated flag per claim's features")

    def accept(self, a: Rows, b: Rows, min_overlap: float) -> Accepted:
        """The entity, number and overlap gates of ``pair_link(claim[a[i]], claim[b[i]], …)`` for every i.

        ``a`` is ``pair_link``'s first argument: when both sides are cut, the second must be the subset.
        Each gate runs only on the pairs the gates before it let through.
        """
        truncated = np.array(self._truncated, dtype=bool)
        small_is_a = truncated[a] & ~truncated[b]
        small_cut = small_is_a | truncated[b]
        alive = np.arange(len(a), dtype=np.int64)
        for sets in (self.entities, self.numbers):
            pa, pb, is_a = a[alive], b[alive], small_is_a[alive]
            common = sets.intersections(pa, pb)
            size_a, size_b = sets.sizes[pa], sets.sizes[pb]
            small, large = np.where(is_a, size_a, size_b), np.where(is_a, size_b, size_a)
            alive = alive[(common == small) & (small_cut[alive] | (small == large))]
        tokens = self.tokens
        pa, pb = a[alive], b[alive]
        smaller = np.minimum(tokens.sizes[pa], tokens.sizes[pb])
        overlaps = np.where(smaller > 0, tokens.intersections(pa, pb) / np.maximum(smaller, 1), 0.0)
        passing = overlaps >= min_overlap
        return Accepted(alive[passing], overlaps[passing])


@dataclass(frozen=True)
class Accepted:
    """The pairs that pass, as positions into the pairs given, with their token-overlap coefficients."""

    positions: Rows
    overlaps: npt.NDArray[np.float64]


def accept_pairs(
    features: Sequence[ClaimFeatures], truncated: npt.NDArray[np.bool_], a: Rows, b: Rows, min_overlap: float
) -> Accepted:
    """:meth:`GateTable.accept` over a table of ``features`` (one row each, ``truncated`` aligned)."""
    return GateTable(features, truncated.tolist()).accept(a, b, min_overlap)
