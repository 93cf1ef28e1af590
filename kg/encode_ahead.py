"""Encoding claims in a second process while the writer is still parsing and writing.

A large ingest used to run in two phases: write every report (one core: parsing, extraction, SQLite), then
load the model and embed every new claim for the paraphrase pass (both cores, torch). On a 2-core machine
the second core idled through the first phase. :class:`EncodeAhead` gives it the model load and the encoding:
after each committed group the ingest hands over the texts of the claims it wrote; a child process with one
torch thread embeds them into the store's embedding cache (``embeddings.sqlite``, where the pass looks first).
When the writer is done, :meth:`EncodeAhead.finish` tells the child to take every core for what is left and
waits for it; the pass then finds every vector cached and never loads the model itself.

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
from pathlib import Path
from typing import IO

#: texts per encode call while the writer runs (one torch thread): a finish line waits at most one call
CHUNK = 128
REST_CHUNK = 8192  # texts per call after ``finish``: few calls, but not every vector in memory at once
FINISH = "finish"  # the control line: the writer is done, use every core and exit when the input ends


def encode_lines(directory: Path, model: str, lines: IO[str]) -> None:
    """The child: load the model, embed each JSON list of texts read from ``lines``; see :data:`FINISH`.

    A reader thread drains ``lines`` at once, so the finish line is seen while texts are still waiting.
    """
    import torch

    every_core = torch.get_num_threads()
    torch.set_num_threads(1)  # the writer keeps the other core
    from kg.embeddings import embed, load_sentence_model
    from kg.paraphrase import EmbeddingCache

    waiting: queue.SimpleQueue[list[str] | None] = queue.SimpleQueue()
    finishing = threading.Event()

    def read() -> None:
        for line in lines:
            message = json.loads(line)
            if message == FINISH:
                finishing.set()
            else:
                waiting.put(message)
        waiting.put(None)

    threading.Thread(target=read, name="encode-ahead-reader", daemon=True).start()
    cache = EmbeddingCache(directory, model)
    try:
        load_sentence_model(model)
        while not finishing.is_set():
            batch = waiting.get()
            if batch is None:
                return
            for start in range(0, len(batch), CHUNK):
                cache.lookup(batch[start : start + CHUNK], lambda missing: embed(missing, model))
        torch.set_num_threads(every_core)
        rest: dict[str, None] = {}  # a claim repeated by later reports was sent again: once is enough
        while (batch := waiting.get()) is not None:
            rest.update(dict.fromkeys(batch))
        texts = list(rest)
        for start in range(0, len(texts), REST_CHUNK):  # the vectors each call returns are dropped at once
            cache.lookup(texts[start : start + REST_CHUNK], lambda missing: embed(missing, model))
    finally:
        cache.close()


class EncodeAhead:
    """The parent's handle on the encoding child: :meth:`submit` texts, then :meth:`finish` or :meth:`stop`.

    A plain child process (``python -m kg.encode_ahead``) fed JSON lines on its stdin by a feeder thread,
    rather than :mod:`multiprocessing`, whose spawn start re-runs the caller's main module and so breaks any
    script that calls the service without an ``if __name__ == "__main__"`` guard.
    """

    def __init__(self, directory: Path, model: str) -> None:
        env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "kg.encode_ahead", str(directory), model],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self._pending: queue.SimpleQueue[list[str] | str | None] = queue.SimpleQueue()
        self._feeder = threading.Thread(target=self._feed, name="encode-ahead-feeder", daemon=True)
        self._feeder.start()
        self._closed = False
        self.submitted = 0

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

    def submit(self, texts: list[str]) -> None:
        """Queue texts for the child; never blocks the writer (the feeder thread waits on the pipe)."""
        if texts and not self._closed:
            self._pending.put(texts)
            self.submitted += len(texts)

    def finish(self) -> int | None:
        """The writer is done: let the child encode what is left with every core; wait for it. Its exit code."""
        if self._closed:
            return self._process.returncode
        self._closed = True
        self._pending.put(FINISH)
        self._pending.put(None)
        code = self._process.wait()
        self._feeder.join(timeout=5)
        return code

    def stop(self) -> None:
        """Stop the child now (the ingest failed); every chunk it finished is kept."""
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
