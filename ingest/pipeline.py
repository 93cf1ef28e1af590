"""Ingest a batch of files: discover, parse, resolve claims, write one transaction per file.

A file that fails (unreadable, malformed, rejected by the store) is reported with every
reason and contributes nothing; the rest of the batch still goes in. The outcome of every
file, including skipped ones, is returned: nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ingest.claims_jsonl import ClaimsFileCheck, check_claims_jsonl, claim_record_chunks
from ingest.discovery import CLAIMS_SUFFIXES, discover, read_text
from ingest.outcomes import IngestResult, SourceOutcome, printable
from ingest.report_parser import parse_report
from kg.errors import NotAReportError, ParseError, StoreError
from kg.extraction.gazetteer import Gazetteer
from kg.graph.builder import BuiltBatch, build_records_batch, build_report_batch
from kg.graph.identity import ClaimIndex, KnownClaim
from kg.graph.papers import title_index
from kg.store.base import GraphStore
from schemas.claim_record import ClaimRecord
from schemas.graph import GraphBatch, NodeLabel, NodeRef, RelType, WriteSummary

__all__ = ["IngestResult", "Ingestor", "SourceOutcome", "discover"]

#: A claim file with more records than this is built and written a chunk at a time, in one transaction
STREAM_RECORDS = 5_000


@dataclass
class _Prepared:
    """A file parsed and built, waiting for its group's transaction."""

    path: Path
    kind: Literal["report", "claims"]
    built: BuiltBatch
    batch: GraphBatch


@dataclass
class _Streamed:
    """A large claim file, validated, to be built and written a chunk at a time (see :meth:`Ingestor.commit`)."""

    path: Path
    text: str
    check: ClaimsFileCheck
    kind: Literal["claims"] = "claims"
    #: filled while its chunks are built: claim key -> text, the Paper keys it cites, its warnings, counts
    claims: dict[str, str] = field(default_factory=dict)
    papers: dict[str, None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    new_claims: int = 0


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

    def _build(self, path: Path, text: str) -> BuiltBatch | _Streamed:
        index = self._claim_index()
        if path.suffix.lower() in CLAIMS_SUFFIXES:
            check = check_claims_jsonl(text, printable(path.name))
            if check.records > STREAM_RECORDS:
                return _Streamed(path, text, check)
            [records] = claim_record_chunks(text, printable(path.name), check.records)
            return self._build_records(records, printable(path.name), check.key, replace_links=True)
        report = parse_report(text, printable(path.name))
        if self._titles is None:
            self._titles = title_index(self.store)
        return build_report_batch(report, index, self.gazetteer, self._titles, self._settled)

    def _build_records(
        self, records: list[tuple[int, ClaimRecord]], name: str, key: str, *, replace_links: bool
    ) -> BuiltBatch:
        """``replace_links``: the file's own Report gets exactly these links; a large file's chunks only add theirs
        (its key is its content's hash, so the links are the same each time; a chunk replacing them would
        delete the other chunks' links, only for those to write them again)."""
        named = {r.report for _, r in records if r.report is not None}
        existing = {report for report in named if report in self._pending_reports or self._report_exists(report)}
        index = self._claim_index()
        built = build_records_batch(
            records, name, index, self.gazetteer, existing, file_key=key, replace_file_report=replace_links
        )
        self._pending_reports.update(named)
        return built

    def _streamed_batches(self, item: _Streamed) -> Iterator[GraphBatch]:
        """The batches of a large claim file, one chunk of records at a time; ``item`` collects what they hold."""
        name = printable(item.path.name)
        for records in claim_record_chunks(item.text, name, STREAM_RECORDS):
            built = self._build_records(records, name, item.check.key, replace_links=False)
            # a claim's derived links are replaced where the file first names it; a later chunk only adds links,
            # as one batch would (its replacement keeps every link the file gives the claim)
            replaced = built.batch.replace_outgoing
            seen = {ref for ref in replaced if ref.label == NodeLabel.CLAIM and ref.key in item.claims}
            if seen:
                kept = [ref for ref in replaced if ref not in seen]
                built.batch = built.batch.model_copy(update={"replace_outgoing": kept})
            batch = self._without_stale_results(built.batch)
            # no later chunk replaces these claims again (see above), so their results need not be remembered:
            # at a million claims that was a NodeRef and a set each
            self._pending_results.clear()
            for node in batch.nodes:
                if node.label == NodeLabel.CLAIM:
                    item.claims[node.key] = str(node.props.get("text", ""))
                elif node.label == NodeLabel.PAPER:
                    item.papers[node.key] = None
            item.warnings.extend(built.warnings)
            item.new_claims += built.new_claims
            yield batch

    def _commit_streamed(self, item: _Streamed) -> SourceOutcome:
        """A large claim file in one transaction, built while it is written: all of it or nothing."""
        outcome = SourceOutcome(path=printable(str(item.path)), kind="claims", status="failed")
        try:
            written = self.store.apply_stream(self._streamed_batches(item))
        except Exception as exc:  # nothing of the file was written
            self._index = None
            if isinstance(exc, StoreError):
                self.store_failure = exc
            why = exc.issues if isinstance(exc, ParseError) else [exc]
            outcome.errors = [
                str(issue) if isinstance(exc, ParseError | StoreError) else f"the store rejected it ({issue})"
                for issue in why
            ]
            return outcome
        finally:
            self._pending_reports.clear()
            self._pending_results.clear()
        if self.on_claims_written is not None and written.changed:
            self.on_claims_written(item.claims)
        self.papers_seen.update(item.papers)
        for key in item.claims:
            self._settled.pop(key, None)  # a claim file unsettles its claims (see _settle)
            if written.changed:
                self.touched_claims.pop(key, None)
                self.touched_claims[key] = None
        return outcome.model_copy(
            update={
                "status": "ingested" if written.changed else "unchanged",
                "report": item.check.key,
                "assertions": item.check.records,
                "new_claims": item.new_claims if written.changed else 0,
                "written": written,
                "warnings": item.warnings,
            }
        )

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

    def prepare(self, path: Path) -> _Prepared | _Streamed | SourceOutcome:
        """Parse and build one file (no write): what its group will apply, or why it failed."""
        kind: Literal["report", "claims"] = "claims" if path.suffix.lower() in CLAIMS_SUFFIXES else "report"
        try:
            built = self._build(path, read_text(path))
            if isinstance(built, _Streamed):
                return built
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

    def commit(self, group: list[_Prepared | _Streamed | SourceOutcome]) -> list[SourceOutcome]:
        """Apply a group's batches in one transaction; the outcome of every file, in order.

        A large claim file (:class:`_Streamed`) is written in a transaction of its own after the group's.
        """
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
        streamed = {id(item): self._commit_streamed(item) for item in group if isinstance(item, _Streamed)}
        for item in group:
            if isinstance(item, SourceOutcome):
                outcomes.append(item)
                continue
            if isinstance(item, _Streamed):
                outcomes.append(streamed[id(item)])
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
        group: list[_Prepared | _Streamed | SourceOutcome] = []

        def flush() -> None:
            for outcome in self.commit(group):
                outcomes.append(outcome)
                if on_file is not None:
                    on_file(Path(outcome.path), outcome)
            group.clear()

        for done, path in enumerate(files):
            group.append(item := self.prepare(path))
            full = sum(isinstance(ready, _Prepared) for ready in group) >= self.group_size
            if self.store_failure is None and (full or isinstance(item, _Streamed)):  # a large file's text goes soon
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
