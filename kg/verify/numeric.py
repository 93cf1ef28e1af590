"""The numeric check: does an evidence sentence state the claim's number for the same benchmark? Pure.

NLI models are weak at numbers ("+2.1" and "+1.2" look alike to them), so a number the
claim binds to a benchmark is compared with the numbers evidence sentences bind to the
*same* benchmark, of the same kind (an improvement is not compared with an absolute score)
and, when both name one, the same metric. Equal within a rounding tolerance supports the
claim; only different numbers refute it; a number on another benchmark is ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg.extraction.entities import ExtractedResult
from schemas.graph import NumericStatus

#: Two values are the same number when they differ by less than this (one decimal of rounding).
TOLERANCE = 0.051


@dataclass(frozen=True)
class NumberedSentence:
    """An evidence sentence with the results extracted from it."""

    paper: str
    index: int
    results: tuple[ExtractedResult, ...]


@dataclass(frozen=True)
class NumericCheck:
    status: NumericStatus
    detail: str | None = None
    paper: str | None = None
    index: int | None = None


NO_NUMBERS = NumericCheck("none")


def comparable(claim: ExtractedResult, evidence: ExtractedResult) -> bool:
    if claim.benchmark is None or claim.benchmark != evidence.benchmark:
        return False
    if (claim.kind == "absolute") != (evidence.kind == "absolute"):
        return False
    return claim.metric is None or evidence.metric is None or claim.metric == evidence.metric


def _describe(result: ExtractedResult) -> str:
    unit = f" {result.unit}" if result.unit else ""
    return f"{result.kind} {result.value:g}{unit} on {result.benchmark}"


def check_numbers(
    claim_results: Sequence[ExtractedResult], sentences: Sequence[NumberedSentence], tolerance: float = TOLERANCE
) -> NumericCheck:
    """``mismatch`` if any claim number is contradicted, else ``match`` if any is confirmed, else ``none``."""
    matched: NumericCheck | None = None
    for claimed in claim_results:
        found = [
            (sentence, stated) for sentence in sentences for stated in sentence.results if comparable(claimed, stated)
        ]
        if not found:
            continue
        equal = [(s, r) for s, r in found if abs(r.value - claimed.value) < tolerance]
        sentence, stated = (equal or found)[0]
        status: NumericStatus = "match" if equal else "mismatch"
        check = NumericCheck(
            status,
            f"claim: {_describe(claimed)}; {sentence.paper} sentence {sentence.index}: {_describe(stated)}",
            sentence.paper,
            sentence.index,
        )
        if status == "mismatch":
            return check
        matched = matched or check
    return matched or NO_NUMBERS
