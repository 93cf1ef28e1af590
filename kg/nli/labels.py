"""The three NLI labels and the mapping from any model's ``id2label`` onto them.

Hub NLI models order their labels differently (``contradiction, entailment, neutral`` is
common; ``ENTAILMENT`` in capitals too), so a model's outputs are always re-ordered by
name, case-insensitively, never by position.
"""

from __future__ import annotations

from collections.abc import Mapping

from kg.errors import ModelError

LABELS: tuple[str, str, str] = ("entailment", "neutral", "contradiction")

_ALIASES = {
    "entailment": "entailment",
    "entails": "entailment",
    "support": "entailment",
    "supports": "entailment",
    "neutral": "neutral",
    "not_enough_info": "neutral",
    "nei": "neutral",
    "not enough info": "neutral",
    "contradiction": "contradiction",
    "contradicts": "contradiction",
    "refute": "contradiction",
    "refutes": "contradiction",
}


def label_permutation(id2label: Mapping[int | str, str]) -> list[int]:
    """Model output index for each of :data:`LABELS`, in that order."""
    by_name: dict[str, int] = {}
    for index, name in id2label.items():
        canonical = _ALIASES.get(str(name).strip().lower())
        if canonical is None:
            raise ModelError(f"model label {name!r} is not an NLI label (expected entailment/neutral/contradiction)")
        by_name[canonical] = int(index)
    missing = [label for label in LABELS if label not in by_name]
    if missing:
        raise ModelError(f"model labels {dict(id2label)} lack {', '.join(missing)}")
    return [by_name[label] for label in LABELS]
