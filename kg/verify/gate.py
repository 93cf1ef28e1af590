"""The relevance gate: may this evidence sentence decide a verdict about this claim? Pure.

An NLI model asked about an unrelated sentence still answers, and the first verifier let
such answers decide ("The code is available at github…" SUPPORTED by "We adopt two robust
training methods"). A sentence is admitted only when it is *about* the claim:

* its retrieval similarity to the claim is at least ``min_similarity`` (chosen on the
  calibration data by ``kg verifier fit``, stored in the verifier artefact);
* it does not name *other* entities of a kind the claim names: a claim about XNLI is not
  decided by a sentence about PAWS-X alone, nor a claim about XLM-R by one about mBERT
  (a sentence that names no benchmark at all may still decide a benchmark claim: abstracts
  name the benchmark once and refer back to it).

A claim with no admitted sentence is NOT_ENOUGH_INFO, and the reason says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.extraction.entities import Extraction

KINDS = ("benchmarks", "models", "languages")


@dataclass(frozen=True)
class GateDecision:
    admitted: bool
    reason: str  # "" when admitted


def entity_conflict(claim: Extraction, sentence: Extraction) -> str | None:
    """The first kind of entity the claim names where the sentence names only others, described; else None."""
    for kind in KINDS:
        wanted = set(getattr(claim, kind))
        named = set(getattr(sentence, kind))
        if wanted and named and not wanted & named:
            return f"names {', '.join(sorted(named))}, not {', '.join(sorted(wanted))}"
    return None


def admit(similarity: float, claim: Extraction, sentence: Extraction, min_similarity: float) -> GateDecision:
    if similarity < min_similarity:
        return GateDecision(False, f"similarity {similarity:.2f} < {min_similarity:.2f}")
    conflict = entity_conflict(claim, sentence)
    if conflict:
        return GateDecision(False, conflict)
    return GateDecision(True, "")


def no_evidence_reason(decisions: list[GateDecision]) -> str:
    """Why a claim has no admitted evidence, for ``kg explain`` and the API."""
    if not decisions:
        return "no relevant evidence: the linked papers have no abstract sentences"
    return (
        f"no relevant evidence: none of {len(decisions)} candidate sentences is about the claim ({decisions[0].reason})"
    )
