"""The vectorised paraphrase gates agree with ``pair_link``, their definition, on every pair."""

from __future__ import annotations

import numpy as np
import pytest

from kg.paraphrase.gates import FeatureSets, accept_pairs
from kg.paraphrase.links import ClaimFeatures, ClaimText, ParaphraseConfig, pair_link


def random_features(rng: np.random.Generator, count: int) -> list[ClaimFeatures]:
    """Small vocabularies, so that equal sets, subsets and empty sets all occur often."""

    def pick(pool: list[object], most: int) -> frozenset[object]:
        chosen = rng.choice(len(pool), size=int(rng.integers(0, most + 1)), replace=False)
        return frozenset(pool[i] for i in chosen)

    entities: list[object] = [("Benchmark", "XNLI"), ("Benchmark", "PAWS-X"), ("Model", "XLM-R"), ("Language", "de")]
    numbers: list[object] = [2.1, 0.5, 80.0, 3.0]
    tokens: list[object] = [f"t{i}" for i in range(8)]
    return [
        ClaimFeatures(pick(entities, 2), pick(numbers, 2), pick(tokens, 5))  # type: ignore[arg-type]
        for _ in range(count)
    ]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_accept_pairs_matches_pair_link_pair_by_pair(seed: int) -> None:
    rng = np.random.default_rng(seed)
    features = random_features(rng, 60)
    truncated = rng.random(60) < 0.4
    claims = [ClaimText(f"c{i:02d}", f"text {i}", bool(cut)) for i, cut in enumerate(truncated)]
    a, b = rng.integers(0, 60, 3000), rng.integers(0, 60, 3000)
    config = ParaphraseConfig()
    expected = {
        i: link.overlap
        for i in range(len(a))
        if (link := pair_link(claims[a[i]], claims[b[i]], features[a[i]], features[b[i]], 0.9, config)) is not None
    }
    accepted = accept_pairs(features, truncated, a, b, config.min_overlap)
    got = {int(i): round(o, 4) for i, o in zip(accepted.positions, accepted.overlaps.tolist(), strict=True)}
    assert 100 < len(expected) < len(a) - 100  # the draw exercises both outcomes
    assert got == expected


def test_both_sides_cut_needs_the_second_to_be_the_subset() -> None:
    """``pair_link`` is not symmetric when both claims are cut: the order of a pair matters, as it does there."""
    small = ClaimFeatures(frozenset({("Benchmark", "XNLI")}), frozenset(), frozenset({"x", "y"}))
    large = ClaimFeatures(frozenset({("Benchmark", "XNLI"), ("Model", "XLM-R")}), frozenset(), frozenset({"x", "y"}))
    cut = np.array([True, True])
    forward = accept_pairs([large, small], cut, np.array([0]), np.array([1]), 0.6)
    backward = accept_pairs([large, small], cut, np.array([1]), np.array([0]), 0.6)
    assert forward.positions.tolist() == [0]
    assert backward.positions.tolist() == []


def test_feature_sets_count_intersections() -> None:
    sets = FeatureSets([frozenset({"a", "b", "c"}), frozenset({"b", "c", "d"}), frozenset()])
    assert sets.sizes.tolist() == [3, 3, 0]
    assert sets.intersections(np.array([0, 0, 1, 2]), np.array([1, 0, 2, 2])).tolist() == [2, 3, 0, 0]
