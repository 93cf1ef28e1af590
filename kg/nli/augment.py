"""Synthetic hard pairs made from real ones: changed numbers, swapped names, negation. Pure.

The first shipped model read a topical match as entailment, a negation in the claim as
contradiction, and ignored numbers. These pairs teach the three cases it never saw:

* **numeric**: an entailed claim whose number also appears in its evidence, with that number
  changed, is contradicted by the same evidence ("improves by 2.1" vs "improves by 3.4");
* **swap**: an entailed claim whose named subject (a benchmark/model from the gazetteer, or
  a capitalised name) is replaced by another one the evidence does not mention is *neutral*:
  the evidence is on topic but says nothing about the new subject;
* **negation**: an entailed claim negated ("is" → "is not") is contradicted; a neutral claim
  negated stays neutral, so negation alone never reads as contradiction.

Every function is deterministic for a given ``random.Random`` and never changes the premise.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from kg.nli.pairs import NLIPair

_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.]*\d)")
_AUXILIARY = re.compile(r"\b(is|are|was|were|has been|have been|had been|can|could|will|would|should|may|might)\b")
_VERB_3SG = re.compile(r"\b([a-z]{3,}[^s\W]s)\b(?=\s+(?:a|an|the|to|in|on|by|with|more|less|\w+ly)\b)")
_NEGATED = re.compile(r"\b(not|no|never|n't|cannot|neither|nor|without)\b", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*")


def _changed_number(token: str, rng: random.Random) -> str:
    """A different number of the same shape: years move by a few years, other values by 10–60 %."""
    if "." in token:
        decimals = len(token.split(".")[1])
        value = float(token)
        factor = rng.choice((0.4, 0.6, 0.75, 1.3, 1.5, 2.0))
        changed = f"{max(value * factor, 0.1):.{decimals}f}"
        return changed if changed != token else f"{value + 1:.{decimals}f}"
    value = int(token)
    if 1000 <= value <= 2100:
        return str(value + rng.choice((-7, -4, -2, 2, 3, 6)))
    if value < 10:
        return str(rng.choice([n for n in range(2, 13) if n != value]))
    return str(int(value * rng.choice((0.5, 0.7, 1.4, 2.0))) or value + 3)


def numeric_pairs(pairs: Sequence[NLIPair], rng: random.Random) -> list[NLIPair]:
    """Entailed claims with a number shared with their evidence, that number changed → contradiction."""
    out: list[NLIPair] = []
    for pair in pairs:
        if pair.label != "entailment":
            continue
        shared = [m for m in _NUMBER.finditer(pair.hypothesis) if m.group() in pair.premise]
        if not shared:
            continue
        match = rng.choice(shared)
        new = _changed_number(match.group(), rng)
        if new == match.group() or new in pair.premise:
            continue
        claim = pair.hypothesis[: match.start()] + new + pair.hypothesis[match.end() :]
        out.append(NLIPair(pair.premise, claim, "contradiction", f"{pair.source}+numeric"))
    return out


def swap_pairs(pairs: Sequence[NLIPair], names: Sequence[str], rng: random.Random) -> list[NLIPair]:
    """Entailed claims whose named subject is replaced by a name absent from the evidence → neutral.

    ``names`` is the pool to draw replacements from (gazetteer benchmarks and models, or the
    subjects of other claims); a replacement that occurs in the premise is never used.
    """
    out: list[NLIPair] = []
    pool = sorted(set(names))
    if len(pool) < 2:
        return out
    for pair in pairs:
        if pair.label != "entailment":
            continue
        subjects = [
            m
            for m in _NAME.finditer(pair.hypothesis)
            if m.group() in pair.premise and len(m.group()) > 2 and (m.start() > 0 or " " in m.group())
        ]
        if not subjects:
            continue
        subject = subjects[0]
        for _ in range(5):
            other = rng.choice(pool)
            if other.lower() not in pair.premise.lower() and other != subject.group():
                claim = pair.hypothesis[: subject.start()] + other + pair.hypothesis[subject.end() :]
                out.append(NLIPair(pair.premise, claim, "neutral", f"{pair.source}+swap"))
                break
    return out


def _base_form(verb: str) -> str:
    """improves → improve, carries → carry, reaches → reach."""
    if verb.endswith("ies"):
        return verb[:-3] + "y"
    if verb.endswith(("shes", "ches", "xes", "zes", "sses")):
        return verb[:-2]
    return verb[:-1]


def negate(claim: str) -> str | None:
    """The claim with its first auxiliary or simple present verb negated; None when there is none to negate."""
    if _NEGATED.search(claim):
        return None  # double negation reads unnaturally and its label is unclear
    aux = _AUXILIARY.search(claim)
    if aux:
        head, _, rest = aux.group(1).partition(" ")
        negated = f"{head} not" + (f" {rest}" if rest else "")
        return claim[: aux.start()] + negated + claim[aux.end() :]
    verb = _VERB_3SG.search(claim)
    if verb:
        stem = _base_form(verb.group(1))
        return claim[: verb.start()] + f"does not {stem}" + claim[verb.end() :]
    return None


def negation_pairs(pairs: Sequence[NLIPair]) -> list[NLIPair]:
    """Entailed claim negated → contradiction; neutral claim negated → still neutral."""
    flip = {"entailment": "contradiction", "neutral": "neutral"}
    out: list[NLIPair] = []
    for pair in pairs:
        label = flip.get(pair.label)
        negated = negate(pair.hypothesis) if label else None
        if label and negated:
            out.append(NLIPair(pair.premise, negated, label, f"{pair.source}+negation"))
    return out
