"""Pydantic models at every boundary: graph model, parsed reports, claim records, read views."""

from schemas.claim_record import ClaimRecord, ExtractedEntities
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType, WriteSummary
from schemas.report import ClaimRow, ParsedReport, Reference
from schemas.views import ClaimQuery, ClaimView, Conflict, GraphStats

__all__ = [
    "ClaimQuery",
    "ClaimRecord",
    "ClaimRow",
    "ClaimView",
    "Conflict",
    "ExtractedEntities",
    "GraphBatch",
    "GraphStats",
    "Node",
    "NodeLabel",
    "NodeRef",
    "ParsedReport",
    "Reference",
    "RelType",
    "Relationship",
    "WriteSummary",
]
