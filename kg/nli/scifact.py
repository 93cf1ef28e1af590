"""SciFact: scientific claims against paper abstracts, the data closest to ClaimGraph's own job.

The pairs are built the way the verifier meets the task: a claim against the sentences of
the abstracts its source cites.

* the **rationale** sentences of a gold abstract → entailment (SUPPORT) or contradiction
  (CONTRADICT), both as the annotated set and sentence by sentence when the set is a single
  sentence;
* the **other sentences of the same gold abstract** → neutral: the hard case, on topic, same
  terms, not deciding the claim;
* claims without evidence (NEI) against the sentences of their cited abstracts → neutral.

Splits: ``train`` is SciFact train (808 claims). SciFact dev (300 claims) is split by a
content hash of the claim id into ``calib`` (half: fitting the verifier's aggregator and
choosing between candidate models) and ``eval`` (half: reported, never fitted or chosen on).
Two dev claims repeat a train claim word for word; they are in neither half.
Deterministic: the same files give the same pairs in the same order.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.nli.data import CitintClaim, held_apart, tokens
from kg.nli.pairs import NLIPair

SCIFACT_LABELS = {"SUPPORT": "entailment", "CONTRADICT": "contradiction"}
#: Share of SciFact dev claims used for calibration and model selection; the rest is the evaluation part.
SCIFACT_CALIB_PERCENT = 50
#: Neutral pairs per claim from the non-rationale sentences of its gold abstracts (most word-overlapping first).
OTHER_SENTENCES_PER_CLAIM = 6
#: Neutral pairs per NEI claim from its cited abstracts.
NEI_SENTENCES_PER_CLAIM = 4


#: SciFact and Citation-Integrity share one claim format.
SciFactClaim = CitintClaim


def scifact_corpus(root: Path) -> dict[str, list[str]]:
    corpus: dict[str, list[str]] = {}
    for line in (root / "scifact" / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        corpus[str(doc["doc_id"])] = [" ".join(str(s).split()) for s in doc["abstract"]]
    return corpus


def scifact_claims(root: Path, split: str) -> list[SciFactClaim]:
    """``train``: claims_train.jsonl; ``calib`` and ``eval``: the two disjoint halves of claims_dev.jsonl."""
    if split not in ("train", "calib", "eval"):
        raise ValueError(f"SciFact split {split!r} is not train, calib or eval")
    file = "train" if split == "train" else "dev"
    # two dev claims repeat a train claim word for word: the model trained on them, so neither half may hold them
    seen_in_train = set() if file == "train" else {c.claim for c in scifact_claims(root, "train")}
    claims: list[SciFactClaim] = []
    for line in (root / "scifact" / f"claims_{file}.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if file == "dev" and held_apart(f"scifact-{item['id']}", SCIFACT_CALIB_PERCENT) != (split == "calib"):
            continue
        text = " ".join(item["claim"].split())
        if text not in seen_in_train:
            claims.append(SciFactClaim.parse(item, text, SCIFACT_LABELS))
    return claims


def _overlap_order(claim: str, candidates: list[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    query = tokens(claim)
    return sorted(candidates, key=lambda c: (-len(query & tokens(c[2])), c[0], c[1]))


def scifact(root: Path, split: str) -> list[NLIPair]:
    corpus = scifact_corpus(root)
    source = f"scifact-{split}"
    pairs: list[NLIPair] = []
    for item in scifact_claims(root, split):
        marked = {(doc, i) for doc, sets in item.evidence.items() for indices, _ in sets for i in indices}
        for doc, sets in item.evidence.items():
            sentences = corpus.get(doc, [])
            for indices, label in sets:
                chosen = [sentences[i] for i in indices if i < len(sentences)]
                if chosen:
                    pairs.append(NLIPair(" ".join(chosen), item.claim, label, source))
                if len(chosen) > 1:  # each sentence alone too: the verifier scores sentence by sentence
                    pairs.extend(NLIPair(s, item.claim, label, f"{source}-sentence") for s in chosen)
        gold_docs = list(item.evidence) or item.cited
        pool = [
            (doc, i, s)
            for doc in gold_docs
            for i, s in enumerate(corpus.get(doc, []))
            if (doc, i) not in marked and len(s.split()) >= 5
        ]
        per_claim = OTHER_SENTENCES_PER_CLAIM if item.evidence else NEI_SENTENCES_PER_CLAIM
        pairs.extend(
            NLIPair(s, item.claim, "neutral", f"{source}-other")
            for _, _, s in _overlap_order(item.claim, pool)[:per_claim]
        )
    return pairs
