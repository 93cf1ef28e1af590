"""Papers in the graph: which to fetch, their metadata as nodes, and examined-title resolution.

A report's "This paper examines: <title>" first becomes a title-only Paper. Once an arXiv
paper with the same normalised title is known (cited by some report, added by hand, or
found by an arXiv title search), the EXAMINES relationship is moved onto it and the
placeholder is deleted. The report builder consults the same title index, so re-ingesting
a report after its examined paper is resolved changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from kg.extraction.sentences import split_sentences
from kg.extraction.text import match_text
from kg.store.base import GraphStore
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, PaperMetadata, PropValue, Relationship, RelType
from schemas.paper import PaperRecord

FoundBy = Literal["cited", "title-search", "added"]
Resolution = Literal["exact-title", "unresolved"]


def examines_props(title_as_written: str, resolution: Resolution) -> dict[str, PropValue]:
    """The EXAMINES properties, built in one place so ingest and resolution always agree."""
    return {"title_as_written": title_as_written, "resolution": resolution}


def arxiv_paper_node(arxiv_id: str) -> Node:
    return Node(
        label=NodeLabel.PAPER,
        key=arxiv_id,
        props={"source": "arxiv", "arxiv_id": arxiv_id, "url": f"http://arxiv.org/abs/{arxiv_id}"},
    )


def paper_node(record: PaperRecord, found_by: FoundBy) -> Node:
    metadata = PaperMetadata(
        title=record.title,
        latest_version=record.version,
        authors=record.authors,
        abstract=record.abstract,
        abstract_sentences=split_sentences(record.abstract),
        primary_category=record.primary_category,
        categories=record.categories,
        published=record.published,
        updated=record.updated,
        comment=record.comment,
        doi=record.doi,
        journal_ref=record.journal_ref,
        pdf_url=record.pdf_url,
        fetched_at=record.fetched_at,
        found_by=found_by,
    )
    base = arxiv_paper_node(record.arxiv_id)
    return Node(label=NodeLabel.PAPER, key=record.arxiv_id, props={**base.props, **metadata.model_dump()})


def title_index(store: GraphStore) -> dict[str, str]:
    """Normalised title -> key of every arXiv paper whose title is known."""
    return {
        match_text(str(node.props["title"])): node.key
        for node in store.iter_nodes(NodeLabel.PAPER)
        if node.props.get("source") == "arxiv" and node.props.get("title")
    }


def _papers(store: GraphStore, among: list[str] | None) -> Iterable[Node]:
    """Every Paper node, or only those keyed ``among`` (that are stored)."""
    if among is None:
        return store.iter_nodes(NodeLabel.PAPER)
    found = store.get_nodes([NodeRef(label=NodeLabel.PAPER, key=key) for key in dict.fromkeys(among)])
    return [node for node in found.values() if node is not None]


def papers_to_fetch(store: GraphStore, *, refresh: bool = False, among: list[str] | None = None) -> list[str]:
    """arXiv ids of Paper nodes still without metadata (all arXiv papers with ``refresh``); ``among``: of
    those papers only (an ingest's, so that adding one report to a large store does not fetch for all)."""
    return [
        node.key
        for node in _papers(store, among)
        if node.props.get("source") == "arxiv" and (refresh or not node.props.get("abstract"))
    ]


@dataclass
class ExaminedResolution:
    title: str
    reports: list[str]
    paper: str | None
    how: Literal["known-paper", "arxiv-title-search", "unresolved"]
    error: str | None = None


@dataclass
class ResolveReport:
    resolutions: list[ExaminedResolution] = field(default_factory=list)


def resolve_examined(
    store: GraphStore,
    search: Callable[[str], PaperRecord | None] | None = None,
    *,
    among: list[str] | None = None,
) -> ResolveReport:
    """Move EXAMINES from title-only placeholders onto the arXiv paper with that title; ``among``: only the
    placeholders keyed so (an ingest's), with every report that examines them."""
    from kg.errors import SourceError

    report = ResolveReport()
    placeholders = sorted((n for n in _papers(store, among) if n.props.get("source") == "title"), key=lambda n: n.key)
    if not placeholders:
        return report
    index = title_index(store)
    examining = store.relationships_of([p.ref for p in placeholders], RelType.EXAMINES, "in")
    for placeholder in placeholders:
        title = str(placeholder.props.get("title", ""))
        incoming = examining.get(placeholder.ref, [])
        reports = sorted(rel.start.key for rel in incoming)
        key = index.get(match_text(title))
        how: Literal["known-paper", "arxiv-title-search", "unresolved"] = "known-paper"
        nodes: list[Node] = []
        error = None
        if key is None and search is not None:
            try:
                found = search(title)
            except SourceError as exc:
                found, error = None, str(exc)
            if found is not None:
                key, how = found.arxiv_id, "arxiv-title-search"
                nodes.append(paper_node(found, "title-search"))
                index[match_text(found.title)] = key
        if key is None:
            report.resolutions.append(ExaminedResolution(title, reports, None, "unresolved", error))
            continue
        target = NodeRef(label=NodeLabel.PAPER, key=key)
        moved = [
            Relationship(
                type=RelType.EXAMINES,
                start=rel.start,
                end=target,
                props=examines_props(str(rel.props.get("title_as_written", title)), "exact-title"),
            )
            for rel in incoming
        ]
        store.apply(
            GraphBatch(source=f"resolve {title[:40]}", nodes=nodes, relationships=moved, delete_nodes=[placeholder.ref])
        )
        report.resolutions.append(ExaminedResolution(title, reports, key, how))
    return report
