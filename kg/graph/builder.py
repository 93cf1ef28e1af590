"""Turn parsed sources into graph batches. Pure apart from the claim index it consults.

Keys are content-derived so that re-ingesting the same input produces the same batch:
reports by a hash of their parsed content (so CRLF and LF copies of one report are one
report), papers by arXiv id without version, benchmarks/models by canonical name,
languages by ISO code, results by (claim, benchmark, value, kind).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from kg.extraction.entities import Extraction, extract
from kg.extraction.gazetteer import EntityKind, Gazetteer
from kg.extraction.text import match_text, stable_key
from kg.graph.identity import ClaimIndex
from kg.graph.papers import arxiv_paper_node, examines_props
from schemas.claim_record import ClaimRecord
from schemas.graph import (
    BenchmarkNode,
    ClaimNode,
    GraphBatch,
    LanguageNode,
    ModelNode,
    Node,
    NodeLabel,
    NodeRef,
    PaperNode,
    PropValue,
    Relationship,
    RelType,
    ReportNode,
    ResultNode,
)
from schemas.report import ParsedReport

#: The relationships a report owns: re-ingesting it replaces exactly these.
REPORT_OWNED = [RelType.ASSERTS, RelType.CITES, RelType.EXAMINES, RelType.ABOUT, RelType.MENTIONS]
#: What extraction derives from a claim's text; re-ingesting the claim replaces these, so a changed
#: gazetteer or extractor leaves no stale entity links or results behind.
CLAIM_DERIVED = [RelType.ABOUT, RelType.MENTIONS, RelType.REPORTS, RelType.ON]


@dataclass
class BuiltBatch:
    batch: GraphBatch
    report_key: str
    assertions: int
    new_claims: int
    warnings: list[str] = field(default_factory=list)
    #: claims the batch asserts without writing them again: ``settled`` (see :func:`build_report_batch`)
    settled_claims: list[str] = field(default_factory=list)


#: claim key -> (text, truncated) of claims whose node and extracted links are stored as they are now
Settled = Mapping[str, tuple[str, bool]]


class _Collector:
    """Accumulates nodes and relationships, deduplicated by identity (last write wins)."""

    def __init__(self) -> None:
        self.nodes: dict[NodeRef, Node] = {}
        self.rels: dict[tuple[RelType, NodeRef, NodeRef, str], Relationship] = {}

    def node(self, node: Node) -> NodeRef:
        ref = node.ref
        existing = self.nodes.get(ref)
        merged = (
            node if existing is None else Node(label=node.label, key=node.key, props={**existing.props, **node.props})
        )
        self.nodes[ref] = merged
        return ref

    def rel(self, rel_type: RelType, start: NodeRef, end: NodeRef, key: str = "", **props: PropValue) -> None:
        self.add_rel(rel_type, start, end, props, key)

    def add_rel(
        self, rel_type: RelType, start: NodeRef, end: NodeRef, props: dict[str, PropValue], key: str = ""
    ) -> None:
        rel = Relationship(type=rel_type, start=start, end=end, key=key, props=props)
        self.rels[rel.identity] = rel

    def batch(self, source: str, replace: list[NodeRef], claims: list[NodeRef] | None = None) -> GraphBatch:
        """The batch; ``replace`` (reports) get their owned links replaced, ``claims`` their derived ones."""
        claims = claims or []
        results = [ref for ref in self.nodes if ref.label == NodeLabel.RESULT] if claims else []
        types = sorted({*(REPORT_OWNED if replace else []), *(CLAIM_DERIVED if claims else [])})
        return GraphBatch(
            source=source,
            nodes=list(self.nodes.values()),
            relationships=list(self.rels.values()),
            replace_outgoing=[*replace, *claims, *results],
            replace_types=types,
        )


@lru_cache(maxsize=4096)
def _entity_node(kind: EntityKind, name: str, gazetteer: Gazetteer) -> Node:
    """Memoised: a corpus names a few hundred entities thousands of times; nodes are frozen, so sharing is safe."""
    entry = gazetteer.resolve(kind, name)
    if kind == "benchmark":
        if entry is None:
            return BenchmarkNode(key=name, name=name, candidate=True).to_node()
        return BenchmarkNode(key=entry.key, name=entry.name, task=entry.task).to_node()
    if kind == "model":
        if entry is None:
            return ModelNode(key=name, name=name, family=name).to_node()
        return ModelNode(key=entry.key, name=entry.name, family=entry.family or entry.name, size=entry.size).to_node()
    if entry is None:
        return LanguageNode(key=name, name=name, code=name).to_node()
    return LanguageNode(key=entry.key, name=entry.name, code=entry.code or entry.key).to_node()


def _link_entities(out: _Collector, start: NodeRef, extraction: Extraction, gazetteer: Gazetteer) -> None:
    for name in extraction.benchmarks:
        out.rel(RelType.ABOUT, start, out.node(_entity_node("benchmark", name, gazetteer)))
    for name in extraction.languages:
        out.rel(RelType.MENTIONS, start, out.node(_entity_node("language", name, gazetteer)))
    for name in extraction.models:
        out.rel(RelType.MENTIONS, start, out.node(_entity_node("model", name, gazetteer)))


def _link_results(out: _Collector, claim: NodeRef, extraction: Extraction, gazetteer: Gazetteer) -> None:
    for result in extraction.results:
        node = ResultNode(
            key=stable_key("res", claim.key, result.benchmark or "", f"{result.value:g}", result.kind),
            value=result.value,
            unit=result.unit,
            metric=result.metric,
            kind=result.kind,
            benchmark=result.benchmark,
            text=result.text,
        ).to_node()
        ref = out.node(node)
        out.rel(RelType.REPORTS, claim, ref)
        if result.benchmark is not None:
            out.rel(RelType.ON, ref, out.node(_entity_node("benchmark", result.benchmark, gazetteer)))


def _add_claim(
    out: _Collector,
    index: ClaimIndex,
    raw_text: str,
    gazetteer: Gazetteer,
    warnings: list[str],
    settled: Settled | None = None,
) -> tuple[NodeRef, bool, bool]:
    """The claim's ref, whether it is new, and whether it is settled: stored as this text would write it, so
    only the caller's own link to it is needed."""
    resolution = index.resolve(raw_text)
    if resolution.warning:
        warnings.append(resolution.warning)
    if settled is not None and settled.get(resolution.key) == (resolution.text, resolution.truncated):
        return NodeRef(label=NodeLabel.CLAIM, key=resolution.key), False, True
    claim = out.node(ClaimNode(key=resolution.key, text=resolution.text, truncated=resolution.truncated).to_node())
    extraction = extract(resolution.text, gazetteer)
    _link_entities(out, claim, extraction, gazetteer)
    _link_results(out, claim, extraction, gazetteer)
    return claim, resolution.how == "new", False


def split_arxiv_id(raw: str) -> tuple[str, str | None]:
    """``"2104.08645v2"`` -> ``("2104.08645", "v2")``; the key of a Paper is the id without version."""
    match = re.fullmatch(r"(.+?)(v\d+)?", raw.strip())
    assert match is not None
    return match.group(1), match.group(2)


def report_key(report: ParsedReport) -> str:
    """Content hash of a parsed report; source file name and line numbers do not count."""
    content = report.model_dump(mode="json", exclude={"source_name", "warnings", "layout"})
    for row in content["rows"]:
        row.pop("line")
    for ref in content["references"]:
        ref.pop("line")
    return stable_key("r", json.dumps(content, sort_keys=True, ensure_ascii=False))


def build_report_batch(
    report: ParsedReport,
    index: ClaimIndex,
    gazetteer: Gazetteer,
    titles: dict[str, str] | None = None,
    settled: Settled | None = None,
) -> BuiltBatch:
    """``titles`` maps normalised titles of known arXiv papers to their keys (see kg.graph.papers.title_index).

    ``settled``: claims stored exactly as this report's rows would write them (the ingest passes those that
    earlier reports of the same run wrote, committed). The batch only asserts them: writing their node and
    extracted links again would change nothing, yet at 100k reports two thirds of the claim rows repeat a
    claim, and each was built, read back and compared.
    """
    out = _Collector()
    warnings = list(report.warnings)
    key = report_key(report)
    links = [ref.url or ref.raw for ref in report.references if ref.kind in ("url", "text")]
    report_ref = out.node(
        ReportNode(
            key=key,
            title=report.title,
            author=report.author,
            date=report.date,
            abstract=report.abstract,
            examined_title=report.examined_title,
            research_question=report.research_question,
            papers_retrieved=report.papers_retrieved,
            claims_extracted=report.claims_extracted,
            claims_verified=report.claims_verified,
            quality_score=report.quality_score,
            layout=report.layout,
            source_name=report.source_name,
            links=links,
            warnings=report.warnings,
        ).to_node()
    )
    new_claims = 0
    claims: list[NodeRef] = []
    settled_claims: list[str] = []
    for row in report.rows:
        claim, is_new, is_settled = _add_claim(out, index, row.text_as_written, gazetteer, warnings, settled)
        new_claims += is_new
        if is_settled:
            settled_claims.append(claim.key)
        else:
            claims.append(claim)
        out.rel(
            RelType.ASSERTS,
            report_ref,
            claim,
            key=str(row.row),
            verified=row.verified,
            confidence=row.confidence,
            text_as_written=row.text_as_written,
            row=row.row,
            line=row.line,
            truncated=row.truncated,
        )
    for ref in report.references:
        if ref.kind == "arxiv" and ref.arxiv_id:
            paper = out.node(arxiv_paper_node(ref.arxiv_id))
            out.rel(RelType.CITES, report_ref, paper, version=ref.version, url=ref.url, line=ref.line)
        elif ref.kind == "doi" and ref.doi:
            paper = out.node(
                PaperNode(
                    key=f"doi:{ref.doi.lower()}", source="doi", doi=ref.doi, url=f"https://doi.org/{ref.doi}"
                ).to_node()
            )
            out.rel(RelType.CITES, report_ref, paper, version=None, url=ref.raw, line=ref.line)
    if report.examined_title:
        known = titles.get(match_text(report.examined_title)) if titles else None
        if known is not None:
            paper = out.node(arxiv_paper_node(known))
            out.add_rel(RelType.EXAMINES, report_ref, paper, examines_props(report.examined_title, "exact-title"))
        else:
            placeholder = PaperNode(
                key=stable_key("title", match_text(report.examined_title)), source="title", title=report.examined_title
            )
            paper = out.node(placeholder.to_node())
            out.add_rel(RelType.EXAMINES, report_ref, paper, examines_props(report.examined_title, "unresolved"))
    context = " ".join(filter(None, [report.research_question, report.abstract]))
    _link_entities(out, report_ref, extract(context, gazetteer), gazetteer)
    return BuiltBatch(
        batch=out.batch(report.source_name, [report_ref], list(dict.fromkeys(claims))),
        report_key=key,
        assertions=len(report.rows),
        new_claims=new_claims,
        warnings=warnings,
        settled_claims=list(dict.fromkeys(settled_claims)),
    )


class RecordsDigest:
    """The content key of a claim file's own Report, fed one record at a time.

    It hashes ``json.dumps([record.model_dump(mode="json"), ...], sort_keys=True, ensure_ascii=False)``
    (the key such a Report has always had) without the list in memory: a file can hold a million records.
    """

    def __init__(self) -> None:
        self._hash = hashlib.sha256(b"[")
        self._first = True

    def add(self, record: ClaimRecord) -> None:
        item = json.dumps(record.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        self._hash.update((item if self._first else ", " + item).encode("utf-8"))
        self._first = False

    def key(self) -> str:
        digest = self._hash.copy()
        digest.update(b"]")
        return f"x_{digest.hexdigest()[:16]}"


def records_key(records: Iterable[ClaimRecord]) -> str:
    digest = RecordsDigest()
    for record in records:
        digest.add(record)
    return digest.key()


def build_records_batch(
    records: list[tuple[int, ClaimRecord]],
    source_name: str,
    index: ClaimIndex,
    gazetteer: Gazetteer,
    existing_reports: set[str],
    *,
    file_key: str | None = None,
    replace_file_report: bool = True,
) -> BuiltBatch:
    """Claims from an extraction pipeline (one ``.jsonl`` file) as one batch.

    Records without ``report`` are asserted by the file itself (a Report of kind
    "extraction" keyed by the file's content hash). A named report that does not exist yet
    is created with minimal properties; an existing one is linked to, never overwritten.

    A large file comes in chunks (see :mod:`ingest.claims_jsonl`): each passes the whole file's
    ``file_key`` and none replaces the file Report's links (``replace_file_report``): the key is the
    file's content hash, so the same key always means the same links.
    """
    out = _Collector()
    warnings: list[str] = []
    file_key = file_key or records_key(record for _, record in records)
    file_report = ReportNode(
        key=file_key, kind="extraction", title=source_name, layout="jsonl", source_name=source_name
    )
    replace: list[NodeRef] = []
    derived: list[NodeRef] = []  # claims whose links come from extraction alone (none given by the producer)
    new_claims = 0
    for line, record in records:
        if record.report is None:
            report_ref = out.node(file_report.to_node())
            replace = [report_ref] if replace_file_report else []
        elif record.report in existing_reports:
            report_ref = NodeRef(label=NodeLabel.REPORT, key=record.report)
        else:
            report_ref = out.node(
                ReportNode(
                    key=record.report,
                    kind="extraction",
                    title=record.report,
                    layout="jsonl",
                    source_name=source_name,
                ).to_node()
            )
        claim, is_new, _ = _add_claim(out, index, record.text, gazetteer, warnings)
        new_claims += is_new
        if record.entities is None:
            derived.append(claim)
        else:
            given = Extraction(
                benchmarks=tuple(record.entities.benchmarks),
                languages=tuple(record.entities.languages),
                models=tuple(record.entities.models),
            )
            _link_entities(out, claim, given, gazetteer)
        out.rel(
            RelType.ASSERTS,
            report_ref,
            claim,
            key=f"{file_key}:{line}",
            verified=record.verified,
            confidence=record.confidence,
            text_as_written=record.text,
            row=line,
            line=line,
            truncated=False,
        )
        for raw_id in record.papers:
            arxiv_id, version = split_arxiv_id(raw_id)
            paper = out.node(arxiv_paper_node(arxiv_id))
            out.rel(RelType.EXTRACTED_FROM, claim, paper)
            out.rel(
                RelType.CITES,
                report_ref,
                paper,
                version=version,
                url=f"http://arxiv.org/abs/{raw_id}",
                line=line,
            )
    return BuiltBatch(
        batch=out.batch(source_name, replace, list(dict.fromkeys(derived))),
        report_key=file_key,
        assertions=len(records),
        new_claims=new_claims,
        warnings=warnings,
    )
