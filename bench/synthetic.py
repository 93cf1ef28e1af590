"""Deterministic synthetic reports in the seed format, for benchmarks.

Claims come from templates over the gazetteer's benchmarks, models and languages, with a
shared pool so that about a fifth of each report's claims repeat claims of other reports,
as real syntheses do.
"""

from __future__ import annotations

import random
from pathlib import Path

BENCHMARKS = ["XNLI", "PAWS-X", "XTREME", "XTREME-R", "MLQA", "XQuAD", "TyDiQA", "BUCC", "Tatoeba", "WikiANN"]
MODELS = ["mBERT", "XLM-R", "XLM-R Large", "mT5", "XLM", "InfoXLM"]
LANGUAGES = ["Swahili", "Yoruba", "Hindi", "Thai", "Urdu", "Telugu", "Quechua", "Amharic"]
TEMPLATES = [
    "{model} improves by {x} points on {bench} for {lang} (variant {i}).",
    "Zero-shot transfer to {lang} with {model} reaches {x}% accuracy on {bench} in setting {i}.",
    "On {bench}, the gap between English and {lang} is {x} points for {model} (study {i}).",
    "Intermediate training helps {model} on {bench} but not for {lang} in configuration {i}.",
]


def claim(rng: random.Random, i: int) -> str:
    return rng.choice(TEMPLATES).format(
        model=rng.choice(MODELS),
        bench=rng.choice(BENCHMARKS),
        lang=rng.choice(LANGUAGES),
        x=round(rng.uniform(0.5, 90), 1),
        i=i,
    )


def report_text(n: int, rows: list[tuple[str, bool, float]], markdown: bool) -> str:
    h = "## " if markdown else ""
    table = "\n".join(f"{text}\t{'✓' if ok else '×'}\t{conf:.2f}" for text, ok, conf in rows)
    verified = sum(ok for _, ok, _ in rows)
    return f"""{"# " if markdown else ""}Synthetic report {n}

Bench Generator

July {1 + n % 28}, 2026

{h}Abstract

A synthetic literature synthesis about cross-lingual transfer on XNLI and PAWS-X.

{h}1 Introduction

This paper examines: Synthetic Paper {n % 50}. Research question: Does transfer work on XTREME-R?.

{h}3 Results

10 papers retrieved. {len(rows)} claims extracted; {verified} independently verified. Quality review score: 8.0/10.

{h}5 Extracted Claims

Claim\tVerified\tConfidence
{table}

{h}References

- <http://arxiv.org/abs/2104.{n % 9000 + 1000:05d}v1>
- <http://arxiv.org/abs/2005.13013v2>
"""


def write_reports(folder: Path, count: int, claims_per_report: int = 10, seed: int = 13) -> int:
    """Write ``count`` reports into ``folder``; return the number of claim rows written."""
    rng = random.Random(seed)
    pool = [claim(rng, i) for i in range(max(50, count * 2))]
    folder.mkdir(parents=True, exist_ok=True)
    rows_written = 0
    for n in range(count):
        rows = []
        for j in range(claims_per_report):
            text = rng.choice(pool) if rng.random() < 0.2 else claim(rng, count * 10 + n * 100 + j)
            rows.append((text, rng.random() < 0.7, rng.uniform(0.05, 0.95)))
        (folder / f"synthetic_{n:05d}.txt").write_text(report_text(n, rows, markdown=n % 2 == 0), encoding="utf-8")
        rows_written += len(rows)
    return rows_written
