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
import hashlib
import json
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Container, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.nli.labels import LABELS
from kg.nli.pairs import NLIPair

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
    "fever": {"train": "train", "calib": "calib", "eval": "eval", "test": "test"},
    "snli": {"train": "dev", "eval": "test"},
    "citint": {"train": "train", "calib": "calib", "eval": "dev"},
    "citint_hard": {"train": "train", "calib": "calib", "eval": "dev"},
    "healthver": {"train": "train", "calib": "calib", "eval": "eval"},
    "fever_topic": {"train": "train", "calib": "calib", "eval": "eval"},
    "numeric": {"train": "train"},
    "negation": {"train": "train"},
    "swap": {"train": "train"},
    "scifact": {"train": "train", "calib": "calib", "eval": "eval"},
    "negation_both": {"train": "train"},
    "antonym": {"train": "train"},
}


def detokenize(text: str) -> str:
    for token, plain in _PTB.items():
        text = text.replace(token, plain)
    text = re.sub(r"\s+([.,;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{])\s+", r"\1", text)
    return " ".join(text.split())


def tokens(text: str) -> set[str]:
    return {t for t in _TOKEN.findall(text.lower()) if t not in _STOP}


class Retriever:
    """IDF-weighted token overlap over the claims of one split, through an inverted index."""

    def __init__(self, claims: list[str]) -> None:
        self.claim_tokens = [tokens(c) for c in claims]
        df: Counter[str] = Counter(t for ts in self.claim_tokens for t in ts)
        self.idf = {t: math.log(len(claims) / n) for t, n in df.items()}
        self.index: dict[str, list[int]] = defaultdict(list)
        for i, ts in enumerate(self.claim_tokens):
            for t in ts:
                self.index[t].append(i)

    def closest(self, text: str, exclude: Container[int] = ()) -> int | None:
        query = {t for t in tokens(text) if t in self.idf}
        named = {w.lower() for w in re.findall(r"\b[A-Z][a-z0-9]+", text)}
        # rarest tokens first, names of things before common words: the topic, not the phrasing
        rare = sorted(query, key=lambda t: (t not in named, -self.idf[t], t))[:3]  # t last: no hash-order ties
        scores: dict[int, float] = defaultdict(float)
        for t in rare:
            postings = self.index.get(t, [])
            if len(postings) > 5000:
                continue
            for i in postings:
                if i not in exclude:
                    scores[i] += self.idf[t]
        if not scores:
            return None
        return max(scores, key=lambda i: (scores[i], -i))


def fever_files(root: Path, split: str) -> list[Path]:
    """``train``: train_0 … train_13; ``calib``: train_14 (held apart for the verifier's aggregator)."""
    if split in ("train", "calib"):
        numbered = sorted((root / "fever").glob("train_*.csv"), key=lambda p: int(p.stem.split("_")[1]))
        return numbered[-1:] if split == "calib" else numbered[:-1]
    return [root / "fever" / f"{split}.csv"]


def fever_rows(root: Path, split: str) -> list[dict[str, str]]:
    return [row for path in fever_files(root, split) for row in csv.DictReader(path.open(encoding="utf-8"))]


def fever_evidence(row: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(detokenize(s) for s in ast.literal_eval(row["evidence"]) if s.strip()))


def fever(root: Path, split: str) -> list[NLIPair]:
    rows = fever_rows(root, split)
    verifiable: list[tuple[str, str, str]] = []  # (claim, first evidence sentence, label)
    nei: list[str] = []
    for row in rows:
        label = FEVER_LABELS[row["label"]]
        evidence = fever_evidence(row)
        if label == "neutral" or not evidence:
            if label == "neutral":
                nei.append(row["claim"])
            continue
        verifiable.append((row["claim"], " ".join(evidence[:2]), label))
    pairs = [NLIPair(premise, claim, label, f"fever-{split}") for claim, premise, label in verifiable]
    retriever = Retriever([claim for claim, _, _ in verifiable])
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


def held_apart(key: str, percent: int) -> bool:
    """A fixed, content-addressed share of the items: the same item lands on the same side on every machine."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 100 < percent


#: Share of Citation-Integrity *train* claims held apart for fitting the verifier's aggregator.
CITINT_CALIB_PERCENT = 20


@dataclass(frozen=True)
class CitintClaim:
    """A claim in SciFact's format (Citation-Integrity and SciFact share it): its evidence sets and cited docs."""

    id: str
    claim: str
    evidence: dict[str, list[tuple[list[int], str]]]  # doc id → (sentence indices, NLI label)
    cited: list[str]

    @property
    def labels(self) -> set[str]:
        return {label for sets in self.evidence.values() for _, label in sets}

    @classmethod
    def parse(cls, item: dict[str, object], text: str, labels: dict[str, str]) -> CitintClaim:
        """One claims_*.jsonl record with its text as given; evidence labels mapped by ``labels``."""
        raw = item.get("evidence") or {}
        assert isinstance(raw, dict)
        evidence = {
            str(doc): [([int(i) for i in e["sentences"]], labels[e["label"]]) for e in sets]
            for doc, sets in sorted(raw.items())
        }
        cited = item.get("cited_doc_ids") or []
        assert isinstance(cited, list)
        return cls(str(item["id"]), text, evidence, [str(d) for d in cited])


def citint_corpus(root: Path) -> dict[str, list[str]]:
    corpus = {}
    for line in (root / "citint" / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        corpus[str(doc["doc_id"])] = [str(s) for s in doc["abstract"]]
    return corpus


def citint_claims(root: Path, split: str) -> list[CitintClaim]:
    """``train`` and ``calib`` are disjoint parts of claims_train.jsonl; ``dev`` is claims_dev.jsonl."""
    file = "dev" if split == "dev" else "train"
    claims = []
    for line in (root / "citint" / f"claims_{file}.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if file == "train" and held_apart(f"citint-{item['id']}", CITINT_CALIB_PERCENT) != (split == "calib"):
            continue
        claims.append(CitintClaim.parse(item, _clean_citation(item["claim"]), CITINT_LABELS))
    return claims


def citint(root: Path, split: str) -> list[NLIPair]:
    corpus = citint_corpus(root)
    pairs: list[NLIPair] = []
    for item in citint_claims(root, split):
        if item.evidence:
            for doc_id, sets in item.evidence.items():
                for indices, label in sets:
                    sentences = [corpus[doc_id][i] for i in indices if i < len(corpus.get(doc_id, []))]
                    if sentences:
                        pairs.append(NLIPair(" ".join(sentences), item.claim, label, f"citint-{split}"))
        else:
            candidates = [s for d in item.cited for s in corpus.get(d, [])]
            if candidates:
                query = tokens(item.claim)
                best = max(candidates, key=lambda s: (len(query & tokens(s)), -candidates.index(s)))
                pairs.append(NLIPair(best, item.claim, "neutral", f"citint-{split}"))
    return pairs


#: Hard neutrals per Citation-Integrity claim: its most word-overlapping non-evidence sentences.
HARD_NEUTRALS_PER_CLAIM = 3


def citint_hard(root: Path, split: str) -> list[NLIPair]:
    """Sentences of the *cited* abstracts that the annotators did not mark as evidence → neutral.

    On topic (same paper, usually same terms) but not deciding the claim: the case the first
    model never saw. The closest ones by word overlap come first, so the pairs are hard.
    """
    corpus = citint_corpus(root)
    pairs: list[NLIPair] = []
    for item in citint_claims(root, split):
        marked = {(doc, i) for doc, sets in item.evidence.items() for indices, _ in sets for i in indices}
        pool = [
            (doc, i, sentence)
            for doc in dict.fromkeys([*item.evidence, *item.cited])
            for i, sentence in enumerate(corpus.get(doc, []))
            if (doc, i) not in marked and len(sentence.split()) >= 6
        ]
        query = tokens(item.claim)
        pool.sort(key=lambda c: (-len(query & tokens(c[2])), c[0], c[1]))
        pairs.extend(
            NLIPair(s, item.claim, "neutral", f"citint-hard-{split}") for _, _, s in pool[:HARD_NEUTRALS_PER_CLAIM]
        )
    return pairs


HEALTHVER_LABELS = {"Supports": "entailment", "Refutes": "contradiction", "Neutral": "neutral"}
#: HealthVer dev is split by *topic* (a topic's claims share wording): 50 % train, 20 % calibration, 30 % evaluation.
HEALTHVER_PARTS = (("train", 50), ("calib", 70), ("eval", 100))


def healthver_part(topic: str) -> str:
    bucket = int(hashlib.sha256(f"healthver-topic-{topic}".encode()).hexdigest()[:8], 16) % 100
    return next(part for part, upper in HEALTHVER_PARTS if bucket < upper)


def healthver_rows(root: Path, part: str) -> list[dict[str, str]]:
    with (root / "healthver" / "dev.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r for r in rows if r["label"] in HEALTHVER_LABELS and healthver_part(r["topic_ip"]) == part]


def healthver(root: Path, part: str) -> list[NLIPair]:
    return [
        NLIPair(
            " ".join(r["evidence"].split()),
            " ".join(r["claim"].split()),
            HEALTHVER_LABELS[r["label"]],
            f"healthver-{part}",
        )
        for r in healthver_rows(root, part)
    ]


def fever_topic(root: Path, split: str) -> list[NLIPair]:
    """FEVER claims paired with the evidence of a *different verifiable claim on the same topic* → neutral.

    Unlike the NOT-ENOUGH-INFO neutrals these claims are verifiable, just not by this
    evidence: a sentence about the same entity that decides a different fact.
    """
    rows = [r for r in fever_rows(root, split) if FEVER_LABELS[r["label"]] != "neutral"]
    items = [(r["claim"], " ".join(fever_evidence(r)[:2])) for r in rows]
    items = [(c, e) for c, e in items if e]
    retriever = Retriever([c for c, _ in items])
    pairs: list[NLIPair] = []
    for i, (claim, evidence) in enumerate(items):
        hit = retriever.closest(claim, exclude={i})
        if hit is None:
            continue
        other = items[hit][1]
        # the other evidence must not be this claim's own evidence, nor state the claim word for word
        if other != evidence and not tokens(claim) <= tokens(other):
            pairs.append(NLIPair(other, claim, "neutral", f"fever-topic-{split}"))
    return pairs


def _entailed_sources(root: Path, split: str) -> list[NLIPair]:
    return [p for p in fever(root, split) + citint(root, split) if p.label == "entailment"]


def numeric(root: Path, split: str) -> list[NLIPair]:
    """Entailed FEVER and Citation-Integrity claims with a shared number changed → contradiction."""
    from kg.nli.augment import numeric_pairs

    return numeric_pairs(_entailed_sources(root, split), random.Random(f"numeric-{split}"))


def negation(root: Path, split: str) -> list[NLIPair]:
    """Entailed claims negated → contradiction; neutral claims negated → neutral."""
    from kg.nli.augment import negation_pairs

    source = [p for p in fever(root, split) + citint(root, split) + citint_hard(root, split)]
    return negation_pairs(source)


def swap(root: Path, split: str) -> list[NLIPair]:
    """Entailed claims about another subject (benchmark, model or name) → neutral."""
    from kg.extraction.gazetteer import Gazetteer
    from kg.nli.augment import swap_pairs

    source = _entailed_sources(root, split)
    gazetteer = Gazetteer.load()
    names = [e.name for kind in ("benchmark", "model") for e in gazetteer.entries(kind)]
    names += [m.group() for p in source for m in re.finditer(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+", p.hypothesis)]
    return swap_pairs(source, names, random.Random(f"swap-{split}"))


def _scifact(root: Path, split: str) -> list[NLIPair]:
    from kg.nli.scifact import scifact as scifact_pairs

    return scifact_pairs(root, split)


def negation_both(root: Path, split: str) -> list[NLIPair]:
    """Negation in the evidence only → contradiction, in both → entailment, neutral evidence negated → neutral."""
    from kg.nli.augment import negation_both_pairs

    return negation_both_pairs(fever(root, split) + citint(root, split) + _scifact(root, split))


def antonym(root: Path, split: str) -> list[NLIPair]:
    """A direction word flipped in the claim → contradiction; flipped in claim and evidence → entailment."""
    from kg.nli.augment import antonym_pairs

    return antonym_pairs(fever(root, split) + citint(root, split) + _scifact(root, split))


LOADERS = {
    "fever": fever,
    "snli": snli,
    "citint": citint,
    "citint_hard": citint_hard,
    "healthver": healthver,
    "fever_topic": fever_topic,
    "numeric": numeric,
    "negation": negation,
    "swap": swap,
    "scifact": _scifact,
    "negation_both": negation_both,
    "antonym": antonym,
}


def load(root: Path, name: str, purpose: str) -> list[NLIPair]:
    """``purpose``: "train", "calib" (held apart for the verifier) or "eval"; file splits are in :data:`SPLITS`."""
    split = SPLITS[name][purpose]
    return LOADERS[name](root, split)


def counts(pairs: list[NLIPair]) -> dict[str, int]:
    found = Counter(p.label for p in pairs)
    return {label: found.get(label, 0) for label in LABELS}


def iter_batches(pairs: list[NLIPair], size: int) -> Iterator[list[NLIPair]]:
    for start in range(0, len(pairs), size):
        yield pairs[start : start + size]


def stratified_sample(pairs: list[NLIPair], size: int, seed: int = 13) -> list[NLIPair]:
    """Up to ``size`` pairs, as even across labels as the data allow, deterministic for a seed."""
    rng = random.Random(seed)
    by_label: dict[str, list[NLIPair]] = {}
    for pair in pairs:
        by_label.setdefault(pair.label, []).append(pair)
    per_label = max(1, size // max(1, len(by_label)))
    sample: list[NLIPair] = []
    for label in sorted(by_label):
        group = list(by_label[label])
        rng.shuffle(group)
        sample += group[:per_label]
    rng.shuffle(sample)
    return sample
