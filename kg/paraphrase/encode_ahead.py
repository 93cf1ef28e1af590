"""Encoding claims in a second process while the writer is still parsing and writing.

A large ingest used to run in two phases: write every report (one core: parsing, extraction, SQLite), then
load the model and embed every new claim for the paraphrase pass (both cores, torch). On a 2-core machine
the second core idled through the first phase. :class:`EncodeAhead` gives it the model load and the encoding:
after each committed group the ingest hands over the texts of the claims it wrote; a child process with one
torch thread embeds them into the store's embedding cache (``embeddings.sqlite``, where the pass looks first).

When the writer is done, the child takes back torch's default thread count and works through what is left,
shortest text first, while the parent's paraphrase pass waits for each chunk of claims in the same order
(:func:`ready_in_order`) and indexes them once all are cached. The parent does not load a model
of its own: on the 2-core machine of ``bench/results/scale.md`` one process on two torch threads encoded 411
texts/s, two one-thread processes side by side 386 together (193 each: they share caches and memory
bandwidth), and the parent's model load cost 3.7 s of its core.

A process, not a thread: the writer holds the GIL nearly all the time, and a torch forward pass takes it
back between operators. Nothing depends on the child: a text it did not reach (it failed, it was stopped) is
simply encoded by the pass, and each chunk it wrote is one SQLite transaction, whole or absent.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from kg.paraphrase.ann import Matrix
    from kg.paraphrase.links import EmbeddingCache

#: texts per encode call while the writer runs, the shortest waiting; one torch thread encodes 128 texts a call at
#: 0.83 of its rate on 2,048, 512 at 0.98
CHUNK = 512
#: texts per call after ``finish`` (the pass waits for whole calls: two of them make one of its chunks)
TAIL_CHUNK = 512
FINISH = "finish"  # the control line: the writer is done, work through the rest and exit when the input ends
#: ``{"drop": [texts]}``, before FINISH: texts sent that no claim has any more (superseded by a later report)
DROP = "drop"


class ShortestFirst:
    """Texts waiting for the child, taken shortest first.

    While the writer runs it hands over far more than one torch thread encodes (at 100k reports about 3,000 new
    texts a group, every 3 s), so the child can choose: texts of one length pad little in a call, and calls of the
    write order ran 5 % slower than sorted ones. What it leaves is encoded, still shortest first, after the
    writer is done.
    """

    def __init__(self) -> None:
        self._by_length: dict[int, list[str]] = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, texts: list[str]) -> None:
        for text in texts:
            self._by_length.setdefault(len(text), []).append(text)
        self._count += len(texts)

    def take(self, count: int) -> list[str]:
        """Up to ``count`` of the shortest texts, removed from the pool (ties in the order they came)."""
        taken: list[str] = []
        for length in sorted(self._by_length):  # claims are cut at ~120 characters: a few hundred lengths
            bucket = self._by_length[length]
            wanted = count - len(taken)
            taken.extend(bucket[:wanted])
            del bucket[:wanted]
            if not bucket:
                del self._by_length[length]
            if len(taken) == count:
                break
        self._count -= len(taken)
        return taken


def encode_lines(directory: Path, model: str, lines: IO[str]) -> None:
    """The child: load the model, embed each JSON list of texts read from ``lines``; see :data:`FINISH`, :data:`DROP`.

    A reader thread drains ``lines`` at once, so the finish line is seen while texts are still waiting: the
    child looks for it between calls, not between the writer's groups (a group of 1,024 reports is several
    calls: at 10k reports the child went on alone on one thread for 22 s after the writer was done).
    """
    import torch

    all_threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the writer keeps the other core
    from kg.paraphrase.embeddings import embed, load_sentence_model
    from kg.paraphrase.links import EmbeddingCache

    waiting: queue.SimpleQueue[list[str] | None] = queue.SimpleQueue()
    finishing = threading.Event()
    dropped: set[str] = set()  # complete once the reader has put the end of the input (None)

    def read() -> None:
        for line in lines:
            message = json.loads(line)
            if message == FINISH:
                finishing.set()
            elif isinstance(message, dict):
                dropped.update(message.get(DROP, ()))
            else:
                waiting.put(message)
        waiting.put(None)

    def queued(pool: ShortestFirst, *, block: bool) -> bool:
        """Move the groups queued now (``block``: at least one) into ``pool``; False at the end of the input,
        whose marker stays queued for the tail."""
        while True:
            try:
                group = waiting.get(block=block)
            except queue.Empty:
                return True
            if group is None:
                waiting.put(None)
                return False
            pool.add(group)
            block = False

    def encode(texts: list[str]) -> None:
        cache.lookup(texts, lambda missing: embed(missing, model))

    threading.Thread(target=read, name="encode-ahead-reader", daemon=True).start()
    cache = EmbeddingCache(directory, model)
    pool = ShortestFirst()
    try:
        load_sentence_model(model)
        while not finishing.is_set():
            if not queued(pool, block=not pool) and not finishing.is_set():
                return  # the input ended without the finish line: the parent stopped, nothing more is wanted
            if not finishing.is_set():
                encode(pool.take(CHUNK))
        # each text comes once (EncodeAhead.submit); shortest first, the order the pass waits for them in (see
        # IngestService._index_and_link). Not the texts no claim holds now: at 100k reports 5,297 of the
        # 300,911 sent, 2 % of the encoding
        for group in iter(waiting.get, None):
            pool.add(group)
        texts = [text for text in pool.take(len(pool)) if text not in dropped]
        torch.set_num_threads(all_threads)  # the writer is done; the parent's pass needs little CPU
        for start in range(0, len(texts), TAIL_CHUNK):  # lookup skips what is cached already
            encode(texts[start : start + TAIL_CHUNK])
    finally:
        cache.close()


def ready_in_order(
    chunks: Sequence[Sequence[str]],
    cache: EmbeddingCache,
    encode: Callable[[list[str]], Matrix],
    helper_running: Callable[[], bool],
    poll_s: float = 0.05,
) -> Iterator[int]:
    """Yield 0, 1, 2… as each chunk's texts all have a cached vector: the child's, or, once it has stopped
    (finished, failed, killed), this process's own (``encode``): every chunk is yielded in the end.

    While the child runs this only waits. It re-reads what is still missing when the cache has changed
    (SQLite's ``data_version``, free to poll), not on every poll: hashing and looking up 1,024 texts
    takes 7 ms, and every 0.1 s that is 13 % of a core taken from the child's torch threads.
    """
    for front, texts in enumerate(chunks):
        seen = cache.version()  # read before the texts: a commit in between is seen at the next poll
        missing = cache.missing(list(texts))
        while missing:
            if helper_running():
                time.sleep(poll_s)
                if (now := cache.version()) != seen:
                    seen = now
                    missing = cache.missing(missing)
            else:
                cache.lookup(missing, encode)
                missing = cache.missing(missing)
        yield front


class EncodeAhead:
    """The parent's handle on the encoding child: :meth:`submit` texts, then :meth:`finish` or :meth:`stop`.

    A plain child process (``python -m kg.paraphrase.encode_ahead``) fed JSON lines on its stdin by a feeder thread,
    rather than :mod:`multiprocessing`, whose spawn start re-runs the caller's main module and so breaks any
    script that calls the service without an ``if __name__ == "__main__"`` guard.
    """

    def __init__(self, directory: Path, model: str) -> None:
        env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "kg.paraphrase.encode_ahead", str(directory), model],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self._pending: queue.SimpleQueue[list[str] | dict[str, list[str]] | str | None] = queue.SimpleQueue()
        self._feeder = threading.Thread(target=self._feed, name="encode-ahead-feeder", daemon=True)
        self._feeder.start()
        self._closed = False
        #: every text handed over, once: at 100k reports the writer wrote 908k claim texts, 296k of them distinct
        #: (a report that repeats a claim writes it again), and the child decoded, hashed and looked up each copy
        self._sent: set[str] = set()
        self._text_of: dict[str, str] = {}  # each claim's text as last written

    def _feed(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            while (message := self._pending.get()) is not None:
                stdin.write(json.dumps(message) + "\n")
                stdin.flush()
            stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the child is gone (stopped, or failed): the pass encodes what it did not

    @property
    def submitted(self) -> int:
        """Distinct texts handed to the child so far."""
        return len(self._sent)

    @property
    def superseded(self) -> set[str]:
        """Texts handed over that no claim has now: a later report rewrote the claim's text."""
        return self._sent - set(self._text_of.values())

    def submit(self, claims: dict[str, str]) -> None:
        """Queue the texts of ``claims`` (key to text, as written) not handed over before; never blocks the
        writer (the feeder thread waits on the pipe)."""
        if self._closed:
            return
        self._text_of.update(claims)
        fresh = [text for text in dict.fromkeys(claims.values()) if text not in self._sent]
        if fresh:
            self._sent.update(fresh)
            self._pending.put(fresh)

    def running(self) -> bool:
        return self._process.poll() is None

    def writer_done(self) -> None:
        """No more texts will come: the child works through the rest but the superseded, and exits (see
        :func:`ready_in_order`)."""
        if not self._closed:
            self._closed = True
            self._pending.put({DROP: sorted(self.superseded)})
            self._pending.put(FINISH)
            self._pending.put(None)

    def finish(self) -> int | None:
        """:meth:`writer_done`, then wait for the child to encode all it was sent. Its exit code."""
        self.writer_done()
        code = self._process.wait()
        self._feeder.join(timeout=5)
        return code

    def stop(self) -> None:
        """Stop the child now (the ingest failed, or the pass has every vector); every chunk it finished is kept."""
        self._closed = True
        self._process.kill()
        self._process.wait()
        self._pending.put(None)
        self._feeder.join(timeout=5)
        if self._process.stdin is not None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self._process.stdin.close()


if __name__ == "__main__":
    encode_lines(Path(sys.argv[1]), sys.argv[2], sys.stdin)
    # every vector is committed and the cache closed: unloading torch and the model took 2 s of CPU, just when
    # the parent's pass starts on both cores
    os._exit(0)
