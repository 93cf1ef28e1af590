"""Ingest a batch of files: discover, parse, resolve claims, write one transaction per file.

A file that fails (unreadable, malformed, rejected by the store) is reported with every
reason and contributes nothing; the rest of the batch still goes in. The outcome of every
file, including skipped ones, is returned: nothing is dropped silently.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ingest.claims_jsonl import parse_claims_jsonl
from ingest.report_parser import parse_report
from kg.errors import NotAReportError, ParseError, SourceIssue, StoreError
from kg.gazetteer import Gazetteer
from kg.graph_builder import BuiltBatch, build_records_batch, build_report_batch
from kg.identity import ClaimIndex, KnownClaim
from kg.papers import title_index
from kg.store.base import GraphStore
from kg.text import normalise_controls
from schemas.graph import GraphBatch, NodeLabel, NodeRef, RelType, WriteSummary

REPORT_SUFFIXES = (".txt", ".md")
CLAIMS_SUFFIXES = (".jsonl",)

Status = Literal["ingested", "unchanged", "skipped", "failed"]


def printable(text: str) -> str:
    """A file name as text that can be stored and printed: bytes that are not UTF-8 become U+FFFD.

    On Linux a file name is bytes; Python hands undecodable ones over as lone surrogates, which
    SQLite, JSON and the terminal refuse. One such name used to fail the whole write group of
    up to 1,024 valid files.
    """
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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
    #: Why the run stopped early: the store failed (a server gone); the files after it were not attempted.
    store_failure: str | None = None

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def skipped(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "skipped"]

    @property
    def ok(self) -> bool:
        return not self.failed


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[SourceOutcome]]:
    """Files to ingest (folders walked recursively, sorted), and a failed outcome for every path passed over.

    Nothing is skipped without a word: a dangling or looping symlink, a FIFO or socket named like a
    report, a symlink that leads out of the folder given, or a symlinked folder is reported with the
    path as found (the link, not its target). Symlinks inside the folder are followed to files inside it.
    """
    files: list[Path] = []
    problems: list[SourceOutcome] = []

    def fail(path: Path, reason: str) -> None:
        problems.append(
            SourceOutcome(
                path=printable(str(path)), kind="unknown", status="failed", errors=[printable(f"{path}: {reason}")]
            )
        )

    for path in paths:
        if path.is_dir():
            before = len(files) + len(problems)
            _walk(path, files, fail)
            if len(files) + len(problems) == before:
                fail(path, "folder holds no .txt, .md or .jsonl files")
        elif path.is_file():
            files.append(path)
        elif path.is_symlink():
            fail(path, f"dangling symlink (to {path.readlink()})")
        elif path.exists():
            fail(path, "not a regular file (a FIFO, socket or device)")
        else:
            fail(path, "no such file")
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file.resolve(), file.absolute())
    return list(unique.values()), problems


def _walk(folder: Path, files: list[Path], fail: Callable[[Path, str], None]) -> None:
    root = folder.resolve()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        dirnames.sort()
        for name in dirnames:
            if (here / name).is_symlink():
                fail(here / name, "symlinked folder: not followed (give its target folder itself)")
        for name in sorted(filenames):
            candidate = here / name
            if candidate.suffix.lower() not in REPORT_SUFFIXES + CLAIMS_SUFFIXES:
                continue
            reason = _unreadable(candidate, root)
            if reason is None:
                files.append(candidate)
            else:
                fail(candidate, reason)


def _unreadable(candidate: Path, root: Path) -> str | None:
    """Why a file found in a folder is not ingested, or None."""
    if candidate.is_symlink():
        try:
            target = candidate.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
            return "symlink loop"
        if not target.exists():
            return f"dangling symlink (to {candidate.readlink()})"
        if not target.is_relative_to(root):
            return f"symlink to a file outside {root}: not followed"
    if not candidate.is_file():
        return "not a regular file (a FIFO, socket or device)"
    return None


def _read_text(path: Path) -> str:
    """The file's text, control characters normalised once here so that every backend stores the same strings."""
    data = path.read_bytes()
    try:
        return normalise_controls(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            [SourceIssue(printable(path.name), line, f"not UTF-8 text (byte offset {exc.start})")]
        ) from exc


@dataclass
class _Prepared:
    """A file parsed and built, waiting for its group's transaction."""

    path: Path
    kind: Literal["report", "claims"]
    built: BuiltBatch
    batch: GraphBatch


class Ingestor:
    """Writes files into a store, several reports per transaction (group commit), each atomic on its own.

    A group's batches go to :meth:`GraphStore.apply_many`: one commit (one fsync, one round trip
    per statement kind on a server) for ``group_size`` files, a savepoint or pre-check per file, so
    a bad file still fails alone and every file gets its own exact summary.
    """

    def __init__(
        self,
        store: GraphStore,
        gazetteer: Gazetteer,
        *,
        group_size: int = 1,
        on_claims_written: Callable[[dict[str, str]], None] | None = None,
    ) -> None:
        """``on_claims_written`` gets, after each committed group, the claims it wrote or changed: key to text."""
        self.store = store
        self.on_claims_written = on_claims_written
        self.gazetteer = gazetteer
        self.group_size = max(1, group_size)
        self._index: ClaimIndex | None = None
        self._titles: dict[str, str] | None = None
        # what the group not yet committed will have written: later files of the group see it
        self._pending_reports: set[str] = set()
        self._pending_results: dict[NodeRef, set[NodeRef]] = {}
        #: keys of the claims of every batch that changed the graph, by their last write (the paraphrase pass's input)
        self.touched_claims: dict[str, None] = {}
        #: keys of the Paper nodes that the files written, or found unchanged, cite or examine (the papers step's scope)
        self.papers_seen: dict[str, None] = {}
        #: The store failed as a whole (not one batch): the run stops and says so once (see :meth:`ingest`).
        self.store_failure: StoreError | None = None
        #: claims committed by this run's reports, key -> (text, truncated): stored with the links their text
        #: gives, so a later report only asserts them (see build_report_batch). Only this process writes while
        #: it holds the store; a claim file's batch, whose producer may give a claim's entities, unsettles them
        self._settled: dict[str, tuple[str, bool]] = {}

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
            records = parse_claims_jsonl(text, printable(path.name))
            named = {r.report for _, r in records if r.report is not None}
            existing = {key for key in named if key in self._pending_reports or self._report_exists(key)}
            return "claims", build_records_batch(records, printable(path.name), index, self.gazetteer, existing)
        report = parse_report(text, printable(path.name))
        if self._titles is None:
            self._titles = title_index(self.store)
        return "report", build_report_batch(report, index, self.gazetteer, self._titles, self._settled)

    def _report_exists(self, key: str) -> bool:
        return self.store.get_node(NodeRef(label=NodeLabel.REPORT, key=key)) is not None

    def _without_stale_results(self, batch: GraphBatch) -> GraphBatch:
        """The batch, also deleting the Result nodes its claims no longer report (a changed gazetteer or extractor).

        A Result's key includes its claim's, so a result that the claim's new extraction does not give again
        belongs to no one once the claim's links are replaced. Results written by earlier files of the
        same group count too: they are not in the store yet.
        """
        claims = [ref for ref in batch.replace_outgoing if ref.label == NodeLabel.CLAIM]
        if not claims or RelType.REPORTS not in batch.replace_types:
            return batch
        kept = {node.ref for node in batch.nodes}
        stored = {
            claim: {rel.end for rel in rels}
            for claim, rels in self.store.relationships_of(claims, RelType.REPORTS, "out").items()
        }
        stale = sorted(
            {
                result
                for claim in claims
                for result in stored.get(claim, set()) | self._pending_results.get(claim, set())
                if result not in kept
            },
            key=lambda ref: ref.key,
        )
        return batch.model_copy(update={"delete_nodes": [*batch.delete_nodes, *stale]}) if stale else batch

    def _remember_pending(self, built: BuiltBatch, batch: GraphBatch) -> None:
        if built.report_key:
            self._pending_reports.add(built.report_key)
        for claim in (ref for ref in batch.replace_outgoing if ref.label == NodeLabel.CLAIM):
            self._pending_results[claim] = set()
        for rel in batch.relationships:
            if rel.type == RelType.REPORTS:
                self._pending_results.setdefault(rel.start, set()).add(rel.end)

    def prepare(self, path: Path) -> _Prepared | SourceOutcome:
        """Parse and build one file (no write): what its group will apply, or why it failed."""
        kind: Literal["report", "claims"] = "claims" if path.suffix.lower() in CLAIMS_SUFFIXES else "report"
        try:
            _, built = self._build(path, _read_text(path))
            batch = self._without_stale_results(built.batch)
        except NotAReportError as exc:
            return SourceOutcome(
                path=printable(str(path)), kind=kind, status="skipped", warnings=[str(i) for i in exc.issues]
            )
        except ParseError as exc:
            # the index may have seen claims of this file before it failed: rebuild it
            self._index = None
            return SourceOutcome(
                path=printable(str(path)), kind=kind, status="failed", errors=[str(i) for i in exc.issues]
            )
        except OSError as exc:
            return SourceOutcome(
                path=printable(str(path)),
                kind=kind,
                status="failed",
                errors=[printable(f"{path}: {exc.strerror or exc}")],
            )
        except StoreError as exc:  # reading the store failed: the server is gone, not this file at fault
            self.store_failure = exc
            self._index = None
            return SourceOutcome(path=printable(str(path)), kind=kind, status="failed", errors=[str(exc)])
        except Exception as exc:  # a defect of ours or an input we did not foresee: this file fails, the batch goes on
            self._index = None
            reason = (
                f"{path}: could not be read as a {kind} file ({type(exc).__name__}: {exc}); nothing from it was written"
            )
            return SourceOutcome(path=printable(str(path)), kind=kind, status="failed", errors=[reason])
        self._remember_pending(built, batch)
        return _Prepared(path, kind, built, batch)

    def commit(self, group: list[_Prepared | SourceOutcome]) -> list[SourceOutcome]:
        """Apply a group's batches in one transaction; the outcome of every file, in order."""
        ready = [item for item in group if isinstance(item, _Prepared)]
        try:
            written = self.store.apply_many([item.batch for item in ready]) if ready else []
        except StoreError as exc:  # the store itself failed (a server gone): nothing of the group was written
            self.store_failure = exc
            written = [exc] * len(ready)
        except Exception as exc:  # the group's transaction itself failed: nothing of it was written
            written = [exc] * len(ready)
        self._pending_reports.clear()
        self._pending_results.clear()
        by_path = dict(zip((id(item) for item in ready), written, strict=True))
        if self.on_claims_written is not None:
            self.on_claims_written(self._claim_texts_written(ready, by_path))
        outcomes: list[SourceOutcome] = []
        for item in group:
            if isinstance(item, SourceOutcome):
                outcomes.append(item)
                continue
            result = by_path[id(item)]
            if isinstance(result, Exception):
                self._index = None
                why = (
                    str(result)
                    if isinstance(result, StoreError)
                    else f"the store rejected it ({type(result).__name__}: {result})"
                )
                outcomes.append(
                    SourceOutcome(
                        path=printable(str(item.path)),
                        kind=item.kind,
                        status="failed",
                        errors=[f"{printable(item.path.name)}: {why}"],
                    )
                )
                continue
            self.papers_seen.update(dict.fromkeys(n.key for n in item.batch.nodes if n.label == NodeLabel.PAPER))
            self._settle(item)
            if result.changed:
                claims = [n.key for n in item.batch.nodes if n.label == NodeLabel.CLAIM]
                for key in (*claims, *item.built.settled_claims):
                    self.touched_claims.pop(key, None)  # by last write: the text the claim has now was sent then
                    self.touched_claims[key] = None
            outcomes.append(
                SourceOutcome(
                    path=printable(str(item.path)),
                    kind=item.kind,
                    status="ingested" if result.changed else "unchanged",
                    report=item.built.report_key,
                    assertions=item.built.assertions,
                    new_claims=item.built.new_claims if result.changed else 0,
                    written=result,
                    warnings=item.built.warnings,
                )
            )
        return outcomes

    def _settle(self, item: _Prepared) -> None:
        """Record the claims a committed file wrote: settled by a report, unsettled by a claim file."""
        claims = (node for node in item.batch.nodes if node.label == NodeLabel.CLAIM)
        if item.kind != "report":
            for node in claims:
                self._settled.pop(node.key, None)
            return
        replaced = set(item.batch.replace_outgoing)
        for node in claims:
            if node.ref in replaced:  # its extracted links were replaced: they are what its text gives
                self._settled[node.key] = (str(node.props.get("text", "")), bool(node.props.get("truncated")))

    @staticmethod
    def _claim_texts_written(ready: list[_Prepared], written: dict[int, WriteSummary | Exception]) -> dict[str, str]:
        """Key to text of each claim the group wrote; a claim in two of its reports has the later one's text,
        as in the store (a report's claim node merges over the one before)."""
        return {
            node.key: str(node.props.get("text", ""))
            for item in ready
            if isinstance(result := written[id(item)], WriteSummary) and result.changed
            for node in item.batch.nodes
            if node.label == NodeLabel.CLAIM
        }

    def ingest_file(self, path: Path) -> SourceOutcome:
        return self.commit([self.prepare(path)])[0]

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
        group: list[_Prepared | SourceOutcome] = []

        def flush() -> None:
            for outcome in self.commit(group):
                outcomes.append(outcome)
                if on_file is not None:
                    on_file(Path(outcome.path), outcome)
            group.clear()

        for done, path in enumerate(files):
            group.append(self.prepare(path))
            if self.store_failure is None and sum(isinstance(item, _Prepared) for item in group) >= self.group_size:
                flush()
            if self.store_failure is not None:
                # fail fast, once: every file after this one would wait out the driver's retries (45 s each)
                flush()
                cause = f"not ingested: the store failed before this file ({self.store_failure})"
                for rest in files[done + 1 :]:
                    outcome = SourceOutcome(path=printable(str(rest)), kind="unknown", status="failed", errors=[cause])
                    outcomes.append(outcome)
                    if on_file is not None:
                        on_file(rest, outcome)
                return IngestResult(outcomes=outcomes, store_failure=str(self.store_failure))
        flush()
        return IngestResult(outcomes=outcomes)
