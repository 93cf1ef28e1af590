"""Entity and numeric-result extraction from claim text. Pure functions over a gazetteer.

A number is a *result* only when it carries a unit (points, %, F1, …) or follows a result cue
("improves by", "an average improvement of", "achieves"); counts such as "9 tasks" and years
are not results. Each result is bound to the benchmark it is about:

* a list of N numbers next to a list of N benchmarks binds in order
  ("on SQuAD, MNLI, and HellaSwag … 8.2, 7.5, and 7.0 points");
* otherwise a benchmark introduced by on/in/for right after the number
  ("2.1 points on PAWS-X"), else the only benchmark in the claim, else the nearest one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from kg.extraction.gazetteer import Gazetteer, Mention
from kg.extraction.text import without_format_characters

ResultKind = Literal["absolute", "improvement", "gap"]

_NUM = r"[+\-−]?\d+(?:\.\d+)?"
_UNIT = r"(?:percentage\s+points?|points?|pts?\.?|%|F1|EM|BLEU|accuracy)"
_NUMBER_LIST = re.compile(
    rf"(?<![\w.])(?P<nums>{_NUM}(?:\s*%)?(?:\s*,\s*{_NUM}(?:\s*%)?)*(?:\s*,?\s*(?:and|or)\s+{_NUM}(?:\s*%)?)?)"
    rf"(?:\s*(?P<unit>{_UNIT}))?(?![\w])",
    re.IGNORECASE,
)
_SINGLE = re.compile(_NUM)
_CUE = re.compile(
    r"(?:improv\w*|gains?|increas\w*|boost\w*|outperform\w*|achiev\w*|scor\w*|reach\w*|"
    r"gap|drops?|decreas\w*|degrad\w*|accuracy|average)\s+(?:\w+\s+){0,3}?(?:of|by|to|at)?\s*$",
    re.IGNORECASE,
)
_IMPROVEMENT = re.compile(r"improv|gain|increas|boost|outperform|better|higher|\+", re.IGNORECASE)
# a score verb just before the number ("reaches 72.4", "obtains 38.5 BLEU"), unless it is what a gain does
# ("gains reach 3.5 points") or a noun a change is measured by ("improves the score by 1.8 points")
_ABSOLUTE = re.compile(
    r"(?<!gains\s)(?<!gain\s)(?<!improvements\s)(?<!improvement\s)"
    r"\b(?:reach\w*|achiev\w*|scor\w*|obtain\w*|attain\w*)\s+(?:(?!by\b)\w+\s+){0,3}$",
    re.IGNORECASE,
)
_GAP = re.compile(r"\bgap|drop|decreas|lower|worse|degrad|behind|fall|trail|lag|−|\bloss", re.IGNORECASE)
_NOT_A_RESULT = re.compile(
    r"^\s*(?:tasks?|languages?|papers?|layers?|parameters?|examples?|epochs?|times|[BMK]\b|x\b|"
    r"billion|million|thousand|claims?|datasets?|models?|steps?|hours?|days?|years?|-?shots?\b)",
    re.IGNORECASE,
)
#: "3% of the parameters", "10% of the training data": a share of something, not a score.
_SHARE_OF = re.compile(
    r"^\s*(?:of|more|fewer|less)\s+(?:the\s+|its\s+|their\s+)?(?:\w+\s+){0,2}?"
    r"(?:parameters?|params|weights|data|examples|tokens|compute|vocabulary|memory|time|cost)\b",
    re.IGNORECASE,
)
#: A benchmark the gazetteer does not know, named by its context: "the GLUECoS benchmark", "LinCE dataset",
#: "3.1 points on GLUECoS". The name must look like one (two capitals, or a capital and a digit).
_NAME = r"[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*"
_CANDIDATE_CONTEXT = re.compile(
    rf"(?<![\w-])(?P<a>{_NAME})\s+(?:benchmarks?|datasets?|corpus|corpora|shared\s+tasks?|test\s+sets?|leaderboard)\b"
    rf"|{_NUM}\s*{_UNIT}\s+(?:\w+\s+){{0,2}}?on\s+(?:the\s+)?(?P<b>{_NAME})(?![\w-])"
    rf"|\b(?:every|each|all)\s+(?:the\s+)?(?P<c>{_NAME})\s+(?:tasks?|subtasks?|datasets?)\b"
    rf"|\b(?:fine-?tuned|trained|evaluated|tested)\s+on\s+(?:the\s+)?(?P<d>{_NAME})(?![\w-])",
)
#: Task abbreviations that read like names but are never a benchmark ("all three QA benchmarks").
NOT_BENCHMARKS = frozenset(
    {"QA", "NLI", "NER", "POS", "MT", "NLU", "NLG", "ASR", "SRL", "RC", "STS", "LM", "MLM", "GLUE-style", "SOTA"}
)


def _looks_like_a_name(word: str) -> bool:
    if word in NOT_BENCHMARKS:
        return False
    return sum(c.isupper() for c in word) >= 2 or any(c.isdigit() for c in word)


def candidate_benchmarks(text: str, known: list[Mention]) -> list[Mention]:
    """Benchmarks named by context that the gazetteer does not know, as mentions (flagged candidates later)."""
    taken = [(m.start, m.end) for m in known]
    found: list[Mention] = []
    for match in _CANDIDATE_CONTEXT.finditer(text):
        group = next(g for g in "abcd" if match.group(g))
        start, end = match.span(group)
        name = match.group(group)
        if not _looks_like_a_name(name) or any(s < end and start < e for s, e in taken):
            continue
        found.append(Mention("benchmark", name, start, end))
        taken.append((start, end))
    return found


_INTRODUCER = re.compile(r"\b(?:on|in|for)\s+(?:the\s+)?$", re.IGNORECASE)
_LINKER = re.compile(r"^\s*(?:\w+\s+){0,2}?(?:on|in|for|at)\s+(?:the\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class ExtractedResult:
    value: float
    unit: str | None
    metric: str | None
    kind: ResultKind
    benchmark: str | None
    text: str


@dataclass(frozen=True)
class Extraction:
    benchmarks: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()  # benchmarks found by context, not in the gazetteer (also in ``benchmarks``)
    languages: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    results: tuple[ExtractedResult, ...] = ()
    mentions: tuple[Mention, ...] = field(default=(), repr=False)

    def entity_signature(self) -> frozenset[tuple[str, str]]:
        """What two claims must share to be paraphrases of one another."""
        return frozenset(
            [("benchmark", b) for b in self.benchmarks]
            + [("model", m) for m in self.models]
            + [("language", lang) for lang in self.languages]
        )

    def numbers(self) -> frozenset[float]:
        return frozenset(r.value for r in self.results)


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _normalise_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    lowered = unit.lower().rstrip(".")
    if "point" in lowered or lowered in ("pt", "pts"):
        return "points"
    if lowered == "%":
        return "%"
    if lowered == "accuracy":
        return "accuracy"
    return unit.upper() if lowered in ("f1", "em", "bleu") else unit


_METRIC = re.compile(r"^\s*(F1|EM|BLEU|accuracy|exact match)\b", re.IGNORECASE)


def _metric(unit: str | None, after: str) -> str | None:
    """The metric a number is in: the unit itself (``3.1 F1``) or the word after it (``79% accuracy``)."""
    if unit and unit.lower() in ("f1", "em", "bleu", "accuracy"):
        return unit.upper() if unit.lower() != "accuracy" else "accuracy"
    match = _METRIC.match(after)
    if not match:
        return None
    word = match.group(1)
    return "accuracy" if word.lower() == "accuracy" else word.upper()


_KIND_AFTER = re.compile(
    r"^\s*(?:(?P<up>improvement|gain|increase|boost|above|better)|(?P<down>drop|decrease|gap|loss|below|behind|worse))\b",
    re.I,
)


def _kind(before: str, number: str, after: str = "") -> ResultKind:
    if number.startswith("+"):
        return "improvement"
    if number.startswith(("-", "−")):
        return "gap"
    window = before[-100:]
    last_improvement = max((m.end() for m in _IMPROVEMENT.finditer(window)), default=-1)
    last_gap = max((m.end() for m in _GAP.finditer(window)), default=-1)
    last_absolute = max((m.end() for m in _ABSOLUTE.finditer(window)), default=-1)
    follows = _KIND_AFTER.match(after)  # "a 5.4 point improvement over …"
    if last_absolute > max(last_improvement, last_gap) or (last_improvement < 0 and last_gap < 0):
        # "improves by 3.1 points on A and reaches 72.4 F1 on B": the second is a score, unless a noun says otherwise
        if follows is None:
            return "absolute"
        return "improvement" if follows["up"] else "gap"
    return "improvement" if last_improvement >= last_gap else "gap"


def _benchmark_runs(benchmarks: list[Mention], text: str) -> list[list[Mention]]:
    """Group benchmark mentions that form a written list ("A, B, and C")."""
    runs: list[list[Mention]] = []
    for mention in benchmarks:
        if runs:
            between = text[runs[-1][-1].end : mention.start]
            if re.fullmatch(r"\s*(?:,|,?\s*(?:and|or))\s*", between):
                runs[-1].append(mention)
                continue
        runs.append([mention])
    return runs


def _bind(position: int, end: int, benchmarks: list[Mention], text: str) -> str | None:
    if not benchmarks:
        return None
    for mention in benchmarks:
        if mention.start >= end and _LINKER.match(text[end : mention.start]):
            return mention.name
    introduced = [m for m in benchmarks if m.end <= position and _INTRODUCER.search(text[: m.start])]
    if introduced:
        return introduced[-1].name
    if len({m.name for m in benchmarks}) == 1:
        return benchmarks[0].name
    nearest = min(benchmarks, key=lambda m: min(abs(m.start - end), abs(position - m.end)))
    return nearest.name


@lru_cache(maxsize=1 << 19)
def extract(text: str, gazetteer: Gazetteer) -> Extraction:
    """Entities and bound numeric results of one claim (or any short text).

    Memoised per (text, gazetteer): a claim repeated across reports (most rows of a large corpus), then met
    again by the paraphrase pass, is extracted once. ``Extraction`` is immutable, so sharing it is safe.
    Room for every distinct claim of 100k reports (296k; about 0.8 KB each): with 131k, the pass, which
    meets them in key order, extracted most of them again (38 s of its tail at 100k).
    """
    text = without_format_characters(text)  # "PAWS\u200d-X" is PAWS-X to a reader and to the gazetteer
    known = gazetteer.find(text)
    candidates = candidate_benchmarks(text, known)
    mentions = sorted([*known, *candidates], key=lambda m: m.start)
    benchmarks = [m for m in mentions if m.kind == "benchmark"]
    spans = [(m.start, m.end) for m in mentions]
    results: list[ExtractedResult] = []
    for match in _NUMBER_LIST.finditer(text):
        start, end = match.span()
        if any(s <= start < e for s, e in spans):
            continue  # a digit inside an entity name ("FLORES-200", "mT5")
        unit = match["unit"]
        after = text[end:]
        before = text[:start]
        numbers = _SINGLE.findall(match["nums"])
        metric = _metric(unit, after)
        if "%" in match["nums"]:
            unit = "%"
        has_cue = bool(_CUE.search(before))
        if unit is None and (not has_cue or _NOT_A_RESULT.match(after)):
            continue
        if _SHARE_OF.match(after):
            continue  # "adds roughly 3% of the parameters"
        if unit is None and len(numbers) == 1 and re.fullmatch(r"(?:19|20)\d\d", numbers[0]):
            continue  # a year
        kind = _kind(before, numbers[0], after)
        bound: list[str | None]
        runs = [run for run in _benchmark_runs(benchmarks, text) if len(run) == len(numbers)]
        if len(numbers) > 1 and runs:
            run = min(runs, key=lambda r: min(abs(r[0].start - end), abs(start - r[-1].end)))
            bound = [m.name for m in run]
        else:
            target = _bind(start, end, benchmarks, text)
            bound = [target] * len(numbers)
        for raw, benchmark in zip(numbers, bound, strict=True):
            value = float(raw.replace("−", "-").lstrip("+"))
            results.append(
                ExtractedResult(
                    value=abs(value) if kind != "absolute" else value,
                    unit=_normalise_unit(unit),
                    metric=metric,
                    kind=kind,
                    benchmark=benchmark,
                    text=match.group(0).strip(),
                )
            )
    return Extraction(
        benchmarks=_unique([m.name for m in benchmarks]),
        candidates=_unique([m.name for m in candidates]),
        languages=_unique([m.name for m in mentions if m.kind == "language"]),
        models=_unique([m.name for m in mentions if m.kind == "model"]),
        results=tuple(results),
        mentions=tuple(mentions),
    )
