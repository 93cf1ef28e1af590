"""Load an NLI cross-encoder by hub id or local path and score (premise, hypothesis) pairs.

Outputs are always probabilities in :data:`LABELS` order (entailment, neutral,
contradiction), whatever order the model's ``id2label`` uses. Inference batches pairs of
similar length, runs without gradients, in fp32 on CPU (weights shipped in fp16 are cast
up) or on CUDA when present.
"""

from __future__ import annotations

import hashlib
import json
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
from kg.padding import padded_batches
from kg.precision import Precision, autocast, runtime_precision
from kg.settings import hub_offline

#: Models ClaimGraph ships, one folder each, named by the folder's name.
MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
#: The default verifier model: a LoRA adapter and head over the first shipped model (see its model card).
DEFAULT_NLI_MODEL = "claimgraph-nli-minilm-v2"
SHIPPED_MODEL = MODELS_DIR / DEFAULT_NLI_MODEL
#: The first shipped model (a full fine-tune of all-MiniLM-L6-v2): the base of the default's adapter.
FIRST_NLI_MODEL = "claimgraph-nli-minilm"
SHIPPED_MODELS = (FIRST_NLI_MODEL, DEFAULT_NLI_MODEL)


def _is_model_folder(path: Path) -> bool:
    return (path / "config.json").exists() or (path / "adapter_config.json").exists()


def resolve_nli_location(name_or_path: str) -> str:
    if name_or_path in SHIPPED_MODELS:
        folder = MODELS_DIR / name_or_path
        if not _is_model_folder(folder):
            raise ModelError(f"the shipped NLI model is missing from {folder}; reinstall ClaimGraph")
        return str(folder)
    path = Path(name_or_path).expanduser()
    if path.exists():
        if not _is_model_folder(path):
            raise ModelError(f"{path} is not a model folder: it has no config.json or adapter_config.json")
        return str(path.resolve())
    if name_or_path.startswith((".", "/", "~")) or os.sep in name_or_path.strip("/").split("/", 1)[-1]:
        raise ModelError(f"NLI model path {name_or_path} does not exist")
    return name_or_path


def encoded_batches(
    tokenizer: Any, pairs: list[tuple[str, str]], batch_size: int, max_length: int, tensors: Literal["pt", "np"]
) -> Iterator[tuple[list[int], dict[str, Any]]]:
    """(indices, encoded inputs) for batches of pairs that share one padded length (:mod:`kg.padding`).

    One tokenizer call for the torch and ONNX paths keeps their truncation identical.
    """
    if not pairs:
        return
    encoded = tokenizer([p[0] for p in pairs], [p[1] for p in pairs], truncation="longest_first", max_length=max_length)
    yield from padded_batches(encoded, int(tokenizer.pad_token_id or 0), batch_size, max_length, tensors)


@dataclass
class NLIModel:
    name: str
    tokenizer: Any
    model: Any
    order: list[int]  # model output index of each of LABELS
    device: str
    weights_sha256: str
    backend: str = "torch"
    precision: Precision = "fp32"

    def predict(
        self, pairs: list[tuple[str, str]], batch_size: int = 64, max_length: int = 256
    ) -> npt.NDArray[np.float32]:
        """Probabilities, shape (len(pairs), 3), columns in LABELS order."""
        import torch

        out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        with torch.inference_mode(), autocast(self.precision, self.device):
            for index, encoded in encoded_batches(self.tokenizer, pairs, batch_size, max_length, "pt"):
                logits = self.model(**{k: v.to(self.device) for k, v in encoded.items()}).logits.float()
                probs = torch.softmax(logits, dim=-1)[:, self.order].cpu().numpy()
                out[index] = probs
        return out


@lru_cache(maxsize=8)
def model_fingerprint(name_or_path: str, backend: str) -> str:
    """Name, weights hash and inference path (with its precision), without loading the model."""
    path = f"torch-{runtime_precision()[0]}" if backend == "torch" else backend
    return f"{name_or_path}|{_weights_hash(resolve_nli_location(name_or_path))}|{path}"


def _weights_hash(location: str) -> str:
    """sha256 prefix of the weight files; for an adapter folder, of its base's hash and the adapter's files."""
    folder = Path(location)
    digest = hashlib.sha256()
    base = adapter_base(folder)
    if base is not None:
        digest.update(_weights_hash(resolve_nli_location(base)).encode())
    files = sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")) if folder.is_dir() else []
    for file in files:
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16] if files else "unknown"


ADAPTER_CONFIG = "adapter_config.json"


def adapter_base(folder: Path) -> str | None:
    """The base model a LoRA adapter folder was trained on (a name :func:`resolve_nli_location` knows), else None."""
    config = folder / ADAPTER_CONFIG
    if not config.is_file():
        return None
    try:
        base = json.loads(config.read_text(encoding="utf-8"))["base_model_name_or_path"]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"cannot read the adapter configuration {config}: {exc}") from exc
    return str(base)


def _load_weights(location: str, torch: Any) -> tuple[Any, Any]:
    """Tokenizer and model; an adapter folder (LoRA + head, ``peft``) is merged into its base at load."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = Path(location)
    base = adapter_base(folder) if folder.is_dir() else None
    if base is None:
        tokenizer = AutoTokenizer.from_pretrained(location)
        return tokenizer, AutoModelForSequenceClassification.from_pretrained(location, dtype=torch.float32)
    from peft import PeftModel

    base_location = resolve_nli_location(base)
    tokenizer = AutoTokenizer.from_pretrained(base_location)
    model = AutoModelForSequenceClassification.from_pretrained(base_location, dtype=torch.float32)
    merged = PeftModel.from_pretrained(model, location).merge_and_unload()
    return tokenizer, merged


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
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    location = resolve_nli_location(name_or_path)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    try:
        tokenizer, model = _load_weights(location, torch)
    except ModelError:
        raise
    except Exception as exc:
        offline = hub_offline()
        hint = " (HF_HUB_OFFLINE=1 is set: use a local path or the shipped model)" if offline else ""
        raise ModelError(f"cannot load NLI model {name_or_path!r}{hint}: {exc}") from exc
    model.to(device).eval()
    order = label_permutation(model.config.id2label)
    precision, _ = runtime_precision(device)
    return NLIModel(
        name_or_path, tokenizer, model, order, device, _weights_hash(location), f"torch-{precision}", precision
    )
