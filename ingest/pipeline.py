"""Ingest a batch of files: discover, parse, resolve claims, write one transaction per file.

A file that fails (unreadable, malformed, rejected by the store) is reported with every
reason and contributes nothing; the rest of the batch still goes in. The outcome of every
file, including skipped ones, is returned: nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ingest.claims_jsonl import parse_claims_jsonl
from ingest.report_parser import parse_report
from kg.errors import ParseError, SourceIssue, StoreError
from kg.gazetteer import Gazetteer
from kg.graph_builder import BuiltBatch, build_records_batch, build_report_batch
from kg.identity import ClaimIndex, KnownClaim
from kg.papers import title_index
from kg.store.base import GraphStore
from schemas.graph import NodeLabel, NodeRef, WriteSummary

REPORT_SUFFIXES = (".txt", ".md")
CLAIMS_SUFFIXES = (".jsonl",)

Status = Literal["ingested", "unchanged", "failed"]


class SourceOutcome(BaseModel):
    path: str
    kind: Literal["report", "claims", "unknown"]
    status: Status
    report: str | None = None
    assertions: int = 0
    new_claims: int = 0
    written: WriteSummary = Field(default_factory=WriteSummary)
    warnings: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)


class IngestResult(BaseModel):
    outcomes: list[SourceOutcome]

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[SourceOutcome]]:
    """Files to ingest (folders searched recursively, sorted), and outcomes for bad paths."""
    files: list[Path] = []
    problems: list[SourceOutcome] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES + CLAIMS_SUFFIXES
            )
            if not found:
                problems.append(
                    SourceOutcome(
                        path=str(path),
                        kind="unknown",
                        status="failed",
                        errors=[f"{path}: folder holds no .txt, .md or .jsonl files"],
                    )
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(
                SourceOutcome(path=str(path), kind="unknown", status="failed", errors=[f"{path}: no such file"])
            )
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, problems


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError([SourceIssue(path.name, line, f"not UTF-8 text (byte offset {exc.start})")]) from exc


class Ingestor:
    """Writes files into a store, one transaction per file."""

    def __init__(self, store: GraphStore, gazetteer: Gazetteer) -> None:
        self.store = store
        self.gazetteer = gazetteer
        self._index: ClaimIndex | None = None
        self._titles: dict[str, str] | None = None

    def _claim_index(self) -> ClaimIndex:
        if self._index is None:
            known = [
                KnownClaim(node.key, str(node.props.get("text", "")), bool(node.props.get("truncated")))
                for node in self.store.iter_nodes(NodeLabel.CLAIM)
            ]
            self._index = ClaimIndex(known)
        return self._index

    def _build(self, path: Path, text: str) -> tuple[str, BuiltBatch]:
        index = self._claim_index()
        if path.suffix.lower() in CLAIMS_SUFFIXES:
            records = parse_claims_jsonl(text, path.name)
            named = {r.report for _, r in records if r.report is not None}
            existing = {key for key in named if self._report_exists(key)}
            return "claims", build_records_batch(records, path.name, index, self.gazetteer, existing)
        report = parse_report(text, path.name)
        if self._titles is None:
            self._titles = title_index(self.store)
        return "report", build_report_batch(report, index, self.gazetteer, self._titles)

    def _report_exists(self, key: str) -> bool:
        return self.store.get_node(NodeRef(label=NodeLabel.REPORT, key=key)) is not None

    def ingest_file(self, path: Path) -> SourceOutcome:
        kind: Literal["report", "claims"] = "claims" if path.suffix.lower() in CLAIMS_SUFFIXES else "report"
        try:
            _, built = self._build(path, _read_text(path))
        except ParseError as exc:
            # the index may have seen claims of this file before it failed: rebuild it
            self._index = None
            return SourceOutcome(path=str(path), kind=kind, status="failed", errors=[str(i) for i in exc.issues])
        except OSError as exc:
            return SourceOutcome(path=str(path), kind=kind, status="failed", errors=[f"{path.name}: {exc}"])
        try:
            written = self.store.apply(built.batch)
        except StoreError as exc:
            self._index = None
            return SourceOutcome(path=str(path), kind=kind, status="failed", errors=[f"{path.name}: {exc}"])
        return SourceOutcome(
            path=str(path),
            kind=kind,
            status="ingested" if written.changed else "unchanged",
            report=built.report_key,
            assertions=built.assertions,
            new_claims=built.new_claims if written.changed else 0,
            written=written,
            warnings=built.warnings,
        )

    def ingest(
        self,
        paths: Iterable[Path],
        on_file: Callable[[Path, SourceOutcome], None] | None = None,
        on_start: Callable[[int], None] | None = None,
    ) -> IngestResult:
        """``on_start`` gets the number of files found, before the first is ingested (progress bars)."""
        files, outcomes = discover(paths)
        if on_start is not None:
            on_start(len(files))
        for path in files:
            outcome = self.ingest_file(path)
            outcomes.append(outcome)
            if on_file is not None:
                on_file(path, outcome)
        return IngestResult(outcomes=outcomes)
