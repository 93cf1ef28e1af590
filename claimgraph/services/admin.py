"""Whole-graph operations: copy between stores, export, delete a report with what only it kept."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import networkx as nx

from claimgraph.services.workspace import Workspace
from kg.errors import InputError, NotFoundError, StoreError
from kg.graph.orphans import orphans_after_deleting
from kg.store import store_for
from kg.store.bulk_csv import BulkManifest, falkordb_loader_args, write_bulk_csv
from kg.store.cypher_store import CypherStore
from kg.store.migrate import migrate
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType, WriteSummary

if TYPE_CHECKING:
    from kg.store.falkordb_store import FalkorExecutor
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
            summary = store.apply(GraphBatch(source=f"delete report {key}", delete_nodes=[ref, *doomed]))
        self._ws.retire_claims([d.key for d in doomed if d.label == NodeLabel.CLAIM])
        return summary

    def export_bulk_csv(self, folder: Path) -> BulkManifest:
        """The graph as CSV for neo4j-admin database import and falkordb-bulk-loader (see :mod:`kg.store.bulk_csv`)."""
        with self._ws.store(read_only=True) as store:
            nodes = (node for label in NodeLabel for node in store.iter_nodes(label))
            rels = (rel for rel_type in RelType for rel in store.iter_relationships(rel_type))
            return write_bulk_csv(nodes, rels, folder)

    @staticmethod
    def bulk_load(folder: Path, target_uri: str) -> BulkLoad:
        """Load a `kg export --format csv` folder into a server: falkordb-bulk-loader for FalkorDB (an empty
        graph), or, for Neo4j, the rest after ``neo4j-admin database import`` ran; then what the importers
        cannot carry, through the writer; then check the counts against the manifest."""
        manifest = BulkManifest.model_validate_json((folder / "manifest.json").read_text(encoding="utf-8"))
        started = time.perf_counter()
        store = store_for(target_uri)
        if not isinstance(store, CypherStore):
            raise InputError("bulk load is for server stores (falkordb://, bolt://); use `kg migrate` for embedded")
        if store.backend == "falkordb":
            from kg.store.falkordb_store import FalkorExecutor

            executor = store.executor
            assert isinstance(executor, FalkorExecutor)
            if executor.graph_exists():
                raise InputError(f"{target_uri} is not empty: falkordb-bulk-loader builds a new graph only")
            _run_falkordb_loader(manifest, folder, executor)
        importer_s = time.perf_counter() - started
        with store:
            filled = store.fill_missing_relationship_keys()
            summary = WriteSummary()
            for batch_group in _rest_batches(folder / "rest.jsonl"):
                for outcome in store.apply_many(batch_group):
                    if isinstance(outcome, Exception):
                        raise outcome
                    summary += outcome
            stats = store.stats()
        loaded = {k: v for k, v in stats.nodes.items() if v}, {k: v for k, v in stats.relationships.items() if v}
        if loaded != (manifest.nodes, manifest.relationships):
            raise StoreError(f"the loaded graph does not match {folder / 'manifest.json'}: {loaded}")
        return BulkLoad(
            importer_seconds=importer_s, total_seconds=time.perf_counter() - started, keys_filled=filled, rest=summary
        )

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


@dataclass(frozen=True)
class BulkLoad:
    importer_seconds: float
    total_seconds: float
    keys_filled: int
    rest: WriteSummary


def _run_falkordb_loader(manifest: BulkManifest, folder: Path, executor: FalkorExecutor) -> None:
    auth = f":{executor.password}@" if executor.password else ""
    url = f"redis://{auth}{executor.host}:{executor.port}"
    args = falkordb_loader_args(manifest, folder, executor.graph_name, url)
    done = subprocess.run(
        [sys.executable, "-m", "falkordb_bulk_loader.bulk_insert", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise StoreError(f"falkordb-bulk-loader failed: {(done.stderr or done.stdout)[-1500:]}")


def _rest_batches(path: Path, size: int = 500) -> Iterator[list[GraphBatch]]:
    """rest.jsonl as batches of ``size`` entries, a group of them per transaction."""
    nodes: list[Node] = []
    rels: list[Relationship] = []
    batches: list[GraphBatch] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            entry = json.loads(line)
            if "node" in entry:
                nodes.append(Node.model_validate(entry["node"]))
            else:
                rels.append(Relationship.model_validate(entry["relationship"]))
            if len(nodes) + len(rels) >= size:
                batches.append(GraphBatch(source="bulk rest", nodes=nodes, relationships=rels))
                nodes, rels = [], []
            if len(batches) >= 16:
                yield batches
                batches = []
    if nodes or rels:
        batches.append(GraphBatch(source="bulk rest", nodes=nodes, relationships=rels))
    if batches:
        yield batches


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
