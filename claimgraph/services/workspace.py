"""What every service shares: the settings, the gazetteer, and the one way to reach the store.

A CLI command opens the store for one operation; `kg serve` holds it open (:meth:`Workspace.hold`)
and serialises operations on it, so writers never interleave with readers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import NoStoreError
from kg.extraction.gazetteer import Gazetteer
from kg.settings import Settings
from kg.store import GraphStore, store_for
from kg.store.shared import SharedStore

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from kg.paraphrase.index import ParaphraseIndex
    from kg.paraphrase.links import ParaphraseConfig
    from kg.precision import Precision

#: pairs this close to the threshold get their fp32 cosine (see ParaphraseConfig.recheck_band). 3k synthetic
#: reports, links differing from fp32's: 187 of 37,858 without, 46 at 0.001 (9 % of the texts re-encoded in fp32
#: at 0.002, about half that at 0.001), 40 at 0.002
RECHECK_BAND = 0.001


class Workspace:
    """Settings plus the store handle of one CLI invocation or one API app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._gazetteer: Gazetteer | None = None
        self._held: SharedStore | None = None
        self.store_opens = 0  # how many times an operation reached the store

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.load(self.settings.gazetteer)
        return self._gazetteer

    @contextlib.contextmanager
    def store(self, *, read_only: bool = False) -> Iterator[GraphStore]:
        """The store for one operation: the held one (a long-running server), else opened for just this call.

        On a held store a write operation excludes other writers for its whole length, but readers only
        for each call it makes (see :mod:`kg.store.shared`): an upload does not stall the readers.
        """
        self.store_opens += 1
        if self._held is not None:
            if read_only:
                yield self._held
            else:
                with self._held.writer:
                    yield self._held
            return
        if read_only and self.settings.store is None:
            self._require_embedded_store()
        with store_for(self.settings.store_uri(), read_only=read_only, neo4j=self.settings.neo4j) as store:
            yield store

    def _require_embedded_store(self) -> None:
        """A read of a data dir that holds no store is a mistake (another directory, a typo), never 0 results."""
        from kg.store.embedded import DATABASE

        data_dir = self.settings.data_dir
        if not (data_dir / DATABASE).exists():
            raise NoStoreError(
                f"no ClaimGraph store at {data_dir.resolve()}: run `kg ingest <reports>` there first, "
                "or point at your store with --data-dir (or CLAIMGRAPH_DATA_DIR)"
            )

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Open the store once and keep it for every operation until the block ends (used by `kg serve`).

        The embedded store is then opened as the writer: while the server runs, write through it.
        """
        with store_for(self.settings.store_uri(), neo4j=self.settings.neo4j) as store:
            self._held = SharedStore(store)
            try:
                yield
            finally:
                self._held = None

    def paraphrase_folder(self) -> Path:
        """Where the paraphrase index of this store lives: in the data directory, one folder per store."""
        settings = self.settings
        if settings.store is None:
            return settings.data_dir / "paraphrase"
        digest = hashlib.sha256(settings.store_uri().encode()).hexdigest()[:12]
        return settings.data_dir / "paraphrase" / digest

    def paraphrase_config(self) -> ParaphraseConfig:
        from kg.paraphrase.links import ParaphraseConfig
        from kg.precision import runtime_precision

        settings = self.settings
        band = RECHECK_BAND if runtime_precision()[0] != "fp32" else 0.0
        return ParaphraseConfig(
            min_cosine=settings.paraphrase_threshold, model=settings.embedding_model, recheck_band=band
        )

    def paraphrase_index(self) -> ParaphraseIndex:
        """The paraphrase index beside the store, searching cached vectors in this process's precision; pairs
        near the threshold are decided by fp32 vectors (:meth:`embed_exact`)."""
        from kg.paraphrase.index import ParaphraseIndex
        from kg.precision import runtime_precision

        return ParaphraseIndex(
            self.paraphrase_folder(),
            self.paraphrase_config(),
            embed=self.embed_cached,
            exact=self.embed_exact,
            precision=runtime_precision()[0],
        )

    def retire_claims(self, keys: list[str]) -> None:
        """Tell the paraphrase index that these claims are gone (deleted with a report)."""
        if not keys or not (self.paraphrase_folder() / "paraphrase.sqlite").exists():
            return
        index = self.paraphrase_index()
        try:
            index.update([], keys, self.gazetteer)
            index.commit()
        finally:
            index.close()

    def embed_cached(self, texts: list[str], precision: Precision | None = None) -> npt.NDArray[np.float32]:
        """Sentence embeddings through the on-disk cache, so re-runs embed only new texts. ``precision``: this
        process's (bf16 where the CPU has it) unless given; each precision has its own cached rows."""
        from kg.paraphrase.embeddings import embed
        from kg.paraphrase.links import EmbeddingCache

        model = self.settings.embedding_model
        cache = EmbeddingCache(self.settings.data_dir, model, precision)
        try:
            return cache.lookup(texts, lambda missing: embed(missing, model, precision=precision))
        finally:
            cache.close()  # not left to the garbage collector: `kg ingest` ends without a teardown

    def retrieval_fingerprint(self) -> str:
        """What ranks and gates the verifier's evidence besides the texts: the sentence encoder, the precision
        this process embeds in, and the gazetteer. A change re-plans every claim (re-scoring only changed ones)."""
        from kg.precision import runtime_precision

        return json.dumps([self.settings.embedding_model, runtime_precision()[0], self.gazetteer.fingerprint])

    def embed_exact(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """fp32 sentence embeddings (cached): what decides a paraphrase pair near the threshold."""
        return self.embed_cached(texts, "fp32")
