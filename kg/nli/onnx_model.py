"""The ONNX Runtime inference path: export the NLI model once, quantise it to int8, score on CPU.

Dynamic int8 quantisation of the linear layers is where CPU time goes for a MiniLM
cross-encoder; exporting and quantising take a few seconds, so the files are built on
first use and cached under ``<data_dir>/onnx/<weights hash>/`` rather than shipped. The
tokenizer and the label order come from the torch model, so both paths return the same
columns (LABELS order) for the same pairs.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from kg.errors import ModelError
from kg.nli.labels import LABELS
from kg.nli.model import NLIModel, cpu_threads, encoded_batches

OnnxVariant = Literal["onnx", "onnx-int8"]
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


@dataclass
class OnnxNLIModel:
    name: str
    tokenizer: Any
    session: Any
    order: list[int]
    weights_sha256: str
    backend: str
    input_names: tuple[str, ...]

    def predict(
        self, pairs: list[tuple[str, str]], batch_size: int = 16, max_length: int = 256
    ) -> npt.NDArray[np.float32]:
        """Probabilities, shape (len(pairs), 3), columns in LABELS order; pairs batched by length."""
        out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        for index, encoded in encoded_batches(self.tokenizer, pairs, batch_size, max_length, "np"):
            feed = {name: encoded[name].astype(np.int64) for name in self.input_names}
            logits = self.session.run(None, feed)[0][:, self.order].astype(np.float32)
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            out[index] = probs / probs.sum(axis=1, keepdims=True)
        return out


def export_onnx(model: NLIModel, folder: Path, variant: OnnxVariant) -> Path:
    """``model.onnx`` (fp32) and, for ``onnx-int8``, ``model-int8.onnx``; reused when present."""
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    fp32 = folder / "model.onnx"
    if not fp32.exists():
        sample = model.tokenizer(["a premise"], ["a hypothesis"], return_tensors="pt")
        names = tuple(n for n in _INPUTS if n in sample)
        tmp = folder / "model.onnx.tmp"
        with warnings.catch_warnings():  # the TorchScript exporter announces its own deprecation
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model.model.cpu(),
                tuple(sample[n] for n in names),
                str(tmp),
                input_names=list(names),
                output_names=["logits"],
                dynamic_axes={**{n: {0: "batch", 1: "sequence"} for n in names}, "logits": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        tmp.replace(fp32)
        model.model.to(model.device)
    if variant == "onnx":
        return fp32
    int8 = folder / "model-int8.onnx"
    if not int8.exists():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = folder / "model-int8.tmp.onnx"
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # it logs an unconditional "consider pre-processing" hint on the root logger
        try:
            quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root.setLevel(level)
        tmp.replace(int8)
    return int8


def load_onnx_model(model: NLIModel, cache_dir: Path, variant: OnnxVariant = "onnx-int8") -> OnnxNLIModel:
    import onnxruntime as ort

    path = export_onnx(model, cache_dir / "onnx" / model.weights_sha256, variant)
    options = ort.SessionOptions()
    options.intra_op_num_threads = cpu_threads()
    options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # a truncated cache file, an unsupported opset…
        raise ModelError(f"cannot load ONNX model {path} (delete it to rebuild): {exc}") from exc
    names = tuple(i.name for i in session.get_inputs())
    return OnnxNLIModel(model.name, model.tokenizer, session, model.order, model.weights_sha256, variant, names)
