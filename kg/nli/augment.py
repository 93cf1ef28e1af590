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


def _negatable_sentence(premise: str, claim: str) -> tuple[int, str, list[str]] | None:
    """The premise sentence sharing most words with the claim, its index and the split premise; None if negated."""
    from kg.extraction.sentences import split_sentences
    from kg.nli.data import tokens

    sentences = split_sentences(premise) or [premise]
    query = tokens(claim)
    best = max(range(len(sentences)), key=lambda i: (len(query & tokens(sentences[i])), -i))
    if _NEGATED.search(sentences[best]):
        return None
    return best, sentences[best], sentences


def negation_both_pairs(pairs: Sequence[NLIPair]) -> list[NLIPair]:
    """Negation wherever it lands, so that a negation word alone predicts nothing.

    From an entailed pair: the evidence sentence negated → contradiction (negation in the
    evidence only); evidence and claim both negated → entailment. From a neutral pair: the
    evidence negated → still neutral. The first model saw only "claim negated →
    contradiction" and learned that a "not" in the claim means REFUTED whatever the evidence.
    """
    out: list[NLIPair] = []
    for pair in pairs:
        if pair.label not in ("entailment", "neutral") or _NEGATED.search(pair.hypothesis):
            continue
        found = _negatable_sentence(pair.premise, pair.hypothesis)
        negated_sentence = negate(found[1]) if found else None
        if found is None or negated_sentence is None:
            continue
        index, _, sentences = found
        premise = " ".join([*sentences[:index], negated_sentence, *sentences[index + 1 :]])
        if pair.label == "neutral":
            out.append(NLIPair(premise, pair.hypothesis, "neutral", f"{pair.source}+negated-evidence"))
            continue
        out.append(NLIPair(premise, pair.hypothesis, "contradiction", f"{pair.source}+negated-evidence"))
        negated_claim = negate(pair.hypothesis)
        if negated_claim:
            out.append(NLIPair(premise, negated_claim, "entailment", f"{pair.source}+negated-both"))
    return out


#: Words of opposite direction; each side maps to the other (inflections listed, no stemming guesswork).
ANTONYMS: dict[str, str] = {
    "increase": "decrease",
    "increases": "decreases",
    "increased": "decreased",
    "increasing": "decreasing",
    "higher": "lower",
    "more": "less",
    "improves": "worsens",
    "improved": "worsened",
    "improve": "worsen",
    "enhances": "reduces",
    "enhanced": "reduced",
    "positive": "negative",
    "positively": "negatively",
    "up-regulated": "down-regulated",
    "upregulated": "downregulated",
    "upregulates": "downregulates",
    "activates": "inhibits",
    "activated": "inhibited",
    "promotes": "suppresses",
    "promoted": "suppressed",
    "larger": "smaller",
    "greater": "smaller",
    "better": "worse",
    "outperforms": "underperforms",
    "gain": "loss",
    "gains": "losses",
    "rise": "fall",
    "rises": "falls",
    "benefits": "harms",
    "elevated": "reduced",
    "accelerates": "slows",
    "stronger": "weaker",
    "longer": "shorter",
}
_OPPOSITE = {**ANTONYMS, **{b: a for a, b in ANTONYMS.items() if b not in ANTONYMS}}
_DIRECTION = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _OPPOSITE), key=len, reverse=True)) + r")\b")


def _flip(text: str, word: str) -> str:
    """``text`` with every whole-word ``word`` replaced by its opposite (first letter's case kept)."""

    def swap(match: re.Match[str]) -> str:
        found = match.group()
        other = _OPPOSITE[found.lower()]
        return other.capitalize() if found[0].isupper() else other

    return re.sub(rf"\b{re.escape(word)}\b", swap, text, flags=re.IGNORECASE)


def antonym_pairs(pairs: Sequence[NLIPair]) -> list[NLIPair]:
    """Entailed pairs whose claim and evidence share a direction word ("increased", "higher").

    The claim flipped ("decreased") → contradiction; claim and evidence both flipped →
    entailment, so the flipped word alone predicts nothing. The first model read "decreased
    risk" as supporting "increased risk": the words are on topic, the direction was ignored.
    """
    out: list[NLIPair] = []
    for pair in pairs:
        if pair.label != "entailment":
            continue
        words = [m.group().lower() for m in _DIRECTION.finditer(pair.hypothesis)]
        shared = [w for w in dict.fromkeys(words) if re.search(rf"\b{re.escape(w)}\b", pair.premise, re.IGNORECASE)]
        if not shared:
            continue
        word = shared[0]
        claim = _flip(pair.hypothesis, word)
        out.append(NLIPair(pair.premise, claim, "contradiction", f"{pair.source}+antonym"))
        out.append(NLIPair(_flip(pair.premise, word), claim, "entailment", f"{pair.source}+antonym-both"))
    return out
