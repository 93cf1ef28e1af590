"""Load an NLI cross-encoder by hub id or local path and score (premise, hypothesis) pairs.

Outputs are always probabilities in :data:`LABELS` order (entailment, neutral,
contradiction), whatever order the model's ``id2label`` uses. Inference batches pairs of
similar length, runs without gradients, in fp32 on CPU (weights shipped in fp16 are cast
up) or on CUDA when present.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from kg.errors import ModelError
from kg.nli.labels import LABELS, label_permutation
from kg.settings import hub_offline

#: The model ClaimGraph ships (trained by `kg nli train --config kg/nli/recipe-cpu.toml`).
SHIPPED_MODEL = Path(__file__).resolve().parents[1] / "models" / "claimgraph-nli-minilm"
DEFAULT_NLI_MODEL = "claimgraph-nli-minilm"


def resolve_nli_location(name_or_path: str) -> str:
    if name_or_path == DEFAULT_NLI_MODEL:
        if not (SHIPPED_MODEL / "config.json").exists():
            raise ModelError(f"the shipped NLI model is missing from {SHIPPED_MODEL}; reinstall ClaimGraph")
        return str(SHIPPED_MODEL)
    path = Path(name_or_path).expanduser()
    if path.exists():
        if not (path / "config.json").exists():
            raise ModelError(f"{path} is not a model folder: it has no config.json")
        return str(path.resolve())
    if name_or_path.startswith((".", "/", "~")) or os.sep in name_or_path.strip("/").split("/", 1)[-1]:
        raise ModelError(f"NLI model path {name_or_path} does not exist")
    return name_or_path


def encoded_batches(
    tokenizer: Any, pairs: list[tuple[str, str]], batch_size: int, max_length: int, tensors: Literal["pt", "np"]
) -> Iterator[tuple[list[int], Any]]:
    """(indices, encoded inputs) for batches of pairs of similar length, so padding stays small.

    One tokenizer call for the torch and ONNX paths: the same truncation and padding keep
    their probabilities comparable (tests/test_verify.py checks that they agree).
    """
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    for start in range(0, len(order), batch_size):
        index = order[start : start + batch_size]
        encoded = tokenizer(
            [pairs[i][0] for i in index],
            [pairs[i][1] for i in index],
            truncation="longest_first",
            max_length=max_length,
            padding=True,
            return_tensors=tensors,
        )
        yield index, encoded


@dataclass
class NLIModel:
    name: str
    tokenizer: Any
    model: Any
    order: list[int]  # model output index of each of LABELS
    device: str
    weights_sha256: str
    backend: str = "torch"

    def predict(
        self, pairs: list[tuple[str, str]], batch_size: int = 64, max_length: int = 256
    ) -> npt.NDArray[np.float32]:
        """Probabilities, shape (len(pairs), 3), columns in LABELS order."""
        import torch

        out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        with torch.inference_mode():
            for index, encoded in encoded_batches(self.tokenizer, pairs, batch_size, max_length, "pt"):
                logits = self.model(**encoded.to(self.device)).logits.float()
                probs = torch.softmax(logits, dim=-1)[:, self.order].cpu().numpy()
                out[index] = probs
        return out


@lru_cache(maxsize=8)
def model_fingerprint(name_or_path: str, backend: str) -> str:
    """Name, weights hash and inference path, without loading the model (so unchanged runs stay cheap)."""
    return f"{name_or_path}|{_weights_hash(resolve_nli_location(name_or_path))}|{backend}"


def _weights_hash(location: str) -> str:
    folder = Path(location)
    digest = hashlib.sha256()
    files = sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")) if folder.is_dir() else []
    for file in files:
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16] if files else "unknown"


def cpu_threads() -> int:
    """Cores this process may run on (a container's CPU set, not the host's core count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@lru_cache(maxsize=2)
def load_nli_model(name_or_path: str = DEFAULT_NLI_MODEL, device: str | None = None) -> NLIModel:
    import torch

    torch.set_num_threads(cpu_threads())
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    location = resolve_nli_location(name_or_path)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    try:
        tokenizer = AutoTokenizer.from_pretrained(location)
        model = AutoModelForSequenceClassification.from_pretrained(location, dtype=torch.float32)
    except Exception as exc:
        offline = hub_offline()
        hint = " (HF_HUB_OFFLINE=1 is set: use a local path or the shipped model)" if offline else ""
        raise ModelError(f"cannot load NLI model {name_or_path!r}{hint}: {exc}") from exc
    model.to(device).eval()
    order = label_permutation(model.config.id2label)
    return NLIModel(name_or_path, tokenizer, model, order, device, _weights_hash(location))
