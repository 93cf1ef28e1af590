"""The claim verifier: evidence retrieval, relevance gate, NLI scoring, the numeric check, calibrated verdicts."""

from kg.verify.aggregate import Aggregator, Decision, OperatingPoint, agrees, decide
from kg.verify.numeric import NumericCheck, check_numbers

__all__ = ["Aggregator", "Decision", "NumericCheck", "OperatingPoint", "agrees", "check_numbers", "decide"]
