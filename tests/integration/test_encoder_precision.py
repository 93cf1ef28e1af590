"""The sentence encoder in bf16 and fp32: same vectors as the library's own encode, whatever the batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kg.paraphrase.embeddings import embed, load_sentence_model
from kg.paraphrase.links import EmbeddingCache

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
SHORT = "XLM-R improves on XNLI."
LONG = [
    "Translate-train with XLM-R Large closes most of the gap to English on PAWS-X, but not for Quechua or Yoruba, "
    "where the tokenizer splits words into many pieces.",
    "mT5-XL outperforms RemBERT on WikiANN by 11.9 points on average.",
]


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_a_texts_vector_does_not_depend_on_its_batch(precision: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMGRAPH_PRECISION", precision)
    alone = embed([SHORT], MODEL)[0]
    for companions in (LONG, LONG[:1], [SHORT] * 5 + LONG):
        mixed = embed([*companions, SHORT], MODEL)[-1]
        assert np.array_equal(alone, mixed), (precision, np.abs(alone - mixed).max())
    assert np.array_equal(embed([SHORT, *LONG], MODEL, batch_size=1), embed([SHORT, *LONG], MODEL, batch_size=64))


@pytest.mark.slow
@pytest.mark.parametrize(("precision", "floor"), [("fp32", 0.99999), ("bf16", 0.9999)])
def test_vectors_match_the_librarys_fp32_encode(precision: str, floor: float, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMGRAPH_PRECISION", precision)
    texts = [SHORT, *LONG, "Zero-shot transfer to Swahili lags English by 14 points on XNLI."]
    stock = load_sentence_model(MODEL).encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    ours = embed(texts, MODEL)
    cosines = (np.asarray(stock) * ours).sum(axis=1)
    assert cosines.min() >= floor, cosines
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_each_precision_keeps_its_own_cached_vectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path
    fp32 = EmbeddingCache(folder, MODEL, "fp32").lookup([SHORT], lambda texts: np.ones((len(texts), 2), np.float32))
    bf16 = EmbeddingCache(folder, MODEL, "bf16").lookup([SHORT], lambda texts: np.zeros((len(texts), 2), np.float32))
    assert fp32[0].tolist() == [1.0, 1.0]
    assert bf16[0].tolist() == [0.0, 0.0]
    monkeypatch.setenv("CLAIMGRAPH_PRECISION", "fp32")
    assert EmbeddingCache(folder, MODEL).lookup([SHORT], lambda texts: np.full((1, 2), 9, np.float32))[0][0] == 1.0
