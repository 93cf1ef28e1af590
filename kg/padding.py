"""Batch-invariant padding: a text's padded length is decided by the text alone.

Transformers pad a batch to its longest member. In fp32 that changes nothing a reader can see, but in bf16 the
padded length changes the blocking of the matrix products, and with it the last bits of every row: the NLI
model's probabilities moved by up to 4e-3 and sentence vectors by ~1e-5 with their batch companions. Padding each
input to the next multiple of :data:`BUCKET_TOKENS` of its *own* token count, and batching only inputs of one
padded length, makes a result the same alone or in any batch, so a verdict or a paraphrase link does not depend
on what else was ingested in the same run. Shared by the NLI model (pairs) and the sentence encoder (single texts).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

import numpy as np

#: Inputs are padded to a multiple of this many tokens (the NLI model's pairs: its evaluation was run with 16).
BUCKET_TOKENS = 16
#: What the tokenizer gives that a model takes, in the order models name them.
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


def bucket_length(tokens: int, max_length: int, bucket: int = BUCKET_TOKENS) -> int:
    """The padded length of an input of ``tokens`` tokens: the next multiple of ``bucket``."""
    return min(max_length, -(-tokens // bucket) * bucket)


def padded_batches(
    encoded: Mapping[str, Sequence[Sequence[int]]],
    pad_id: int,
    batch_size: int,
    max_length: int,
    tensors: Literal["pt", "np"],
    bucket: int = BUCKET_TOKENS,
) -> Iterator[tuple[list[int], dict[str, Any]]]:
    """(indices, padded inputs) for batches of tokenized inputs that share one padded length.

    ``encoded`` is a tokenizer's output without padding (lists of token ids per input). Batches come shortest
    first; within a length, in input order, so the batches themselves are deterministic too. A smaller
    ``bucket`` pads less and makes more, smaller batches.
    """
    names = [n for n in INPUT_NAMES if n in encoded]
    lengths = [len(ids) for ids in encoded["input_ids"]]
    groups: dict[int, list[int]] = {}
    for i in sorted(range(len(lengths)), key=lambda i: (lengths[i], i)):
        groups.setdefault(bucket_length(lengths[i], max_length, bucket), []).append(i)
    for length, members in sorted(groups.items()):
        for start in range(0, len(members), batch_size):
            index = members[start : start + batch_size]
            arrays = {
                name: np.full((len(index), length), pad_id if name == "input_ids" else 0, np.int64) for name in names
            }
            for row, i in enumerate(index):
                for name in names:
                    arrays[name][row, : lengths[i]] = encoded[name][i]
            if tensors == "pt":
                import torch

                yield index, {name: torch.from_numpy(array) for name, array in arrays.items()}
            else:
                yield index, arrays
