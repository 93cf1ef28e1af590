"""Extraction precision and recall on hand-labelled claims that ClaimGraph was not built from.

``bench/data/extraction_gold.jsonl``: 66 claims written from public paper abstracts (XTREME, XLM-R,
mT5, GLUECoS, LinCE, MasakhaNER, …; the source is on each line), none from the sample reports, each
labelled by hand with its benchmarks, models (canonical gazetteer names; sizes fold into the family
where the gazetteer has no entry), languages (ISO codes) and numeric results (value, kind, benchmark).

    python -m bench.extraction_eval            # writes bench/results/extraction.md

Matching is exact on canonical names; a result matches on (value, kind, benchmark). Benchmarks found
only by context are counted like any other prediction, and also on their own row.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from kg.extraction.entities import Extraction, extract
from kg.extraction.gazetteer import Gazetteer

GOLD = Path(__file__).parent / "data" / "extraction_gold.jsonl"
RESULTS = Path(__file__).parent / "results"

Item = tuple[str, ...]


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set[Item], gold: set[Item]) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def predicted_sets(extraction: Extraction) -> dict[str, set[Item]]:
    return {
        "benchmarks": {(b,) for b in extraction.benchmarks},
        "models": {(m,) for m in extraction.models},
        "languages": {(lang,) for lang in extraction.languages},
        "results": {(f"{r.value:g}", r.kind, r.benchmark or "") for r in extraction.results},
    }


def gold_sets(row: dict[str, object]) -> dict[str, set[Item]]:
    results = row["results"]
    assert isinstance(results, list)
    return {
        "benchmarks": {(str(b),) for b in row["benchmarks"]},  # type: ignore[attr-defined]
        "models": {(str(m),) for m in row["models"]},  # type: ignore[attr-defined]
        "languages": {(str(lang),) for lang in row["languages"]},  # type: ignore[attr-defined]
        "results": {(f"{float(r['value']):g}", str(r["kind"]), str(r["benchmark"] or "")) for r in results},
    }


def evaluate(rows: list[dict[str, object]], gazetteer: Gazetteer) -> tuple[dict[str, Tally], list[str]]:
    """Tallies per kind (and for context-found benchmarks), and one line per claim the extractor got wrong."""
    tallies = {kind: Tally() for kind in ("benchmarks", "models", "languages", "results", "candidate benchmarks")}
    misses: list[str] = []
    for row in rows:
        extraction = extract(str(row["text"]), gazetteer)
        predicted, gold = predicted_sets(extraction), gold_sets(row)
        for kind in ("benchmarks", "models", "languages", "results"):
            tallies[kind].add(predicted[kind], gold[kind])
            if predicted[kind] != gold[kind]:
                extra, missing = predicted[kind] - gold[kind], gold[kind] - predicted[kind]
                misses.append(f"{kind}: +{sorted(extra)} −{sorted(missing)} in {str(row['text'])[:90]!r}")
        known = {(e.key,) for e in gazetteer.entries("benchmark")}
        tallies["candidate benchmarks"].add({(c,) for c in extraction.candidates}, gold["benchmarks"] - known)
    return tallies, misses


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def markdown(tallies: dict[str, Tally], claims: int, misses: list[str]) -> str:
    lines = [
        f"# Extraction on {claims} hand-labelled claims from public abstracts (`python -m bench.extraction_eval`)",
        "",
        "| what | gold | predicted | correct | precision | recall |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, t in tallies.items():
        lines.append(f"| {kind} | {t.tp + t.fn} | {t.tp + t.fp} | {t.tp} | {_cell(t.precision)} | {_cell(t.recall)} |")
    lines += ["", "`candidate benchmarks`: benchmarks not in the gazetteer, found by context only.", ""]
    lines += ["## Every disagreement (+ predicted only, − gold only)", ""] + [f"- {m}" for m in misses]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--write", type=Path, default=RESULTS / "extraction.md")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    tallies, misses = evaluate(rows, Gazetteer.load())
    table = markdown(tallies, len(rows), misses)
    args.write.parent.mkdir(parents=True, exist_ok=True)
    args.write.write_text(table, encoding="utf-8")
    print(table.split("## Every")[0])


if __name__ == "__main__":
    main()
