"""Parse ``.jsonl`` claim files from other extraction pipelines. Pure: text in, records out.

Every line is checked against the exported JSON Schema (so producers and ClaimGraph agree
on one contract) and then built into a :class:`ClaimRecord`. All bad lines are reported
together; a file with any bad line is not ingested at all.

A claim file can hold a million lines, so it is read twice rather than held: :func:`check_claims_jsonl`
validates every line and hashes the file's records without keeping them, and
:func:`claim_record_chunks` then hands the records over a chunk at a time. Holding every record,
and then every node and relationship built from them, took 1.6 GB per 100,000 lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from ingest.jsonlines import json_lines
from kg.errors import ParseError, SourceIssue
from kg.extraction.text import has_words
from kg.graph.builder import RecordsDigest
from schemas.claim_record import ClaimRecord

#: Bad lines reported one by one; past this many the rest are counted in one last issue.
MAX_REPORTED_ISSUES = 200


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(ClaimRecord.model_json_schema())


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "anyOf" and not where:
        return "a claim needs a source: set 'report' or a non-empty 'papers'"
    return f"{where}: {error.message}" if where else error.message


@dataclass(frozen=True)
class ClaimsFileCheck:
    """What the validating pass learned: how many records, and the content key of the file as a whole."""

    records: int
    key: str


def _records(text: str, source_name: str, *, checked: bool = False) -> Iterator[tuple[int, ClaimRecord] | SourceIssue]:
    """``checked``: the lines passed the schema already (the second pass), so only pydantic builds them."""
    for item in json_lines(text, source_name):
        if isinstance(item, SourceIssue):
            yield item
            continue
        number, data = item
        errors = [] if checked else sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            yield from (SourceIssue(source_name, number, _describe(e)) for e in errors)
            continue
        record = ClaimRecord.model_validate(data)
        if not has_words(record.text):
            yield SourceIssue(source_name, number, f"text: claim has no words: {record.text!r}")
            continue
        yield number, record


def check_claims_jsonl(text: str, source_name: str) -> ClaimsFileCheck:
    """Validate every line, keeping no record: the count and key, or :class:`ParseError` with the bad lines.

    At most :data:`MAX_REPORTED_ISSUES` issues are listed; one more says how many were not.
    """
    issues: list[SourceIssue] = []
    unreported = 0
    digest = RecordsDigest()
    count = 0
    for item in _records(text, source_name):
        if isinstance(item, SourceIssue):
            if len(issues) < MAX_REPORTED_ISSUES:
                issues.append(item)
            else:
                unreported += 1
            continue
        count += 1
        if not issues:
            digest.add(item[1])
    if unreported:
        last = issues[-1]
        issues.append(
            SourceIssue(source_name, last.line, f"and {unreported:,} more problems after this line (not listed)")
        )
    if issues:
        raise ParseError(issues)
    if not count:
        raise ParseError([SourceIssue(source_name, 1, "file holds no claim records")])
    return ClaimsFileCheck(records=count, key=digest.key())


def claim_record_chunks(text: str, source_name: str, size: int) -> Iterator[list[tuple[int, ClaimRecord]]]:
    """The records of a file that :func:`check_claims_jsonl` passed, ``size`` at a time, in line order."""
    chunk: list[tuple[int, ClaimRecord]] = []
    for item in _records(text, source_name, checked=True):
        if isinstance(item, SourceIssue):  # a defect: a line the first pass passed; never write part of a file
            raise ParseError([item])
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def parse_claims_jsonl(text: str, source_name: str) -> list[tuple[int, ClaimRecord]]:
    """Every record of a file, or :class:`ParseError` listing its bad lines (small files, tests)."""
    check_claims_jsonl(text, source_name)
    return [item for chunk in claim_record_chunks(text, source_name, 1 << 30) for item in chunk]
