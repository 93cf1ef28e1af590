"""ClaimGraph's natural-language-inference model: data, training recipe, loading, evaluation."""

from kg.nli.labels import LABELS, label_permutation

__all__ = ["LABELS", "label_permutation"]
