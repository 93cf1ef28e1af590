"""Parse ``.jsonl`` paper-metadata files (one arXiv record per line). Pure: text in, records out.

For air-gapped installs and reproducible demos: the same records `kg papers fetch` caches,
brought in from a file. Every bad line is reported with its line number; a file with any
bad line is not imported at all.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from ingest.jsonlines import json_lines
from kg.errors import ParseError, SourceIssue
from schemas.claim_record import ARXIV_ID_PATTERN
from schemas.paper import PaperRecord


def parse_papers_jsonl(text: str, source_name: str) -> list[PaperRecord]:
    records: list[PaperRecord] = []
    issues: list[SourceIssue] = []
    for item in json_lines(text, source_name):
        if isinstance(item, SourceIssue):
            issues.append(item)
            continue
        number, data = item
        raw_id = data.get("arxiv_id") if isinstance(data, dict) else None
        if isinstance(raw_id, str) and not re.fullmatch(ARXIV_ID_PATTERN, raw_id):
            # fullmatch: "$" would let a trailing newline through; repr shows it instead of breaking the line
            issues.append(
                SourceIssue(source_name, number, f"arxiv_id: {raw_id[:60]!r} is not an arXiv id (e.g. 2104.08645)")
            )
            continue
        try:
            records.append(PaperRecord.model_validate(data))
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"]) or "record"
                issues.append(SourceIssue(source_name, number, f"{where}: {error['msg']}"))
    if issues:
        raise ParseError(issues)
    if not records:
        raise ParseError([SourceIssue(source_name, 1, "file holds no paper records")])
    return records
