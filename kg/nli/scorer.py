"""One way to get "the NLI scorer" whatever the inference path: torch (fp32, CUDA when present) or ONNX Runtime."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

Backend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[Backend, ...] = ("torch", "onnx", "onnx-int8")


class NLIScorer(Protocol):
    name: str
    weights_sha256: str
    backend: str

    def predict(
        self, pairs: list[tuple[str, str]], batch_size: int = ..., max_length: int = ...
    ) -> npt.NDArray[np.float32]:
        """Probabilities, shape (len(pairs), 3), in LABELS order."""
        ...


def load_scorer(name_or_path: str, backend: Backend, cache_dir: Path) -> NLIScorer:
    """``cache_dir`` holds exported ONNX files (keyed by the weights' hash)."""
    from kg.nli.model import load_nli_model

    model = load_nli_model(name_or_path)
    if backend == "torch":
        return model
    if model.device != "cpu":  # ONNX Runtime runs here on CPU only; on a GPU the torch path is the fast one
        return model
    from kg.nli.onnx_model import load_onnx_model

    return load_onnx_model(model, cache_dir, backend)
