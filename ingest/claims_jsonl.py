"""Parse ``.jsonl`` claim files from other extraction pipelines. Pure: text in, records out.

Every line is checked against the exported JSON Schema (so producers and ClaimGraph agree
on one contract) and then built into a :class:`ClaimRecord`. All bad lines are reported
together; a file with any bad line is not ingested at all.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from ingest.jsonlines import json_lines
from kg.errors import ParseError, SourceIssue
from kg.text import has_words
from schemas.claim_record import ClaimRecord


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(ClaimRecord.model_json_schema())


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "anyOf" and not where:
        return "a claim needs a source: set 'report' or a non-empty 'papers'"
    return f"{where}: {error.message}" if where else error.message


def parse_claims_jsonl(text: str, source_name: str) -> list[tuple[int, ClaimRecord]]:
    records: list[tuple[int, ClaimRecord]] = []
    issues: list[SourceIssue] = []
    for item in json_lines(text, source_name):
        if isinstance(item, SourceIssue):
            issues.append(item)
            continue
        number, data = item
        errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            issues.extend(SourceIssue(source_name, number, _describe(e)) for e in errors)
            continue
        record = ClaimRecord.model_validate(data)
        if not has_words(record.text):
            issues.append(SourceIssue(source_name, number, f"text: claim has no words: {record.text!r}"))
            continue
        records.append((number, record))
    if issues:
        raise ParseError(issues)
    if not records:
        raise ParseError([SourceIssue(source_name, 1, "file holds no claim records")])
    return records
