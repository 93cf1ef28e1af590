"""Split abstracts into sentences, each addressable as (paper, index) evidence. Pure.

A regex splitter tuned for scientific abstracts rather than a full NLP pipeline: it must
not break at decimals ("5.4 points"), common abbreviations ("e.g.", "et al.", "Fig.") or
initials, and it must be deterministic, since sentence indices are stored as evidence
addresses and must not move between runs.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = (
    "e.g",
    "i.e",
    "et al",
    "etc",
    "vs",
    "cf",
    "Fig",
    "Figs",
    "Eq",
    "Eqs",
    "Sec",
    "Tab",
    "No",
    "approx",
    "resp",
    "al",
    "Dr",
    "Prof",
    "Inc",
    "Ltd",
    "St",
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREV_END = re.compile(r"(?:\b(?:" + "|".join(re.escape(a) for a in _ABBREVIATIONS) + r")|\b[A-Z])\.$")


def split_sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.start()].rstrip()
        if _ABBREV_END.search(candidate):
            continue  # "e.g. XNLI", "et al. 2020", "K. Huang": not a sentence end
        sentences.append(candidate)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
