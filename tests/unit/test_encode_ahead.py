"""The parent's half of encode-ahead: :func:`kg.paraphrase.encode_ahead.ready_in_order` against a real embedding cache."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np

from kg.paraphrase.encode_ahead import TAIL_CHUNK, ShortestFirst, ready_in_order
from kg.paraphrase.links import EmbeddingCache

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


def _helper(tmp_path: Path, flat: list[str], encoded: Counter[str], done: threading.Event, stop_at: int) -> None:
    """The child, in a thread with its own connection: front to back, TAIL_CHUNK at a time, then it stops."""
    cache = EmbeddingCache(tmp_path, MODEL)

    def encode(texts: list[str]) -> np.ndarray:
        time.sleep(0.0005 * len(texts))  # slower than a cache read: the caller has to wait for it
        encoded.update(texts)
        return _vectors(texts)

    for start in range(0, min(stop_at, len(flat)), TAIL_CHUNK):
        cache.lookup(flat[start : min(start + TAIL_CHUNK, stop_at)], encode)
    cache.close()
    done.set()


def _run_beside_helper(tmp_path: Path, stop_at: int) -> tuple[list[list[str]], Counter[str], Counter[str]]:
    chunks = _chunks(600, 50)  # 12 chunks: enough to interleave helper and caller, quick on a cached disk
    flat = [t for chunk in chunks for t in chunk]
    by_helper: Counter[str] = Counter()
    by_caller: Counter[str] = Counter()
    done = threading.Event()

    def encode_here(texts: list[str]) -> np.ndarray:
        by_caller.update(texts)
        return _vectors(texts)

    thread = threading.Thread(target=_helper, args=(tmp_path, flat, by_helper, done, stop_at))
    thread.start()
    cache = EmbeddingCache(tmp_path, MODEL)
    order = []
    for i in ready_in_order(chunks, cache, encode_here, helper_running=lambda: not done.is_set(), poll_s=0.005):
        assert not cache.missing(chunks[i])  # a chunk is yielded only once all its vectors are cached
        order.append(i)
    thread.join()
    assert order == list(range(len(chunks)))
    assert set(by_helper) | set(by_caller) == set(flat)
    assert max((by_helper + by_caller).values()) == 1  # nothing was encoded twice
    return chunks, by_helper, by_caller


def test_beside_a_running_helper_it_only_waits_and_yields_each_chunk_once_cached(tmp_path: Path) -> None:
    _, by_helper, by_caller = _run_beside_helper(tmp_path, stop_at=600)
    assert not by_caller  # the helper encoded everything: the caller never needed a model
    assert len(by_helper) == 600


def test_when_the_helper_stops_early_the_caller_encodes_the_rest(tmp_path: Path) -> None:
    chunks, by_helper, by_caller = _run_beside_helper(tmp_path, stop_at=220)
    flat = [t for chunk in chunks for t in chunk]
    assert set(by_helper) == set(flat[:220])
    assert set(by_caller) == set(flat[220:])


def test_the_childs_pool_hands_out_the_shortest_texts_first_each_once() -> None:
    import random

    texts = [f"claim {'x' * random.Random(n).randrange(40)} {n}" for n in range(1000)]
    pool = ShortestFirst()
    pool.add(texts[:600])
    first = pool.take(100)
    pool.add(texts[600:])  # the writer's next group arrives meanwhile
    rest = [pool.take(300), pool.take(300), pool.take(10_000)]
    assert len(pool) == 0 and pool.take(5) == []
    assert sorted(first, key=len) == first and len(first) == 100
    assert [len(t) for t in first] == sorted(len(t) for t in texts[:600])[:100]  # the shortest of what had come
    handed = first + [t for part in rest for t in part]
    assert sorted(handed) == sorted(texts)  # every text once, none lost
    for part in rest:
        assert [len(t) for t in part] == sorted(len(t) for t in part)
    same_length = [t for t in texts[:600] if len(t) == len(first[0])]
    assert first[: len(same_length)] == same_length[:100]  # ties keep the order they came in
