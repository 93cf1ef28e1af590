"""Link paraphrased claims with ``PARAPHRASE_OF {score, method}`` instead of merging them.

Embedding cosine alone cannot tell a paraphrase from a look-alike about something else
("XTREME and XGLUE provide benchmarks…" vs "The XTREME benchmark aims to…" score 0.86 with
all-MiniLM-L6-v2, above a true pair at 0.81). So a pair is linked only when all of these
hold (the combination, not any one, separates the seed pairs):

1. cosine of the sentence embeddings ≥ ``min_cosine`` (default 0.75);
2. the same benchmarks, models and languages (a truncated side's entities need only be a
   subset of the other side's: the cut may have removed some);
3. the same numbers;
4. content-token overlap coefficient |A∩B| / min(|A|,|B|) ≥ ``min_overlap`` (default 0.6).

Mutual entailment with the NLI model is the planned fifth signal (NLI-model issue).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kg.extraction import extract
from kg.gazetteer import Gazetteer
from kg.text import content_tokens

Matrix = npt.NDArray[np.float32]
EmbedFn = Callable[[list[str]], Matrix]


@dataclass(frozen=True)
class ParaphraseConfig:
    min_cosine: float = 0.75
    min_overlap: float = 0.6
    model: str = "sentence-transformers/all-MiniLM-L6-v2"

    @property
    def method(self) -> str:
        return f"cosine>={self.min_cosine:g}+entities+numbers+overlap>={self.min_overlap:g}"


@dataclass(frozen=True)
class ClaimText:
    key: str
    text: str
    truncated: bool


@dataclass(frozen=True)
class ParaphraseLink:
    a: str  # the smaller key: links are undirected in meaning, stored in one direction
    b: str
    cosine: float
    overlap: float


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _compatible(small: frozenset[object], large: frozenset[object], truncated: bool) -> bool:
    return small <= large if truncated else small == large


def find_paraphrases(
    claims: list[ClaimText], embeddings: Matrix, gazetteer: Gazetteer, config: ParaphraseConfig
) -> list[ParaphraseLink]:
    """Pure: the paraphrase pairs among ``claims`` given their unit-norm embeddings (row-aligned)."""
    if len(claims) < 2:
        return []
    extractions = [extract(c.text, gazetteer) for c in claims]
    tokens = [content_tokens(c.text) for c in claims]
    links: list[ParaphraseLink] = []
    chunk = 1024
    for start in range(0, len(claims), chunk):
        sims = embeddings[start : start + chunk] @ embeddings.T
        rows, cols = np.nonzero(sims >= config.min_cosine)
        for r, j in zip(rows.tolist(), cols.tolist(), strict=True):
            i = start + r
            if j <= i:
                continue
            a, b = claims[i], claims[j]
            ea, eb = extractions[i], extractions[j]
            pairs = ((ea, a.truncated), (eb, b.truncated))
            (small, small_cut), (large, _) = sorted(pairs, key=lambda p: not p[1])
            if not _compatible(small.entity_signature(), large.entity_signature(), small_cut):
                continue
            if not _compatible(small.numbers(), large.numbers(), small_cut):
                continue
            overlap = _overlap(tokens[i], tokens[j])
            if overlap < config.min_overlap:
                continue
            first, second = sorted((a.key, b.key))
            links.append(ParaphraseLink(first, second, round(float(sims[r, j]), 4), round(overlap, 4)))
    return sorted(links, key=lambda link: (link.a, link.b))


class EmbeddingCache:
    """Embeddings by text hash, one ``.npz`` per model, so re-runs embed only new claims."""

    def __init__(self, directory: Path, model: str) -> None:
        digest = hashlib.sha256(model.encode()).hexdigest()[:12]
        self.path = directory / f"embeddings-{digest}.npz"
        self._vectors: dict[str, npt.NDArray[np.float32]] = {}
        self._dirty = False
        if self.path.exists():
            with np.load(self.path) as data:
                self._vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def lookup(self, texts: list[str], compute: EmbedFn) -> Matrix:
        missing = sorted({t for t in texts if self._key(t) not in self._vectors})
        if missing:
            for text, vector in zip(missing, compute(missing), strict=True):
                self._vectors[self._key(text)] = vector
            self._dirty = True
        return np.stack([self._vectors[self._key(t)] for t in texts]).astype(np.float32)

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._vectors))
        vectors = np.stack(list(self._vectors.values()))
        tmp = self.path.with_name(self.path.stem + ".tmp.npz")
        np.savez(tmp, keys=keys, vectors=vectors)
        tmp.replace(self.path)
        self._dirty = False
