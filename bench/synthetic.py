"""Deterministic synthetic reports in the seed format, at the rates the seeds show.

Not a few templates: each claim is an *idea* (a frame of ~30, over a dozen topics, with its slots
filled from lists of benchmarks, models, languages, methods, tasks and numbers), and every frame
has two or three wordings. Rates, from the five seed reports (54 rows, 31 distinct claims):

* ~40 % of rows repeat an idea of an earlier report: 75 % of those with the same words, 20 %
  reworded (a paraphrase: same entities and numbers, another wording), 5 % cut at 120 characters;
* ~15 % of repeated rows carry the opposite verdict mark;
* rows longer than 120 characters are cut at 120 (the seeds' truncation), 60 % of the time;
* ~4 % of claims hold an HTML anchor;
* 10–13 claims per report; about half the claims name a benchmark, a third a model, a
  quarter a language, a third a number.

``write_reports`` returns the rows written and can save the reworded pairs (the ground truth of
the paraphrase pass).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

BENCHMARKS = [
    "XNLI", "PAWS-X", "XTREME", "XTREME-R", "MLQA", "XQuAD", "TyDiQA", "BUCC", "Tatoeba", "WikiANN",
    "XGLUE", "XCOPA", "MasakhaNER", "UDPOS",
]  # fmt: skip
MODELS = [
    "mBERT", "XLM-R", "XLM-R Large", "XLM-R Base", "mT5", "mT5-XL", "XLM", "InfoXLM", "mBART", "RemBERT",
    "BLOOM", "LaBSE",
]  # fmt: skip
LANGUAGES = [
    "Swahili", "Yoruba", "Hindi", "Thai", "Urdu", "Telugu", "Quechua", "Amharic", "Arabic", "Bengali",
    "Finnish", "Indonesian", "Korean", "Russian", "Turkish", "Vietnamese", "German", "Spanish", "French",
    "Chinese", "Japanese", "Greek", "Bulgarian", "Hausa", "Igbo", "Tamil", "Marathi", "Basque", "Estonian",
    "Haitian Creole",
]  # fmt: skip
METHODS = [
    "translate-train", "translate-test", "code-switched pre-training", "adapter tuning", "prompt tuning",
    "contrastive alignment", "vocabulary extension", "intermediate-task training", "self-training",
    "knowledge distillation", "parallel-data fine-tuning", "data augmentation with back-translation",
    "meta-learning", "continued pre-training", "script transliteration", "cross-lingual word alignment",
]  # fmt: skip
TASKS = [
    "natural language inference", "paraphrase identification", "named entity recognition", "question answering",
    "part-of-speech tagging", "sentence retrieval", "causal commonsense reasoning", "dependency parsing",
    "sentiment classification", "machine translation quality estimation",
]  # fmt: skip
PHENOMENA = [
    "embedding misalignment", "tokenisation mismatch", "the curse of multilinguality", "script differences",
    "word-order divergence", "catastrophic forgetting", "annotation artefacts", "domain shift",
    "vocabulary overlap", "low pre-training data",
]  # fmt: skip
RESOURCES = [
    "parallel sentence pairs", "bilingual dictionaries", "machine-translated training data", "unlabelled text",
    "a few hundred labelled examples", "syntactic annotations", "Wikipedia dumps", "religious texts",
]  # fmt: skip
URLS = ["https://github.com/example/xlt", "https://huggingface.co/datasets/xtreme", "https://example.org/code"]

# An idea is a frame and its slots; each frame has two or three wordings of the same slots.
FRAMES: list[list[str]] = [
    [
        "{method} improves {model} by {x} points on {bench} for {lang}.",
        "For {lang}, applying {method} to {model} gains {x} points on {bench}.",
        "On {bench}, {model} with {method} is {x} points better for {lang}.",
    ],
    [
        "Zero-shot transfer from English to {lang} with {model} reaches {p}% accuracy on {bench}.",
        "{model} transferred zero-shot from English achieves {p}% accuracy on {bench} in {lang}.",
    ],
    [
        "The gap between English and {lang} on {bench} is {x} points for {model}.",
        "For {model}, {lang} trails English by {x} points on {bench}.",
    ],
    [
        "{method} helps {task} but not {task2} in low-resource languages.",
        "In low-resource languages, {method} benefits {task} while {task2} does not improve.",
    ],
    [
        "Most approaches to {task} in {lang} require {resource}.",
        "Approaches for {task} in {lang} usually depend on {resource}.",
    ],
    [
        "{phenomenon} explains much of the error of {model} on {bench}.",
        "A large part of the errors {model} makes on {bench} comes from {phenomenon}.",
    ],
    [
        "Collecting {resource} is expensive for languages such as {lang}.",
        "For languages like {lang}, {resource} are costly to obtain.",
    ],
    [
        "{model} outperforms {model2} on {bench} by {x} points on average.",
        "On average, {model} beats {model2} by {x} points on {bench}.",
    ],
    [
        "Scaling {model} to more languages hurts {lang} because of {phenomenon}.",
        "Adding languages to {model} lowers {lang} performance, which is attributed to {phenomenon}.",
    ],
    [
        'We release the code and data at <a href="{url}">{url}</a> .',
        'Code and data are available at <a href="{url}">{url}</a> .',
    ],
    [
        "{method} and {method2} are complementary for {task} on {bench}.",
        "Combining {method} with {method2} helps {task} on {bench}.",
    ],
    [
        "Performance on {bench} correlates with the amount of {lang} pre-training data in {model}.",
        "How much {lang} text {model} saw in pre-training predicts its {bench} score.",
    ],
    [
        "{task} in {lang} remains hard: the best system scores {p}% on {bench}.",
        "The best system reaches only {p}% on {bench}, so {task} in {lang} is still difficult.",
    ],
    [
        "Fine-tuning {model} on {resource} adds {x} points for {task}.",
        "Adding {resource} when fine-tuning {model} improves {task} by {x} points.",
    ],
    [
        "Early work on {task} focused on static word embeddings rather than contextual models.",
        "Before contextual models, research on {task} relied on static word embeddings.",
    ],
    [
        "{method} reduces {phenomenon} in {model} without extra supervision.",
        "Without additional supervision, {method} mitigates {phenomenon} for {model}.",
    ],
    [
        "We evaluate {model} and {model2} on {bench} and {bench2} in {n} languages.",
        "{model} and {model2} are evaluated on {bench} and {bench2} covering {n} languages.",
    ],
    [
        "Translate-test with {model} is a strong baseline for {task} in {lang}, within {x} points of the best.",
        "For {task} in {lang}, translate-test using {model} comes within {x} points of the best system.",
    ],
    [
        "The annotation of {bench} contains {phenomenon}, which inflates scores for {lang}.",
        "Scores on {bench} for {lang} are inflated by {phenomenon} in its annotation.",
    ],
    [
        "Multilingual pre-training with {method} learns language-agnostic representations useful for {task}.",
        "{method} during multilingual pre-training yields language-neutral features that help {task}.",
    ],
    [
        "{model} achieves state-of-the-art results on {bench}, {bench2} and {bench3}, with an average gain of {x} "
        "points over previous systems across all {n} languages studied in this work.",
        "Across the {n} languages studied here, {model} sets a new state of the art on {bench}, {bench2} and "
        "{bench3}, improving previous systems by {x} points on average.",
    ],
    [
        "Our analysis of {task} suggests that {phenomenon} and {phenomenon2} interact, and that neither alone "
        "accounts for the drop observed in {lang} and other typologically distant languages.",
        "The {task} analysis indicates that {phenomenon} interacts with {phenomenon2}; neither explains on its own "
        "the drop seen for {lang} and other typologically distant languages.",
    ],
    [
        "Robust training with {method} remarkably improves generalised cross-lingual transfer for {task}.",
        "{method} as robust training markedly improves how {task} transfers across languages.",
    ],
    [
        "Models trained with {method} rely less on {resource} than earlier systems.",
        "Compared with earlier systems, {method} models need fewer {resource}.",
    ],
    [
        "A study of {n} intermediate tasks finds {method} yields the largest gains for {model}.",
        "Among {n} intermediate tasks studied, {method} gives {model} the biggest improvement.",
    ],
    [
        "Sentence retrieval on {bench} improves by {x} points after {method}.",
        "After {method}, retrieval accuracy on {bench} rises by {x} points.",
    ],
    [
        "{lang} and {lang2} benefit most from transfer from related high-resource languages.",
        "Transfer from related high-resource languages helps {lang} and {lang2} the most.",
    ],
    [
        "The quality of {resource} matters more than their quantity for {task}.",
        "For {task}, how good the {resource} are matters more than how many there are.",
    ],
    [
        "Error analysis shows {model} confuses negation and quantifiers in {lang} {task}.",
        "In {lang} {task}, {model} mixes up negation and quantifiers according to the error analysis.",
    ],
    [
        "Tokenisers trained on {lang} text reduce {phenomenon} for {model}.",
        "A {lang}-specific tokeniser lessens {phenomenon} in {model}.",
    ],
]

TRUNCATE_AT = 120


@dataclass
class Idea:
    frame: int
    slots: dict[str, str]
    verified: bool

    def text(self, wording: int = 0) -> str:
        variants = FRAMES[self.frame]
        return variants[wording % len(variants)].format(**self.slots)


@dataclass
class Generator:
    rng: random.Random
    ideas: list[Idea] = field(default_factory=list)
    #: (first wording, rewording as written) of every reworded row: the paraphrase ground truth
    rewordings: list[tuple[str, str]] = field(default_factory=list)

    def new_idea(self) -> Idea:
        rng = self.rng
        frame = rng.randrange(len(FRAMES))
        two = rng.sample
        benches, models, langs = two(BENCHMARKS, 3), two(MODELS, 2), two(LANGUAGES, 2)
        methods, tasks, phenomena = two(METHODS, 2), two(TASKS, 2), two(PHENOMENA, 2)
        slots = {
            "bench": benches[0], "bench2": benches[1], "bench3": benches[2],
            "model": models[0], "model2": models[1], "lang": langs[0], "lang2": langs[1],
            "method": methods[0], "method2": methods[1], "task": tasks[0], "task2": tasks[1],
            "phenomenon": phenomena[0], "phenomenon2": phenomena[1], "resource": rng.choice(RESOURCES),
            "url": rng.choice(URLS), "x": f"{rng.uniform(0.3, 12):.1f}", "p": f"{rng.uniform(20, 92):.1f}",
            "n": str(rng.randrange(5, 60)),
        }  # fmt: skip
        idea = Idea(frame, slots, rng.random() < 0.7)
        self.ideas.append(idea)
        return idea

    def row(self) -> tuple[str, bool, float]:
        rng = self.rng
        if self.ideas and rng.random() < 0.4:
            idea = self.ideas[min(int(rng.paretovariate(1.2)) - 1, len(self.ideas) - 1) if rng.random() < 0.3 else
                              rng.randrange(len(self.ideas))]  # fmt: skip
            roll = rng.random()
            if roll < 0.2:
                text = idea.text(1 + rng.randrange(2))
            else:
                text = idea.text()
                if roll >= 0.95:
                    text = text[:TRUNCATE_AT]
            verified = idea.verified != (rng.random() < 0.15)
        else:
            idea = self.new_idea()
            text = idea.text()
            verified = idea.verified
        if len(text) > TRUNCATE_AT and rng.random() < 0.6:
            text = text[:TRUNCATE_AT]
        if idea.text() != text and not idea.text().startswith(text):
            self.rewordings.append((idea.text(), text))
        return text, verified, rng.uniform(0.05, 0.95)


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


def write_reports(
    folder: Path,
    count: int,
    claims_per_report: int | None = None,
    seed: int = 13,
    hold_out: Path | None = None,
    truth: Path | None = None,
) -> int:
    """Write ``count`` reports into ``folder``; return the number of claim rows written.

    ``claims_per_report`` fixes the rows per report; by default it varies from 10 to 13, as in the seeds.
    ``hold_out``: one more report of the same corpus (it repeats and rewords earlier ideas at the same
    rates) written there, for measuring an incremental ingest into the rest. ``truth``: a JSON file of
    the reworded pairs written.
    """
    rng = random.Random(seed)
    generator = Generator(rng)
    folder.mkdir(parents=True, exist_ok=True)
    rows_written = 0
    for n in range(count + (hold_out is not None)):
        size = claims_per_report if claims_per_report is not None else rng.randint(10, 13)
        rows = [generator.row() for _ in range(size)]
        target = folder if n < count else hold_out
        assert target is not None
        target.mkdir(parents=True, exist_ok=True)
        (target / f"synthetic_{n:06d}.txt").write_text(report_text(n, rows, markdown=n % 2 == 0), encoding="utf-8")
        rows_written += len(rows) if n < count else 0
    if truth is not None:
        truth.write_text(json.dumps(sorted(set(generator.rewordings))), encoding="utf-8")
    return rows_written


def reports_for_claims(claims: int, seed: int = 13) -> int:
    """How many reports :func:`write_reports` needs (with ``seed``) to hold about ``claims`` distinct claim texts.

    The corpus repeats ideas (40 % of rows repeat an earlier one), so rows are not claims: 100k reports hold 1.15M
    rows but 296k claims. This replays the generator without writing anything. Claim identity also merges a cut
    text into its whole, so a store holds up to a few percent fewer claims than distinct texts.
    """
    rng = random.Random(seed)
    generator = Generator(rng)
    seen: set[str] = set()
    reports = 0
    while len(seen) < claims:
        seen.update(generator.row()[0] for _ in range(rng.randint(10, 13)))
        reports += 1
    return reports
