"""The default store: a networkx graph in memory, persisted in a data directory.

Durability without a server:

* every committed batch is appended to ``journal.jsonl`` and fsync'd before ``apply``
  returns (a write-ahead journal), so a killed process loses nothing it committed;
* ``graph.json`` is a snapshot, rewritten atomically (write a temp file, fsync,
  ``os.replace``) on close and every ``compact_every`` batches; it records the last journal
  sequence number it contains, so replay after a crash between the two steps is exact;
* a torn last journal line (a kill mid-append) is ignored: that batch never committed;
* an exclusive ``flock`` on ``.lock`` keeps two writers apart; readers need no lock.

In memory, a batch is applied with an undo log, so a batch that fails half-way (or whose
journal append fails) leaves the graph exactly as it was.
"""

from __future__ import annotations

import fcntl
import json
import os
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import IO, Any, Literal

import networkx as nx

from kg.errors import StoreError, StoreLockedError
from kg.store.base import GraphStore, StoreHealth, validate_batch
from kg.store.views import claim_views_from_graph
from schemas.graph import (
    GraphBatch,
    Node,
    NodeLabel,
    NodeRef,
    PropValue,
    Relationship,
    RelType,
    WriteSummary,
)
from schemas.views import ClaimQuery, ClaimView, GraphStats

SNAPSHOT = "graph.json"
JOURNAL = "journal.jsonl"
LOCK = ".lock"
FORMAT_VERSION = 1


def _nid(ref: NodeRef) -> str:
    return f"{ref.label}\x1f{ref.key}"


def _eid(rel_type: RelType, key: str) -> str:
    return f"{rel_type}\x1f{key}"


class EmbeddedStore(GraphStore):
    backend = "embedded"

    def __init__(self, data_dir: Path, *, read_only: bool = False, compact_every: int = 1000) -> None:
        self.data_dir = Path(data_dir)
        self.read_only = read_only
        self.compact_every = compact_every
        self._graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self._seq = 0
        self._snapshot_seq = 0
        self._journal: IO[str] | None = None
        self._lock: IO[str] | None = None
        self._open = False
        # Sorted claim ids (and their set) per benchmark, language or model (None: every claim),
        # built on first read and dropped by every write: a page of claims then starts at its
        # cursor by bisection instead of gathering and sorting the candidates on each request.
        self._claim_index: dict[tuple[NodeLabel, str] | None, tuple[list[str], frozenset[str]]] = {}

    @property
    def uri(self) -> str:
        return f"embedded://{self.data_dir}"

    # -- lifecycle -------------------------------------------------------------------
    def open(self) -> None:
        if self._open:
            return
        if not self.read_only:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._acquire_lock()
        try:
            self._claim_index.clear()
            self._load()
            if not self.read_only:
                self._journal = (self.data_dir / JOURNAL).open("a", encoding="utf-8")
        except BaseException:
            self._release_lock()
            raise
        self._open = True

    def close(self) -> None:
        if not self._open:
            return
        try:
            if not self.read_only and self._seq > self._snapshot_seq:
                self._write_snapshot()
        finally:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            self._release_lock()
            self._open = False

    def _release_lock(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def health(self) -> StoreHealth:
        return StoreHealth(
            ok=self._open,
            backend=self.backend,
            detail=f"{self.data_dir} ({self._graph.number_of_nodes()} nodes, journal seq {self._seq})",
        )

    def _acquire_lock(self) -> None:
        handle = (self.data_dir / LOCK).open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise StoreLockedError(
                f"the store in {self.data_dir} is open for writing by another process; "
                "wait for it to finish or use another --data-dir"
            ) from exc
        self._lock = handle

    # -- persistence -----------------------------------------------------------------
    def _load(self) -> None:
        snapshot = self.data_dir / SNAPSHOT
        if snapshot.exists():
            try:
                data = json.loads(snapshot.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise StoreError(f"cannot read snapshot {snapshot}: {exc}") from exc
            if data.get("format") != FORMAT_VERSION:
                raise StoreError(f"{snapshot} has format {data.get('format')}, expected {FORMAT_VERSION}")
            for raw in data["nodes"]:
                self._put_node(Node.model_validate(raw))
            for raw in data["relationships"]:
                self._put_rel(Relationship.model_validate(raw))
            self._seq = self._snapshot_seq = int(data["seq"])
        journal = self.data_dir / JOURNAL
        if journal.exists():
            self._replay(journal)

    def _replay(self, journal: Path) -> None:
        good_bytes = 0
        with journal.open("rb") as handle:
            lines = handle.readlines()
        for index, raw in enumerate(lines):
            complete = raw.endswith(b"\n")
            try:
                entry = json.loads(raw)
            except json.JSONDecodeError as exc:
                if index == len(lines) - 1 and not complete:
                    break  # torn write of a batch that never committed
                raise StoreError(f"{journal}: line {index + 1} is corrupt: {exc}") from exc
            if not complete:
                break
            good_bytes += len(raw)
            if entry["seq"] <= self._seq:
                continue
            self._apply_in_memory(GraphBatch.model_validate(entry["batch"]), undo=None)
            self._seq = entry["seq"]
        if not self.read_only and good_bytes < journal.stat().st_size:
            with journal.open("r+b") as handle:
                handle.truncate(good_bytes)

    def _write_snapshot(self) -> None:
        # Plain dicts and json.dumps (the C encoder): this runs on every close and compaction.
        graph = self._graph
        nodes = [{"label": d["label"], "key": d["key"], "props": d["props"]} for _, d in graph.nodes(data=True)]
        rels = [
            {
                "type": d["type"],
                "start": {"label": graph.nodes[u]["label"], "key": graph.nodes[u]["key"]},
                "end": {"label": graph.nodes[v]["label"], "key": graph.nodes[v]["key"]},
                "key": d["rkey"],
                "props": d["props"],
            }
            for u, v, d in graph.edges(data=True)
        ]
        payload = {"format": FORMAT_VERSION, "seq": self._seq, "nodes": nodes, "relationships": rels}
        target = self.data_dir / SNAPSHOT
        tmp = target.with_suffix(".json.tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(target)
        self._fsync_dir()
        self._snapshot_seq = self._seq
        if self._journal is not None:
            self._journal.truncate(0)
            self._journal.seek(0)
            self._journal.flush()
            os.fsync(self._journal.fileno())

    def _fsync_dir(self) -> None:
        fd = os.open(self.data_dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    # -- graph primitives ------------------------------------------------------------
    def _put_node(self, node: Node) -> None:
        self._graph.add_node(_nid(node.ref), label=node.label, key=node.key, props=dict(node.props))

    def _put_rel(self, rel: Relationship) -> None:
        self._graph.add_edge(
            _nid(rel.start),
            _nid(rel.end),
            key=_eid(rel.type, rel.key),
            type=rel.type,
            rkey=rel.key,
            props=dict(rel.props),
        )

    @staticmethod
    def _node(data: dict[str, Any]) -> Node:
        return Node(label=data["label"], key=data["key"], props=data["props"])

    def _rel(self, u: str, v: str, data: dict[str, Any]) -> Relationship:
        start, end = self._graph.nodes[u], self._graph.nodes[v]
        return Relationship(
            type=data["type"],
            start=NodeRef(label=start["label"], key=start["key"]),
            end=NodeRef(label=end["label"], key=end["key"]),
            key=data["rkey"],
            props=data["props"],
        )

    def _require_open(self) -> None:
        if not self._open:
            raise StoreError("the store is not open; call open() or use it as a context manager")

    # -- writes ----------------------------------------------------------------------
    def apply(self, batch: GraphBatch) -> WriteSummary:
        self._require_open()
        if self.read_only:
            raise StoreError(f"{self.uri} is open read-only")
        validate_batch(batch, is_stored=lambda ref: _nid(ref) in self._graph)
        undo: list[Callable[[], None]] = []
        try:
            summary = self._apply_in_memory(batch, undo)
            if summary.changed:
                self._append_journal(batch)
        except BaseException:
            for step in reversed(undo):
                step()
            raise
        finally:
            self._claim_index.clear()
        if self._seq - self._snapshot_seq >= self.compact_every:
            self._write_snapshot()
        return summary

    def _append_journal(self, batch: GraphBatch) -> None:
        assert self._journal is not None
        line = json.dumps(
            {"seq": self._seq + 1, "batch": batch.model_dump(mode="json")},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        try:
            self._journal.write(line + "\n")
            self._journal.flush()
            os.fsync(self._journal.fileno())
        except OSError as exc:
            raise StoreError(f"cannot append to the journal in {self.data_dir}: {exc}") from exc
        self._seq += 1

    def _apply_in_memory(self, batch: GraphBatch, undo: list[Callable[[], None]] | None) -> WriteSummary:
        graph = self._graph
        summary = WriteSummary()
        for ref in batch.delete_nodes:
            nid = _nid(ref)
            if nid not in graph:
                continue
            saved_node = dict(graph.nodes[nid])
            saved_edges = [
                (u, v, k, dict(d))
                for u, v, k, d in [
                    *graph.in_edges(nid, keys=True, data=True),
                    *graph.out_edges(nid, keys=True, data=True),
                ]
            ]
            graph.remove_node(nid)
            summary.nodes_deleted += 1
            summary.relationships_deleted += len(saved_edges)
            if undo is not None:
                undo.append(partial(self._restore, nid, saved_node, saved_edges))
        replace_types = set(batch.replace_types)
        # Only relationships the batch does not re-assert are deleted, so re-ingesting an
        # unchanged report counts (and journals) no change at all.
        wanted = {(_nid(r.start), _nid(r.end), _eid(r.type, r.key)) for r in batch.relationships}
        for ref in batch.replace_outgoing:
            nid = _nid(ref)
            if nid not in graph:
                continue
            for _, target, ekey, data in list(graph.out_edges(nid, keys=True, data=True)):
                if data["type"] in replace_types and (nid, target, ekey) not in wanted:
                    saved = dict(data)
                    graph.remove_edge(nid, target, key=ekey)
                    summary.relationships_deleted += 1
                    if undo is not None:
                        undo.append(partial(graph.add_edge, nid, target, key=ekey, **saved))
        for node in batch.nodes:
            nid = _nid(node.ref)
            if nid in graph:
                old = graph.nodes[nid]["props"]
                merged = {**old, **node.props}
                if merged != old:
                    graph.nodes[nid]["props"] = merged
                    summary.nodes_updated += 1
                    if undo is not None:
                        undo.append(partial(graph.nodes[nid].__setitem__, "props", old))
            else:
                self._put_node(node)
                summary.nodes_created += 1
                if undo is not None:
                    undo.append(partial(graph.remove_node, nid))
        for rel in batch.relationships:
            u, v, ekey = _nid(rel.start), _nid(rel.end), _eid(rel.type, rel.key)
            if graph.has_edge(u, v, key=ekey):
                data = graph.edges[u, v, ekey]
                old_props: dict[str, PropValue] = data["props"]
                merged_props = {**old_props, **rel.props}
                if merged_props != old_props:
                    data["props"] = merged_props
                    summary.relationships_updated += 1
                    if undo is not None:
                        undo.append(partial(data.__setitem__, "props", old_props))
            else:
                self._put_rel(rel)
                summary.relationships_created += 1
                if undo is not None:
                    undo.append(partial(graph.remove_edge, u, v, key=ekey))
        return summary

    def _restore(self, nid: str, data: dict[str, Any], edges: list[tuple[str, str, str, dict[str, Any]]]) -> None:
        self._graph.add_node(nid, **data)
        for u, v, k, d in edges:
            self._graph.add_edge(u, v, key=k, **d)

    # -- reads -----------------------------------------------------------------------
    def get_node(self, ref: NodeRef) -> Node | None:
        self._require_open()
        data = self._graph.nodes.get(_nid(ref))
        return self._node(data) if data is not None else None

    def iter_nodes(self, label: NodeLabel) -> Iterator[Node]:
        self._require_open()
        rows = [self._node(d) for _, d in self._graph.nodes(data=True) if d["label"] == label]
        yield from sorted(rows, key=lambda n: n.key)

    def iter_relationships(self, rel_type: RelType) -> Iterator[Relationship]:
        self._require_open()
        rows = [self._rel(u, v, d) for u, v, d in self._graph.edges(data=True) if d["type"] == rel_type]
        yield from sorted(rows, key=lambda r: (r.start.key, r.end.key, r.key))

    def related(
        self, refs: list[NodeRef], rel_type: RelType, direction: Literal["out", "in"]
    ) -> dict[NodeRef, list[tuple[Relationship, Node]]]:
        self._require_open()
        graph = self._graph
        found: dict[NodeRef, list[tuple[Relationship, Node]]] = {}
        for ref in refs:
            nid = _nid(ref)
            rows: list[tuple[Relationship, Node]] = []
            if nid in graph:
                edges = graph.out_edges(nid, data=True) if direction == "out" else graph.in_edges(nid, data=True)
                for u, v, data in edges:
                    if data["type"] == rel_type:
                        rows.append((self._rel(u, v, data), self._node(graph.nodes[v if direction == "out" else u])))
            found[ref] = sorted(rows, key=lambda row: (row[1].key, row[0].key))
        return found

    def stats(self) -> GraphStats:
        self._require_open()
        nodes = {label.value: 0 for label in NodeLabel}
        for _, data in self._graph.nodes(data=True):
            nodes[data["label"]] += 1
        rels = {rel_type.value: 0 for rel_type in RelType}
        for _, _, data in self._graph.edges(data=True):
            rels[data["type"]] += 1
        return GraphStats(nodes=nodes, relationships=rels)

    def find_claims(self, query: ClaimQuery) -> list[ClaimView]:
        self._require_open()
        graph = self._graph

        def node(nid: str) -> Node:
            return self._node(graph.nodes[nid])

        if query.keys is not None:
            ids = sorted({nid for k in query.keys if (nid := _nid(NodeRef(label=NodeLabel.CLAIM, key=k))) in graph})
        else:
            ids = self._candidates(query)
        return claim_views_from_graph(graph, _page_order(ids, query), query, node)

    def _candidates(self, query: ClaimQuery) -> list[str]:
        """Sorted ids of the claims linked to every entity the query names (all claims if it names none)."""
        anchors = [
            (label, name)
            for label, name in (
                (NodeLabel.BENCHMARK, query.benchmark),
                (NodeLabel.LANGUAGE, query.language),
                (NodeLabel.MODEL, query.model),
            )
            if name is not None
        ]
        if not anchors:
            return self._indexed(None)[0]
        if len(anchors) == 1:
            return self._indexed(anchors[0])[0]
        members = [self._indexed(anchor)[1] for anchor in anchors]
        return sorted(frozenset.intersection(*sorted(members, key=len)))

    def _indexed(self, anchor: tuple[NodeLabel, str] | None) -> tuple[list[str], frozenset[str]]:
        found = self._claim_index.get(anchor)
        if found is None:
            ids = sorted(set(self._claims_linked_to(anchor)))
            found = self._claim_index[anchor] = (ids, frozenset(ids))
        return found

    def _claims_linked_to(self, anchor: tuple[NodeLabel, str] | None) -> Iterator[str]:
        graph = self._graph
        if anchor is None:
            yield from (n for n, d in graph.nodes(data=True) if d["label"] == NodeLabel.CLAIM)
            return
        label, name = anchor
        if label == NodeLabel.MODEL:  # a model filter also matches every size of a family
            targets = [
                n
                for n, d in graph.nodes(data=True)
                if d["label"] == NodeLabel.MODEL and name in (d["key"], d["props"].get("family"))
            ]
        else:
            target = _nid(NodeRef(label=label, key=name))
            targets = [target] if target in graph else []
        wanted = RelType.ABOUT if label == NodeLabel.BENCHMARK else RelType.MENTIONS
        for target in targets:
            for source, _, data in graph.in_edges(target, data=True):
                if data["type"] == wanted and graph.nodes[source]["label"] == NodeLabel.CLAIM:
                    yield source


def _page_order(ids: list[str], query: ClaimQuery) -> Iterator[str]:
    """Sorted claim ids from just past the query's cursor, in the query's direction."""
    if query.after is None:
        yield from reversed(ids) if query.descending else ids
        return
    cursor = _nid(NodeRef(label=NodeLabel.CLAIM, key=query.after))
    if query.descending:
        for index in range(bisect_left(ids, cursor) - 1, -1, -1):
            yield ids[index]
    else:
        for index in range(bisect_right(ids, cursor), len(ids)):
            yield ids[index]
