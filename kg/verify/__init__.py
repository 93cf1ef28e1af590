"""The claim verifier: evidence retrieval, NLI scoring, the numeric check, verdicts with provenance."""

from kg.verify.aggregate import Decision, Thresholds, agrees, decide
from kg.verify.numeric import NumericCheck, check_numbers

__all__ = ["Decision", "NumericCheck", "Thresholds", "agrees", "check_numbers", "decide"]
