"""Evidence–claim pairs from FEVER, SNLI and Citation-Integrity, as (premise, hypothesis, label).

Splits are kept apart: training uses FEVER train, SNLI dev and Citation-Integrity train;
FEVER eval, SNLI test and Citation-Integrity dev are for evaluation only.

Neutral pairs where a dataset has no evidence (FEVER "NOT ENOUGH INFO", Citation-Integrity
claims without evidence): the premise is evidence retrieved *for a different claim of the
same split* that is lexically closest to this claim (IDF-weighted token overlap over an
inverted index), i.e. a sentence on a similar topic that was never judged to support or
refute this claim. For Citation-Integrity NEI claims, the premise is the sentence of the
cited abstract closest to the claim. Deterministic: ties break by position.
"""

from __future__ import annotations

import ast
import csv
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.nli.labels import LABELS

csv.field_size_limit(10**8)

_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}", "``": '"', "''": '"'}
_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "to",
        "was",
        "were",
        "with",
    ]
)
FEVER_LABELS = {
    "SUPPORTS": "entailment",
    "REFUTES": "contradiction",
    "NOT ENOUGH INFO": "neutral",
    "1": "entailment",
    "2": "contradiction",
    "0": "neutral",
}
CITINT_LABELS = {"SUPPORT": "entailment", "REFUTE": "contradiction"}
SPLITS = {
    "fever": {"train": "train", "eval": "eval", "test": "test"},
    "snli": {"train": "dev", "eval": "test"},
    "citint": {"train": "train", "eval": "dev"},
}


@dataclass(frozen=True)
class NLIPair:
    premise: str
    hypothesis: str
    label: str  # one of LABELS
    source: str

    @property
    def label_id(self) -> int:
        return LABELS.index(self.label)


def detokenize(text: str) -> str:
    for token, plain in _PTB.items():
        text = text.replace(token, plain)
    text = re.sub(r"\s+([.,;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{])\s+", r"\1", text)
    return " ".join(text.split())


def tokens(text: str) -> set[str]:
    return {t for t in _TOKEN.findall(text.lower()) if t not in _STOP}


class _Retriever:
    """IDF-weighted token overlap over the claims of one split, through an inverted index."""

    def __init__(self, claims: list[str]) -> None:
        self.claim_tokens = [tokens(c) for c in claims]
        df: Counter[str] = Counter(t for ts in self.claim_tokens for t in ts)
        self.idf = {t: math.log(len(claims) / n) for t, n in df.items()}
        self.index: dict[str, list[int]] = defaultdict(list)
        for i, ts in enumerate(self.claim_tokens):
            for t in ts:
                self.index[t].append(i)

    def closest(self, text: str, exclude: int | None = None) -> int | None:
        query = {t for t in tokens(text) if t in self.idf}
        named = {w.lower() for w in re.findall(r"\b[A-Z][a-z0-9]+", text)}
        # rarest tokens first, names of things before common words: the topic, not the phrasing
        rare = sorted(query, key=lambda t: (t not in named, -self.idf[t]))[:3]
        scores: dict[int, float] = defaultdict(float)
        for t in rare:
            postings = self.index.get(t, [])
            if len(postings) > 5000:
                continue
            for i in postings:
                if i != exclude:
                    scores[i] += self.idf[t]
        if not scores:
            return None
        return max(scores, key=lambda i: (scores[i], -i))


def fever(root: Path, split: str) -> list[NLIPair]:
    files = (
        sorted((root / "fever").glob("train_*.csv"), key=lambda p: int(p.stem.split("_")[1]))
        if split == "train"
        else [root / "fever" / f"{split}.csv"]
    )
    rows = [row for path in files for row in csv.DictReader(path.open(encoding="utf-8"))]
    verifiable: list[tuple[str, str, str]] = []  # (claim, first evidence sentence, label)
    nei: list[str] = []
    for row in rows:
        label = FEVER_LABELS[row["label"]]
        evidence = [detokenize(s) for s in ast.literal_eval(row["evidence"]) if s.strip()]
        if label == "neutral" or not evidence:
            if label == "neutral":
                nei.append(row["claim"])
            continue
        verifiable.append((row["claim"], " ".join(dict.fromkeys(evidence[:2])), label))
    pairs = [NLIPair(premise, claim, label, f"fever-{split}") for claim, premise, label in verifiable]
    retriever = _Retriever([claim for claim, _, _ in verifiable])
    for claim in nei:
        hit = retriever.closest(claim)
        if hit is not None:
            pairs.append(NLIPair(verifiable[hit][1], claim, "neutral", f"fever-{split}"))
    return pairs


def snli(root: Path, split: str) -> list[NLIPair]:
    folder = root / "snli"
    s1 = (folder / f"s1.{split}").read_text(encoding="utf-8").splitlines()
    s2 = (folder / f"s2.{split}").read_text(encoding="utf-8").splitlines()
    labels = (folder / f"labels.{split}").read_text(encoding="utf-8").splitlines()
    return [
        NLIPair(" ".join(p.split()), " ".join(h.split()), lab.strip(), f"snli-{split}")
        for p, h, lab in zip(s1, s2, labels, strict=True)
        if lab.strip() in LABELS
    ]


def _clean_citation(claim: str) -> str:
    claim = re.sub(r"\[[^\]]*\]", "", claim)
    claim = re.sub(r"<\|[a-z_]+\|>", "", claim)
    return " ".join(re.sub(r"\s+([.,;:])", r"\1", claim).split())


def citint(root: Path, split: str) -> list[NLIPair]:
    folder = root / "citint"
    corpus = {}
    for line in (folder / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        corpus[str(doc["doc_id"])] = doc["abstract"]
    pairs: list[NLIPair] = []
    for line in (folder / f"claims_{split}.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        claim = _clean_citation(item["claim"])
        if item.get("evidence"):
            for doc_id, sets in sorted(item["evidence"].items()):
                for evidence in sets:
                    sentences = [corpus[doc_id][i] for i in evidence["sentences"] if i < len(corpus.get(doc_id, []))]
                    if sentences:
                        pairs.append(
                            NLIPair(" ".join(sentences), claim, CITINT_LABELS[evidence["label"]], f"citint-{split}")
                        )
        else:
            candidates = [s for d in item.get("cited_doc_ids", []) for s in corpus.get(str(d), [])]
            if candidates:
                query = tokens(claim)
                best = max(candidates, key=lambda s: (len(query & tokens(s)), -candidates.index(s)))
                pairs.append(NLIPair(best, claim, "neutral", f"citint-{split}"))
    return pairs


LOADERS = {"fever": fever, "snli": snli, "citint": citint}


def load(root: Path, name: str, purpose: str) -> list[NLIPair]:
    """``purpose`` is "train" or "eval"; the file split comes from :data:`SPLITS`."""
    split = SPLITS[name][purpose]
    return LOADERS[name](root, split)


def counts(pairs: list[NLIPair]) -> dict[str, int]:
    found = Counter(p.label for p in pairs)
    return {label: found.get(label, 0) for label in LABELS}


def iter_batches(pairs: list[NLIPair], size: int) -> Iterator[list[NLIPair]]:
    for start in range(0, len(pairs), size):
        yield pairs[start : start + size]
