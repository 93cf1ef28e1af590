"""Read a ``.jsonl`` file line by line without letting one hostile line crash or stall the batch.

Every way a line can be bad becomes a :class:`~kg.errors.SourceIssue` with its line number:
not JSON, ``NaN``/``Infinity`` (not JSON, though Python's parser takes them), an integer too
long to convert, nesting too deep to parse, a line longer than :data:`kg.extraction.text.MAX_LINE_CHARS`.
Strings in the values come back with control characters and lone surrogates normalised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from kg.errors import SourceIssue
from kg.extraction.text import MAX_LINE_CHARS, normalise_controls, split_lines

MAX_DEPTH = 32  # a claim or paper record is three levels deep


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _normalised(value: Any) -> Any:
    if isinstance(value, str):
        return normalise_controls(value)
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, dict):
        return {normalise_controls(k): _normalised(v) for k, v in value.items()}
    return value


def json_lines(text: str, source_name: str) -> Iterator[tuple[int, Any] | SourceIssue]:
    """``(line number, value)`` for every non-blank line that parses, a :class:`SourceIssue` for every other."""
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            yield SourceIssue(
                source_name, number, f"line is {len(line):,} characters long (at most {MAX_LINE_CHARS:,})"
            )
            continue
        if line.count("[") + line.count("{") > MAX_DEPTH and bracket_depth(line) > MAX_DEPTH:
            yield SourceIssue(source_name, number, f"JSON nested deeper than {MAX_DEPTH} levels")
            continue
        try:
            value = json.loads(line, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            yield SourceIssue(source_name, number, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        except (ValueError, RecursionError) as exc:  # NaN/Infinity, a 5,000-digit integer, deep nesting
            yield SourceIssue(source_name, number, f"not valid JSON: {exc}")
            continue
        yield number, _normalised(value)


def bracket_depth(line: str) -> int:
    """Deepest bracket nesting of a line, ignoring brackets inside strings.

    Checked before parsing (only where there are enough brackets to matter): a 100k-deep line would
    exhaust the parser's recursion, and a merely deep one is no claim or paper record either.
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in line:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
