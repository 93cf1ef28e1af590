"""The paraphrase pass, incremental: only new or changed claims are embedded and compared.

State lives in a folder beside the store (``paraphrase.sqlite`` plus a faiss checkpoint):

* ``claims`` — one row per indexed claim text: its HNSW row number, key, text, truncated
  flag and whether it has been superseded (rows are never renumbered; a changed or deleted
  claim leaves a tombstone that searches skip);
* ``hnsw-<n>.faiss`` — the HNSW graph of rows ``0..n-1``, rewritten only when the rows added
  since have grown past :data:`CHECKPOINT_GROWTH` of it; rows after ``n`` are re-added from
  the embedding cache on load, so a run that adds one report writes kilobytes, not the index;
* ``meta`` — the model and the pass's method string: if either changes, the index is rebuilt.

The caller writes the links to the graph first and :meth:`ParaphraseIndex.commit` after, so
a crash in between leaves claims the index does not know; :meth:`reconcile_needed` notices
(the store holds more claims than the index) and the next run indexes them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from kg.extraction.gazetteer import Gazetteer
from kg.paraphrase.ann import Hits, Matrix, Rows, VectorIndex, first_hit_of_each_pair
from kg.paraphrase.gates import GateTable
from kg.paraphrase.links import ClaimFeatures, ClaimText, ParaphraseConfig, ParaphraseLink

EMPTY_FEATURES = ClaimFeatures(frozenset(), frozenset(), frozenset())  # a dead row's: its pairs are dropped first

CHECKPOINT_GROWTH = 0.25
SEARCH_BLOCK = 16384  # rows added or searched at a time: bounds the vectors and hits held
Embed = Callable[[list[str]], Matrix]


@dataclass(frozen=True)
class IndexUpdate:
    """What one incremental pass found: the links of the claims it (re)indexed."""

    links: list[ParaphraseLink]
    indexed: int  # claims embedded and added this pass
    changed: frozenset[str]  # keys whose text changed: their old links must go
    removed: frozenset[str]
    rows: range = range(0)  # the index rows it added


class ParaphraseIndex:
    def __init__(
        self,
        folder: Path,
        config: ParaphraseConfig,
        embed: Embed,
        dim: int = 384,
        *,
        exact: Embed | None = None,
        precision: str = "fp32",
    ) -> None:
        """``embed`` gives the vectors indexed and searched (bf16 where the CPU has it, ``precision``); ``exact``
        the fp32 vectors that decide a pair within ``config.recheck_band`` of the threshold."""
        self.folder = folder
        self.config = config
        self.embed = embed
        self.exact = exact if config.recheck_band > 0 else None
        self.precision = precision
        self.dim = dim
        folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(folder / "paraphrase.sqlite", isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS claims (
                row INTEGER PRIMARY KEY, key TEXT NOT NULL, text TEXT NOT NULL,
                truncated INTEGER NOT NULL, live INTEGER NOT NULL DEFAULT 1
            );
            CREATE INDEX IF NOT EXISTS claims_live_key ON claims (key) WHERE live = 1;
            """
        )
        self._db.execute("BEGIN IMMEDIATE")  # one transaction per pass, committed by commit()
        if self._meta("method") != self._identity():
            self._db.execute("DELETE FROM claims")
            self._db.execute("DELETE FROM meta")
            self._set_meta("method", self._identity())
            for old in folder.glob("hnsw-*.faiss"):
                old.unlink()
        self._index = self._load_index()

    # -- state -----------------------------------------------------------------------
    def _identity(self) -> str:
        config = self.config
        identity = {"model": config.model, "method": config.method, "k": config.max_neighbours, "dim": self.dim}
        if self.precision != "fp32":  # an index of fp32 vectors (all before bf16) stays valid under fp32
            identity["precision"] = self.precision
        return json.dumps(identity)

    def _meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name=?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, name: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def _rows(self) -> int:
        # rows are 0..n-1 and never renumbered: the last one says how many, without counting the table
        return int(self._db.execute("SELECT coalesce(max(row) + 1, 0) FROM claims").fetchone()[0])

    def _load_index(self) -> VectorIndex:
        saved = int(self._meta("checkpoint_rows") or 0)
        checkpoint = self.folder / f"hnsw-{saved}.faiss"
        index = VectorIndex.load(checkpoint, self.dim) if saved and checkpoint.exists() else VectorIndex(self.dim)
        if len(index) != saved:
            index = VectorIndex(self.dim)  # a checkpoint that does not match: re-add every row
        tail = self._db.execute("SELECT text FROM claims WHERE row >= ? ORDER BY row", (len(index),)).fetchall()
        if tail:
            index.add(self.embed([text for (text,) in tail]))
        return index

    @property
    def live_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM claims WHERE live=1").fetchone()[0])

    def live_claims(self) -> dict[str, tuple[str, bool]]:
        return {
            key: (text, bool(cut))
            for key, text, cut in self._db.execute("SELECT key, text, truncated FROM claims WHERE live=1")
        }

    def reconcile_needed(self, claims_in_store: int) -> bool:
        """True when the store's claim count and the index disagree (an ingest without the pass, a crash)."""
        return claims_in_store != self.live_count

    # -- the pass --------------------------------------------------------------------
    def update(self, claims: Iterable[ClaimText], removed: Iterable[str], gazetteer: Gazetteer) -> IndexUpdate:
        """Index ``claims`` (new or possibly changed) and retire ``removed``; the links of the claims indexed."""
        added = self.add(claims, removed)
        return replace(added, links=self.link(added.rows, gazetteer))

    def add(self, claims: Iterable[ClaimText], removed: Iterable[str]) -> IndexUpdate:
        """Index ``claims`` and retire ``removed`` without searching: :meth:`link` looks for their pairs.

        Apart so that a pass can index in several calls and link once, when every claim can search every
        other: searching each call's claims as they came finds a pair only from its later claim, and finding
        the rest means searching every claim twice (see :meth:`link`).
        """
        gone = frozenset(removed)
        for key in gone:
            self._retire(key)
        fresh: list[ClaimText] = []
        changed: set[str] = set()
        for claim in claims:
            row = self._db.execute("SELECT text, truncated FROM claims WHERE key=? AND live=1", (claim.key,)).fetchone()
            if row is not None and (row[0], bool(row[1])) == (claim.text, claim.truncated):
                continue
            if row is not None:
                self._retire(claim.key)
                changed.add(claim.key)
            fresh.append(claim)
        # in key order, a hash of the text: HNSW's graph depends on the order it is built in. Built in text-length
        # order (the order the encoding child finishes claims) in adds of 1,024 it found 0.874 of the rewordings'
        # candidate pairs at 296k claims, in key order 0.947-0.951 whatever the adds (bench/results/hnsw_order.md)
        fresh.sort(key=lambda claim: claim.key)
        first_row = self._rows()
        self._db.executemany(
            "INSERT INTO claims (row, key, text, truncated) VALUES (?, ?, ?, ?)",
            [(first_row + i, c.key, c.text, int(c.truncated)) for i, c in enumerate(fresh)],
        )
        for start in range(0, len(fresh), SEARCH_BLOCK):  # blocks bound the vectors held at once
            self._index.add(self.embed([c.text for c in fresh[start : start + SEARCH_BLOCK]]))
        return IndexUpdate([], len(fresh), frozenset(changed), gone, range(first_row, first_row + len(fresh)))

    def link(self, rows: range, gazetteer: Gazetteer, block: int = SEARCH_BLOCK) -> list[ParaphraseLink]:
        """The links of the claims at ``rows``, each searching the whole index, in blocks of ``block`` rows.

        Both ends of a pair among ``rows`` search, so either may find the other under the neighbour cap (a
        crowded claim can miss one that has it as its nearest). Each pair is judged once, from the first
        hit in row order: within a block by :func:`first_hit_of_each_pair`; across blocks, a later block
        skips the pairs an earlier block already hit. The next block is searched (faiss, without the GIL)
        while this one is judged.
        """
        links: dict[tuple[str, str], ParaphraseLink] = {}
        starts = range(rows.start, rows.stop, block)
        if not starts:
            return []
        span = len(self._index)
        met = _MetClaims(span)
        # pair codes, later end first (``later * span + earlier``), hit by an earlier block whose later end is
        # searched in a later one. Later end first, so a block compares its back hits only with the codes that
        # end in it, each sorted once: searching one sorted array of every code so far was 8 s at 296k claims
        ahead = np.zeros(0, dtype=np.int64)

        def search(start: int) -> Hits:
            return self._search(self._index.vectors(start, min(start + block, rows.stop)))

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="paraphrase-search") as pool:
            pending = pool.submit(search, starts[0])
            for i, start in enumerate(starts):
                hits = pending.result()
                if i + 1 < len(starts):
                    pending = pool.submit(search, starts[i + 1])
                stop = min(start + block, rows.stop)
                me = hits.queries + start
                first = first_hit_of_each_pair(me, hits.rows)
                me, other, scores = me[first], hits.rows[first], hits.scores[first]
                code = np.maximum(me, other) * span + np.minimum(me, other)
                ending_here = ahead < stop * span  # every code in ahead ends at or after this block's start
                seen, ahead = np.sort(ahead[ending_here]), ahead[~ending_here]
                back = (other >= rows.start) & (other < start)
                if len(seen) and back.any():
                    found = np.searchsorted(seen, code[back])
                    hit_before = np.zeros(len(code), dtype=bool)
                    hit_before[back] = seen[np.minimum(found, len(seen) - 1)] == code[back]
                    keep = ~hit_before
                    me, other, scores, code = me[keep], other[keep], scores[keep], code[keep]
                ahead = np.concatenate([ahead, code[(other >= stop) & (other < rows.stop)]])
                for link in self._judge(me, other, scores, self._meet(met, np.concatenate([me, other]), gazetteer)):
                    links.setdefault((link.a, link.b), link)
        return [links[pair] for pair in sorted(links)]

    def _retire(self, key: str) -> None:
        self._db.execute("UPDATE claims SET live=0 WHERE key=? AND live=1", (key,))

    def _search(self, vectors: Matrix) -> Hits:
        band = self.config.recheck_band if self.exact is not None else 0.0
        # +1: a claim finds itself
        return self._index.neighbours(vectors, self.config.min_cosine - band, self.config.max_neighbours + 1)

    def _judge(self, me: Rows, other: Rows, cosines: Matrix, met: _MetClaims) -> list[ParaphraseLink]:
        """The links among candidate pairs ``(me[i], other[i])`` (rows, all met) that pass the gates, judged that
        way round."""
        a, b = met.position[me], met.position[other]
        kept = met.live[a] & met.live[b] & (met.key_ids[a] != met.key_ids[b])
        a, b, cosines = a[kept], b[kept], cosines[kept]
        accepted = met.gates.accept(a, b, self.config.min_overlap)
        positions, overlaps = accepted.positions, accepted.overlaps
        if self.exact is not None:
            exact = self._exact_cosines(me[kept][positions], other[kept][positions], cosines[positions])
            cosines = cosines.copy()
            cosines[positions] = exact
            passing = exact >= self.config.min_cosine
            positions, overlaps = positions[passing], overlaps[passing]
        links: dict[tuple[str, str], ParaphraseLink] = {}
        cosine, keys = cosines.tolist(), met.keys
        for at, overlap in zip(positions.tolist(), overlaps.tolist(), strict=True):
            one, two = sorted((keys[a[at]], keys[b[at]]))
            links.setdefault((one, two), ParaphraseLink(one, two, round(cosine[at], 4), round(overlap, 4)))
        return sorted(links.values(), key=lambda link: (link.a, link.b))

    def _exact_cosines(self, me: Rows, other: Rows, cosines: Matrix) -> Matrix:
        """``cosines``, with those within the recheck band of the threshold replaced by their fp32 value.

        Only pairs the other gates accept get here, and only those near the threshold are recomputed: at 300
        reports about 1 claim in 30 needs its fp32 vector (cached beside the bf16 ones, computed once).
        """
        assert self.exact is not None
        config = self.config
        near = np.abs(cosines - config.min_cosine) < config.recheck_band
        if not near.any():
            return cosines
        rows = np.unique(np.concatenate([me[near], other[near]]))
        claims = self._claims_at(rows)
        texts = [c.text if c is not None else "" for c in claims]
        vectors = self.exact(texts)
        at = np.searchsorted(rows, np.stack([me[near], other[near]]))
        exact = cosines.copy()
        exact[near] = np.einsum("ij,ij->i", vectors[at[0]], vectors[at[1]])
        return exact

    def _meet(self, met: _MetClaims, rows: Rows, gazetteer: Gazetteer) -> _MetClaims:
        """``met``, with the claims at ``rows`` it has not met yet read from the table and their features computed."""
        fresh = np.unique(rows[met.position[rows] < 0])
        if len(fresh):
            claims = self._claims_at(fresh)
            features = [ClaimFeatures.of(c.text, gazetteer) if c is not None else EMPTY_FEATURES for c in claims]
            met.add(
                fresh,
                [c.key if c is not None else None for c in claims],
                features,
                [c is not None and c.truncated for c in claims],
            )
        return met

    def _claims_at(self, rows: Rows) -> list[ClaimText | None]:
        """The claims at ``rows`` (sorted), from the table (this pass's own rows too); None where dead."""
        wanted = rows.tolist()
        stored: dict[int, ClaimText] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row, key, text, cut in self._db.execute(
                f"SELECT row, key, text, truncated FROM claims WHERE live=1 AND row IN ({marks})", chunk
            ):
                stored[row] = ClaimText(key, text, bool(cut))
        return [stored.get(row) for row in wanted]

    # -- persistence -----------------------------------------------------------------
    def commit(self) -> None:
        """Make this pass's rows durable; checkpoint the HNSW graph when the tail has grown large."""
        rows = self._rows()
        saved = int(self._meta("checkpoint_rows") or 0)
        if rows and rows - saved > CHECKPOINT_GROWTH * max(saved, 1) and len(self._index) == rows:
            self._index.save(self.folder / f"hnsw-{rows}.faiss")
            self._set_meta("checkpoint_rows", str(rows))
        self._db.execute("COMMIT")
        for old in self.folder.glob("hnsw-*.faiss"):
            if old.name != f"hnsw-{int(self._meta('checkpoint_rows') or 0)}.faiss":
                old.unlink()
        self._db.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
        self._db.close()

    def reset(self) -> None:
        """Forget everything (a full rebuild follows)."""
        self._db.execute("DELETE FROM claims")
        self._set_meta("checkpoint_rows", "0")
        self._index = VectorIndex(self.dim)


class _MetClaims:
    """The claims one :meth:`ParaphraseIndex.link` call has met, each read and featurised once: in a first pass
    over 296k claims each 16k block's candidates reach most of the index, and reading and featurising them
    again for every block was a third of the link time. ``position`` maps an index row to its row here."""

    def __init__(self, span: int) -> None:
        self.position: Rows = np.full(span, -1, dtype=np.int64)
        self.keys: list[str] = []
        self.gates = GateTable()
        self.live = np.zeros(0, dtype=bool)
        self.key_ids: Rows = np.zeros(0, dtype=np.int64)
        self._ids: dict[str, int] = {}

    def add(self, rows: Rows, keys: list[str | None], features: list[ClaimFeatures], truncated: list[bool]) -> None:
        """Meet the claims at ``rows``: key None for a dead row (its pairs are dropped)."""
        self.position[rows] = np.arange(len(self.keys), len(self.keys) + len(rows))
        self.keys.extend(key or "" for key in keys)
        self.gates.extend(features, truncated)
        self.live = np.concatenate([self.live, np.array([key is not None for key in keys], dtype=bool)])
        ids = [self._ids.setdefault(key or "", len(self._ids)) for key in keys]
        self.key_ids = np.concatenate([self.key_ids, np.array(ids, dtype=np.int64)])
