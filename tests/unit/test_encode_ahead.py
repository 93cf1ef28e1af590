"""The parent's half of encode-ahead: :func:`kg.encode_ahead.ready_in_order` against a real embedding cache."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np

from kg.encode_ahead import BACK_STEP, TAIL_CHUNK, ready_in_order
from kg.paraphrase import EmbeddingCache

MODEL = "test-model"


def _vectors(texts: list[str]) -> np.ndarray:
    """A deterministic stand-in for the sentence model: only which process encoded what is under test."""
    rows = [np.frombuffer(hashlib.sha256(t.encode()).digest(), dtype=np.uint8)[:8].astype(np.float32) for t in texts]
    return np.stack(rows)


def _chunks(count: int, size: int) -> list[list[str]]:
    texts = [f"claim {i}" for i in range(count)]
    return [texts[i : i + size] for i in range(0, count, size)]


def test_alone_it_encodes_every_text_once_and_yields_the_chunks_in_order(tmp_path: Path) -> None:
    chunks = _chunks(700, 100)
    encoded: Counter[str] = Counter()

    def encode(texts: list[str]) -> np.ndarray:
        encoded.update(texts)
        return _vectors(texts)

    cache = EmbeddingCache(tmp_path, MODEL)
    order = list(ready_in_order(chunks, cache, encode, helper_running=lambda: False))
    assert order == list(range(len(chunks)))
    assert set(encoded) == {t for chunk in chunks for t in chunk} and max(encoded.values()) == 1


def test_beside_a_helper_going_front_to_back_it_encodes_from_the_back_and_they_meet(tmp_path: Path) -> None:
    chunks = _chunks(3000, 250)
    flat = [t for chunk in chunks for t in chunk]
    by_helper: Counter[str] = Counter()
    by_caller: Counter[str] = Counter()
    done = threading.Event()

    def helper() -> None:  # the child: front to back, TAIL_CHUNK at a time, skipping what is cached
        cache = EmbeddingCache(tmp_path, MODEL)
        for start in range(0, len(flat), TAIL_CHUNK):

            def encode(texts: list[str]) -> np.ndarray:
                time.sleep(0.002 * len(texts))
                by_helper.update(texts)
                return _vectors(texts)

            cache.lookup(flat[start : start + TAIL_CHUNK], encode)
        cache.close()
        done.set()

    def encode_here(texts: list[str]) -> np.ndarray:
        time.sleep(0.002 * len(texts))
        by_caller.update(texts)
        return _vectors(texts)

    thread = threading.Thread(target=helper)
    thread.start()
    cache = EmbeddingCache(tmp_path, MODEL)
    order = []
    for i in ready_in_order(chunks, cache, encode_here, helper_running=lambda: not done.is_set(), poll_s=0.01):
        assert not cache.missing(chunks[i])  # a chunk is yielded only once all its vectors are cached
        order.append(i)
    thread.join()
    assert order == list(range(len(chunks)))
    assert set(by_helper) | set(by_caller) == set(flat)
    # the caller took the end of the list, the helper the start: they met once, in the middle
    assert flat[-1] in by_caller and flat[0] in by_helper
    first_of_caller = min(flat.index(t) for t in by_caller)
    assert set(flat[first_of_caller:]) - set(by_caller) <= set(by_helper)
    assert 0.25 < len(by_caller) / len(flat) < 0.75
    twice = set(by_caller) & set(by_helper)
    assert len(twice) <= TAIL_CHUNK + BACK_STEP  # only where they met
