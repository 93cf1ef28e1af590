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
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kg.extraction.entities import extract
from kg.extraction.gazetteer import Gazetteer
from kg.extraction.text import content_tokens
from kg.paraphrase.ann import pairs_within
from kg.precision import Precision, runtime_precision

Matrix = npt.NDArray[np.float32]
EmbedFn = Callable[[list[str]], Matrix]


@dataclass(frozen=True)
class ParaphraseConfig:
    min_cosine: float = 0.75
    min_overlap: float = 0.6
    model: str = "sentence-transformers/all-MiniLM-L6-v2"
    #: candidates per claim: its nearest claims above ``min_cosine``, at most this many. Without a cap a
    #: corpus of templated result claims ("X improves Y by N points on Z") gives every claim thousands of
    #: look-alikes above the threshold, nearly all rejected by the entity and number gates; a true
    #: rewording ranks near the top (bench/results/scale.md measures the recall this keeps). 96, not 48 or 64:
    #: the look-alikes of a crowded claim lie 1e-4 apart, bf16 vectors move a cosine about that much, and the
    #: cap's last places trade between bf16 and fp32; at 10k reports 64 % of claims have more than 64
    #: neighbours above the threshold. Relinking the 10k bench both ways (HNSW efSearch 256): cap 64 99.44 % of
    #: links the same, cap 96 99.60 % and 17 % more links (the cap had cut real rewordings).
    max_neighbours: int = 96
    #: bf16 vectors move a pair's cosine by 0.00045 on average (0.0015 at the 99th percentile, 2k claims): a pair
    #: the gates accept whose bf16 cosine lies within this of ``min_cosine`` is decided by its fp32 cosine instead
    #: (see :class:`kg.paraphrase.index.ParaphraseIndex`), so the links match fp32's. 0 where vectors are fp32.
    recheck_band: float = 0.0

    @cached_property
    def method(self) -> str:
        """What every link records as its method; cached, since a first pass asks for it ~3 times per claim."""
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


@dataclass(frozen=True)
class ClaimFeatures:
    """What the gates compare, computed once per claim (a claim meets many candidates)."""

    entities: frozenset[tuple[str, str]]
    numbers: frozenset[float]
    tokens: frozenset[str]

    @classmethod
    def of(cls, text: str, gazetteer: Gazetteer) -> ClaimFeatures:
        found = extract(text, gazetteer)
        return cls(found.entity_signature(), found.numbers(), content_tokens(text))


def pair_link(
    a: ClaimText, b: ClaimText, fa: ClaimFeatures, fb: ClaimFeatures, cosine: float, config: ParaphraseConfig
) -> ParaphraseLink | None:
    """The link between two claims whose cosine is already known to pass, or None if another gate blocks it."""
    if a.truncated and not b.truncated:
        (small, small_cut), large = (fa, True), fb
    else:
        (small, small_cut), large = (fb, b.truncated), fa
    if not _compatible(small.entities, large.entities, small_cut):
        return None
    if not _compatible(small.numbers, large.numbers, small_cut):
        return None
    overlap = _overlap(fa.tokens, fb.tokens)
    if overlap < config.min_overlap:
        return None
    first, second = sorted((a.key, b.key))
    return ParaphraseLink(first, second, round(cosine, 4), round(overlap, 4))


def find_paraphrases(
    claims: list[ClaimText], embeddings: Matrix, gazetteer: Gazetteer, config: ParaphraseConfig
) -> list[ParaphraseLink]:
    """Pure: the paraphrase pairs among ``claims`` given their unit-norm embeddings (row-aligned).

    Candidates come from :func:`kg.paraphrase.ann.pairs_within` (exact below a few thousand claims, HNSW
    above), so the pass grows with n log n, not n².
    """
    features: dict[int, ClaimFeatures] = {}

    def feature(i: int) -> ClaimFeatures:
        if i not in features:
            features[i] = ClaimFeatures.of(claims[i].text, gazetteer)
        return features[i]

    links = [
        link
        for i, j, cosine in pairs_within(embeddings, config.min_cosine, config.max_neighbours)
        if (link := pair_link(claims[i], claims[j], feature(i), feature(j), cosine, config)) is not None
    ]
    return sorted(links, key=lambda link: (link.a, link.b))


class EmbeddingCache:
    """Embeddings by text hash in ``embeddings.sqlite``, one table row per (model, text).

    SQLite rather than one ``.npz`` rewritten whole: a run that adds ten claims to a million
    writes ten rows, and a killed run keeps every chunk it had committed.
    """

    def __init__(self, directory: Path, model: str, precision: Precision | None = None) -> None:
        self.path = directory / "embeddings.sqlite"
        # bf16 vectors differ from fp32 ones in the 5th digit: each precision keeps its own rows, so a store's
        # links never mix the two (fp32 keeps the key it always had)
        precision = precision or runtime_precision()[0]
        key = model if precision == "fp32" else f"{model}|{precision}"
        self.model = hashlib.sha256(key.encode()).hexdigest()[:12]
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            for attempt in range(100):  # the encode-ahead child and the pass may both create the file at once:
                try:  # switching a new file to WAL then fails at once with "locked", whatever the busy timeout
                    # 16 KiB pages hold a 1.5 KiB vector row in the page: on 4 KiB ones each spilled to an overflow
                    # page, a 296k-claim cache took 1.4 GB for 0.45 GB of vectors (only a new file takes it)
                    conn.execute("PRAGMA page_size=16384")
                    conn.execute("PRAGMA journal_mode=WAL")
                    # a cache: a commit need not reach the disk before the next encode call (no fsync per
                    # commit); WAL keeps the file whole after a crash, and a lost tail is only encoded again
                    conn.execute("PRAGMA synchronous=NORMAL")
                    conn.execute(
                        "CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vector BLOB, "
                        "PRIMARY KEY (model, hash)) WITHOUT ROWID"
                    )
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or attempt == 99:
                        raise
                    time.sleep(0.05)
            self._conn = conn
        return self._conn

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def _rows(self, column: str, hashes: list[str]) -> Iterator[tuple[str, bytes]]:
        conn = self._db()
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from conn.execute(
                f"SELECT hash, {column} FROM vectors WHERE model=? AND hash IN ({marks})", (self.model, *chunk)
            )

    def _stored(self, hashes: list[str]) -> dict[str, Matrix]:
        return {digest: np.frombuffer(blob, dtype=np.float32) for digest, blob in self._rows("vector", hashes)}

    def missing(self, texts: list[str]) -> list[str]:
        """The texts with no stored vector yet, in their order (each once)."""
        hashes = {t: self._key(t) for t in texts}
        stored = {digest for digest, _ in self._rows("1", sorted(set(hashes.values())))}  # polled: no vectors read
        return [t for t, h in hashes.items() if h not in stored]

    def version(self) -> int:
        """SQLite's ``data_version``: it changes whenever another connection commits (a new vector came)."""
        return int(self._db().execute("PRAGMA data_version").fetchone()[0])

    def lookup(self, texts: list[str], compute: EmbedFn, chunk: int = 4096) -> Matrix:
        """Vectors for ``texts`` (row-aligned); only texts never seen are computed, ``chunk`` at a time, each chunk
        committed before the next is computed."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        hashes = [self._key(t) for t in texts]
        vectors = self._stored(sorted(set(hashes)))
        missing = sorted({t for t, h in zip(texts, hashes, strict=True) if h not in vectors})
        conn = self._db()
        for start in range(0, len(missing), chunk):
            part = missing[start : start + chunk]
            computed = np.asarray(compute(part), dtype=np.float32)
            rows = [(self.model, self._key(t), v.tobytes()) for t, v in zip(part, computed, strict=True)]
            conn.execute("BEGIN")
            conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
            conn.execute("COMMIT")
            for (_, digest, _), vector in zip(rows, computed, strict=True):
                vectors[digest] = vector
        return np.stack([vectors[h] for h in hashes]).astype(np.float32)

    def save(self) -> None:
        """Kept for callers of the old cache: every chunk is already committed."""

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
