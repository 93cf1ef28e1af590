"""Claim-level examples for fitting and evaluating the whole verifier: a claim, its candidate sentences, its label.

The file format anyone can use (``kg verifier eval FILE``):

* JSON Lines, one object per line: ``{"claim": "...", "evidence": ["sentence", ...] or "a text",
  "label": "SUPPORTED" | "REFUTED" | "NOT_ENOUGH_INFO"}`` (``SUPPORT``/``SUPPORTS``/``entailment``,
  ``REFUTE``/``REFUTES``/``contradiction``, ``NEI``/``neutral`` are accepted too); an optional ``id``;
* or CSV with the columns ``claim``, ``evidence`` (a text, split into sentences), ``label``.

Builders for the public sets turn each into that shape: FEVER (gold evidence plus the
evidence of other claims about the same entity as distractors; NOT ENOUGH INFO claims get
only same-topic sentences), Citation-Integrity (every sentence of the cited abstracts),
HealthVer (the evidence passage) and SciFact (every sentence of the gold and cited abstracts).
Each has a ``calib`` part (fitting the aggregator, choosing the model) and an ``eval`` part
(reported); they never overlap, and neither was used to train the NLI model.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from kg.errors import InputError
from kg.extraction.sentences import split_sentences
from kg.nli import data
from schemas.graph import VerdictLabel

_LABELS: dict[str, VerdictLabel] = {
    "supported": "SUPPORTED",
    "support": "SUPPORTED",
    "supports": "SUPPORTED",
    "entailment": "SUPPORTED",
    "refuted": "REFUTED",
    "refute": "REFUTED",
    "refutes": "REFUTED",
    "contradiction": "REFUTED",
    "not_enough_info": "NOT_ENOUGH_INFO",
    "not enough info": "NOT_ENOUGH_INFO",
    "nei": "NOT_ENOUGH_INFO",
    "neutral": "NOT_ENOUGH_INFO",
}


@dataclass(frozen=True)
class ClaimExample:
    claim: str
    sentences: tuple[str, ...]
    label: VerdictLabel
    id: str = ""


def label_of(value: str, where: str) -> VerdictLabel:
    label = _LABELS.get(value.strip().lower())
    if label is None:
        raise InputError(f"{where}: label {value!r} is not SUPPORTED, REFUTED or NOT_ENOUGH_INFO")
    return label


def _sentences(evidence: object, where: str) -> tuple[str, ...]:
    if isinstance(evidence, str):
        return tuple(split_sentences(evidence))
    if isinstance(evidence, list) and all(isinstance(s, str) for s in evidence):
        return tuple(" ".join(s.split()) for s in evidence if s.strip())
    raise InputError(f"{where}: evidence must be a text or a list of sentences")


def read_examples(path: Path) -> list[ClaimExample]:
    """Examples from a ``.jsonl`` or ``.csv`` file; a bad line names the file, the line and the reason."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    examples: list[ClaimExample] = []
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"claim", "evidence", "label"} - set(reader.fieldnames or ())
            if missing:
                raise InputError(f"{path}:1: missing column(s) {', '.join(sorted(missing))}")
            for line, row in enumerate(reader, start=2):
                where = f"{path}:{line}"
                examples.append(
                    ClaimExample(
                        row["claim"].strip(),
                        _sentences(row["evidence"], where),
                        label_of(row["label"], where),
                        row.get("id") or str(line),
                    )
                )
        return examples
    for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        where = f"{path}:{line}"
        try:
            item = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not JSON ({exc.msg})") from exc
        if not isinstance(item, dict) or not isinstance(item.get("claim"), str) or "label" not in item:
            raise InputError(f"{where}: expected an object with claim, evidence and label")
        examples.append(
            ClaimExample(
                item["claim"].strip(),
                _sentences(item.get("evidence", []), where),
                label_of(str(item["label"]), where),
                str(item.get("id", line)),
            )
        )
    return examples


def write_examples(examples: Iterable[ClaimExample], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for example in examples:
            item = asdict(example)
            item["evidence"] = list(item.pop("sentences"))
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    return count


# --- the public sets -------------------------------------------------------------------------

#: Distractor claims whose evidence joins a FEVER claim's candidates (same entity, other facts).
FEVER_DISTRACTORS = 2


def fever_examples(root: Path, split: str, per_label: int, seed: int = 13) -> list[ClaimExample]:
    rows = data.fever_rows(root, split)
    verifiable = [(r, data.fever_evidence(r)) for r in rows if data.FEVER_LABELS[r["label"]] != "neutral"]
    verifiable = [(r, e) for r, e in verifiable if e]
    retriever = data.Retriever([r["claim"] for r, _ in verifiable])
    by_label: dict[VerdictLabel, list[ClaimExample]] = {"SUPPORTED": [], "REFUTED": [], "NOT_ENOUGH_INFO": []}

    def distractors(claim: str, exclude: int | None) -> list[str]:
        found: list[str] = []
        skip: set[int] = {exclude} if exclude is not None else set()
        for _ in range(FEVER_DISTRACTORS):
            hit = retriever.closest(claim, exclude=skip)
            if hit is None:
                break
            skip.add(hit)
            found += verifiable[hit][1][:2]
        return found

    for i, (row, evidence) in enumerate(verifiable):
        label = label_of(data.FEVER_LABELS[row["label"]], "FEVER")
        sentences = tuple(dict.fromkeys(evidence + distractors(row["claim"], i)))
        by_label[label].append(ClaimExample(row["claim"], sentences, label, f"fever-{split}-{row['id']}"))
    for row in rows:
        if data.FEVER_LABELS[row["label"]] == "neutral":
            sentences = tuple(dict.fromkeys(distractors(row["claim"], None)))
            if sentences:
                by_label["NOT_ENOUGH_INFO"].append(
                    ClaimExample(row["claim"], sentences, "NOT_ENOUGH_INFO", f"fever-{split}-{row['id']}")
                )
    rng = random.Random(seed)
    chosen: list[ClaimExample] = []
    for label in sorted(by_label):
        group = by_label[label]
        chosen += rng.sample(group, min(per_label, len(group)))
    return chosen


def citint_examples(root: Path, split: str) -> list[ClaimExample]:
    corpus = data.citint_corpus(root)
    examples: list[ClaimExample] = []
    for item in data.citint_claims(root, split):
        labels = {label for sets in item.evidence.values() for _, label in sets}
        if len(labels) > 1:
            continue  # supported by one cited paper and refuted by another: no single verdict
        label = label_of(labels.pop(), "Citation-Integrity") if labels else "NOT_ENOUGH_INFO"
        docs = list(dict.fromkeys([*item.evidence, *item.cited]))
        sentences = tuple(s for doc in docs for s in corpus.get(doc, []))
        if sentences:
            examples.append(ClaimExample(item.claim, sentences, label, f"citint-{split}-{item.id}"))
    return examples


def scifact_examples(root: Path, part: str) -> list[ClaimExample]:
    """SciFact claims against every sentence of their gold and cited abstracts (``calib`` or ``eval`` half of dev)."""
    from kg.nli.scifact import scifact_claims, scifact_corpus

    corpus = scifact_corpus(root)
    examples: list[ClaimExample] = []
    for item in scifact_claims(root, part):
        labels = item.labels
        if len(labels) > 1:
            continue  # supported by one abstract and contradicted by another: no single verdict
        label = label_of(labels.pop(), "SciFact") if labels else "NOT_ENOUGH_INFO"
        docs = list(dict.fromkeys([*item.evidence, *item.cited]))
        sentences = tuple(dict.fromkeys(s for doc in docs for s in corpus.get(doc, [])))
        if sentences:
            examples.append(ClaimExample(item.claim, sentences, label, f"scifact-{part}-{item.id}"))
    return examples


def healthver_examples(root: Path, part: str) -> list[ClaimExample]:
    return [
        ClaimExample(
            " ".join(row["claim"].split()),
            tuple(split_sentences(row["evidence"])),
            label_of(row["label"], "HealthVer"),
            f"healthver-{part}-{row['id']}",
        )
        for row in data.healthver_rows(root, part)
    ]


def off_topic_examples(examples: Sequence[ClaimExample], count: int, seed: int = 13) -> list[ClaimExample]:
    """Claims paired with the candidate sentences of *another*, randomly drawn claim → NOT_ENOUGH_INFO.

    The verifier's most common case in use: a report cites a few papers, and most of its claims
    are addressed by none of their sentences. The public sets never pose it (every candidate
    list was gathered for its own claim), so a verifier fitted on them alone lets unrelated
    sentences decide. Drawn from FEVER and Citation-Integrity, where two random claims are about
    different things (HealthVer's claims all share one topic, so it is left out).
    """
    rng = random.Random(seed)
    out: list[ClaimExample] = []
    for i in sorted(rng.sample(range(len(examples)), min(count, len(examples)))):
        j = rng.randrange(len(examples) - 1)
        j += j >= i
        out.append(
            ClaimExample(examples[i].claim, examples[j].sentences, "NOT_ENOUGH_INFO", f"{examples[i].id}-offtopic")
        )
    return out


#: name → how to build it; "calib" sets fit the aggregator, "eval" sets are only reported.
PUBLIC_SETS = {
    "fever-calib": lambda root: fever_examples(root, "calib", per_label=500),
    "citint-calib": lambda root: citint_examples(root, "calib"),
    "healthver-calib": lambda root: healthver_examples(root, "calib"),
    "offtopic-calib": lambda root: off_topic_examples(
        fever_examples(root, "calib", per_label=500) + citint_examples(root, "calib"), 400
    ),
    "scifact-calib": lambda root: scifact_examples(root, "calib"),
    "scifact-eval": lambda root: scifact_examples(root, "eval"),
    "fever-eval": lambda root: fever_examples(root, "eval", per_label=500),
    "citint-dev": lambda root: citint_examples(root, "dev"),
    "healthver-eval": lambda root: healthver_examples(root, "eval"),
    "offtopic-eval": lambda root: off_topic_examples(
        fever_examples(root, "eval", per_label=500) + citint_examples(root, "dev"), 400
    ),
}
CALIBRATION_SETS = ("scifact-calib", "fever-calib", "citint-calib", "healthver-calib", "offtopic-calib")
EVALUATION_SETS = ("scifact-eval", "citint-dev", "healthver-eval", "fever-eval", "offtopic-eval")
