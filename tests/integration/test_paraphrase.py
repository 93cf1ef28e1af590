"""Paraphrase linking: each gate in isolation (pure, hand-made vectors) and the seed result."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from claimgraph.services import ClaimGraph
from kg.gazetteer import Gazetteer
from kg.paraphrase import ClaimText, EmbeddingCache, ParaphraseConfig, find_paraphrases
from kg.settings import Settings


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def pairs(claims: list[ClaimText], vectors: list[np.ndarray], gazetteer: Gazetteer) -> list[tuple[str, str]]:
    links = find_paraphrases(claims, np.stack(vectors), gazetteer, ParaphraseConfig())
    return [(link.a, link.b) for link in links]


def test_similar_texts_with_same_entities_are_linked(gazetteer: Gazetteer) -> None:
    claims = [
        ClaimText("a", "Most embedding alignment methods require additional supervision signals.", False),
        ClaimText("b", "Most approaches for embedding alignment require additional supervision signals.", False),
    ]
    assert pairs(claims, [unit(1, 0.1), unit(1, 0.2)], gazetteer) == [("a", "b")]


def test_low_cosine_is_not_linked(gazetteer: Gazetteer) -> None:
    claims = [
        ClaimText("a", "Same words here and there.", False),
        ClaimText("b", "Same words here and there!", False),
    ]
    assert pairs(claims, [unit(1, 0), unit(0, 1)], gazetteer) == []


def test_different_entities_block_a_link(gazetteer: Gazetteer) -> None:
    claims = [
        ClaimText("a", "XTREME and XGLUE provide benchmarks for zero-shot transfer.", False),
        ClaimText("b", "XTREME provides benchmarks for zero-shot transfer.", False),
    ]
    assert pairs(claims, [unit(1, 0.1), unit(1, 0.1)], gazetteer) == []


def test_different_numbers_block_a_link(gazetteer: Gazetteer) -> None:
    claims = [
        ClaimText("a", "Transfer performance improves by 2.1 points on XNLI.", False),
        ClaimText("b", "Transfer performance improves by 1.6 points on XNLI.", False),
    ]
    assert pairs(claims, [unit(1, 0.1), unit(1, 0.1)], gazetteer) == []


def test_low_token_overlap_blocks_a_link(gazetteer: Gazetteer) -> None:
    claims = [
        ClaimText("a", "Robust training remarkably improves generalized transfer.", False),
        ClaimText("b", "The study investigates nine intermediate tasks and their impact.", False),
    ]
    assert pairs(claims, [unit(1, 0.1), unit(1, 0.1)], gazetteer) == []


def test_truncated_side_may_lack_entities_cut_off(gazetteer: Gazetteer) -> None:
    full = ClaimText(
        "a", "Most approaches for alignment require supervision signals such as parallel data on XNLI.", False
    )
    cut = ClaimText("b", "Most approaches for alignment require supervision signals such as parallel dat", True)
    assert pairs([full, cut], [unit(1, 0.1), unit(1, 0.1)], gazetteer) == [("a", "b")]


def test_embedding_cache_embeds_each_text_once(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def fake_encoder(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.stack([unit(len(t), 1.0) for t in texts])

    cache = EmbeddingCache(tmp_path, "m")
    first = cache.lookup(["a", "bb"], fake_encoder)
    cache.save()
    again = EmbeddingCache(tmp_path, "m").lookup(["bb", "a", "ccc"], fake_encoder)
    assert calls == [["a", "bb"], ["ccc"]]
    np.testing.assert_allclose(again[1], first[0])


def test_seed_paraphrases_precision_and_recall(seeded_dir: Path) -> None:
    """The four true pairs of the seeds, and nothing else (precision 1, recall 1).

    Nothing else includes the brief's look-alikes, which score above one true pair on cosine.
    """
    service = ClaimGraph(Settings(data_dir=seeded_dir))
    texts = {c.key: c.text for c in service.queries.claims()}
    found = {frozenset((texts[r.start.key][:40], texts[r.end.key][:40])) for r in service.queries.paraphrases()}
    expected = {
        frozenset(("Evaluating our best performing models fo", "Evaluating the best performing models fo")),
        frozenset(("Multilingual BERT, XLM, and XLM-R are pr", "Multilingual BERT, XLM, and XLM-R are pr")),
        frozenset(("Most embedding alignment methods require", "Most approaches for embedding space alig")),
        frozenset(("Some research focuses on making the mode", "There is a line of research making the m")),
    }
    true_positives = found & expected
    precision = len(true_positives) / len(found)
    recall = len(true_positives) / len(expected)
    assert (precision, recall) == (1.0, 1.0), found ^ expected
