"""Whole-graph operations: copy between stores, export, delete a report with what only it kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import networkx as nx

from claimgraph.services.workspace import Workspace
from kg.errors import InputError, NotFoundError
from kg.migrate import migrate
from kg.orphans import orphans_after_deleting
from kg.store import store_for
from schemas.graph import GraphBatch, NodeLabel, NodeRef, RelType, WriteSummary
from schemas.views import GraphStats


class AdminService:
    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    @staticmethod
    def migrate(
        source_uri: str, target_uri: str, on_progress: Callable[[str, int], None] | None = None
    ) -> tuple[WriteSummary, GraphStats, GraphStats]:
        """Copy every node and relationship; returns what changed and both stores' counts."""
        if source_uri == target_uri:
            raise InputError("--from and --to name the same store")
        with store_for(source_uri, read_only=True) as source, store_for(target_uri) as target:
            summary = migrate(source, target, on_progress=on_progress)
            return summary, source.stats(), target.stats()

    def delete_report(self, key: str) -> WriteSummary:
        """Remove a report, its assertions, and whatever only it kept in the graph."""
        ref = NodeRef(label=NodeLabel.REPORT, key=key)
        with self._ws.store() as store:
            if store.get_node(ref) is None:
                raise NotFoundError(f"no report {key!r}")
            doomed = orphans_after_deleting(store, ref)
            return store.apply(GraphBatch(source=f"delete report {key}", delete_nodes=[ref, *doomed]))

    def export(self, fmt: Literal["graphml", "json"], target: Path) -> GraphStats:
        with self._ws.store(read_only=True) as store:
            graph = nx.MultiDiGraph()
            for label in NodeLabel:
                for node in store.iter_nodes(label):
                    graph.add_node(f"{label}:{node.key}", label=label.value, key=node.key, **node.props)
            for rel_type in RelType:
                for rel in store.iter_relationships(rel_type):
                    graph.add_edge(
                        f"{rel.start.label}:{rel.start.key}",
                        f"{rel.end.label}:{rel.end.key}",
                        key=f"{rel.type}:{rel.key}",
                        type=rel.type.value,
                        **rel.props,
                    )
            stats = store.stats()
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "json":
            data = nx.node_link_data(graph, edges="relationships")
            target.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        else:
            nx.write_graphml(_graphml_safe(graph), target)
        return stats


def _graphml_safe(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """GraphML holds scalars only: lists become JSON strings, None is left out."""
    safe = nx.MultiDiGraph()

    def clean(attrs: dict[str, object]) -> dict[str, object]:
        return {
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
            for k, v in attrs.items()
            if v is not None
        }

    for node, attrs in graph.nodes(data=True):
        safe.add_node(node, **clean(attrs))
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        safe.add_edge(u, v, key=key, **clean(attrs))
    return safe
