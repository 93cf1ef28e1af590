"""The unit of NLI data: one (premise, hypothesis, label) pair and where it came from."""

from __future__ import annotations

from dataclasses import dataclass

from kg.nli.labels import LABELS


@dataclass(frozen=True)
class NLIPair:
    premise: str
    hypothesis: str
    label: str  # one of LABELS
    source: str

    @property
    def label_id(self) -> int:
        return LABELS.index(self.label)
