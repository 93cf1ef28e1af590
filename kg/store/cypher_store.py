"""A GraphStore over any Cypher database; executors (Neo4j, FalkorDB) only run statements.

``apply`` reads the current state of everything the batch touches (batched, one query per
label or relationship type), computes what really changes, and writes only that in one
statement. So re-ingesting an unchanged report sends no write at all, and the write
summary is exact on every backend, whatever its counters report.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, TypeVar

import networkx as nx

from kg import cypher
from kg.cypher import Params, Segment
from kg.errors import StoreError
from kg.store.base import GraphStore, StoreHealth, validate_batch
from kg.store.views import claim_views_from_graph
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, PropValue, Relationship, RelType, WriteSummary
from schemas.views import ClaimQuery, ClaimView, GraphStats

Rows = list[dict[str, Any]]
Run = Callable[[str, Params], Rows]
RelIdentity = tuple[RelType, NodeRef, NodeRef, str]
G = TypeVar("G")
T = TypeVar("T")

#: keys per UNWIND parameter when reading; keeps each message small
READ_CHUNK = 500


def _props(raw: dict[str, Any], *drop: str) -> dict[str, PropValue]:
    return {k: v for k, v in raw.items() if k not in drop and v is not None}


def _chunks(items: list[str], size: int = READ_CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _grouped_chunks(groups: Mapping[G, list[str]], size: int = READ_CHUNK) -> Iterator[dict[G, list[str]]]:
    """Split {group: keys} into pieces of at most ``size`` keys in all, keeping groups together where they fit."""
    piece: dict[G, list[str]] = {}
    count = 0
    for group, keys in groups.items():
        for chunk in _chunks(keys, size):
            if count + len(chunk) > size and piece:
                yield piece
                piece, count = {}, 0
            piece.setdefault(group, []).extend(chunk)
            count += len(chunk)
    if piece:
        yield piece


class CypherExecutor(ABC):
    """Runs statements against one database; knows nothing of the graph model."""

    dialect: cypher.Dialect
    description: str

    @abstractmethod
    def connect(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def read(self, query: str, params: Params) -> Rows: ...

    @abstractmethod
    def write_transaction(self, work: Callable[[Run], T]) -> T:
        """Run ``work`` with a ``run(query, params)`` callable inside one write transaction."""

    @abstractmethod
    def ensure_schema(self) -> None: ...


class CypherStore(GraphStore):
    def __init__(self, executor: CypherExecutor, *, ensure_schema: bool = True) -> None:
        self.executor = executor
        self.ensure_schema = ensure_schema
        self.backend = executor.dialect
        self._open = False

    @property
    def uri(self) -> str:
        return self.executor.description

    # -- lifecycle -------------------------------------------------------------------
    def open(self) -> None:
        if self._open:
            return
        self.executor.connect()
        try:
            if self.ensure_schema:
                self.executor.ensure_schema()
        except BaseException:
            self.executor.close()
            raise
        self._open = True

    def close(self) -> None:
        if self._open:
            self.executor.close()
            self._open = False

    def health(self) -> StoreHealth:
        try:
            self.executor.read("RETURN 1 AS ok", {})
        except StoreError as exc:
            return StoreHealth(ok=False, backend=self.backend, detail=str(exc))
        return StoreHealth(ok=True, backend=self.backend, detail=self.uri)

    def clear(self) -> None:
        """Delete every node and relationship (tests, ``kg migrate --replace``)."""
        query, params = cypher.delete_all()
        self.executor.write_transaction(lambda run: (run(query, params), WriteSummary())[1])

    def fill_missing_relationship_keys(self) -> int:
        """After a bulk import: give every relationship without ``rkey`` the empty key the writer uses."""
        query, params = cypher.fill_missing_relationship_keys()
        rows = self.executor.write_transaction(lambda run: run(query, params))
        return int(rows[0]["filled"]) if rows else 0

    # -- writes ----------------------------------------------------------------------
    def apply(self, batch: GraphBatch) -> WriteSummary:
        return self.executor.write_transaction(lambda run: self._apply(run, batch))

    def apply_many(self, batches: list[GraphBatch]) -> list[WriteSummary | Exception]:
        """A group in one transaction and one write statement, each batch's summary exact (see :class:`_Group`).

        A batch that fails validation fails alone, before anything is sent. If the database rejects the
        group's statement, nothing of it was written and the batches are retried one per transaction, so
        the bad one is found and the rest go in. Groups that delete nodes go one by one too: counting
        what a DETACH DELETE removes needs the database.
        """
        if len(batches) <= 1 or any(batch.delete_nodes for batch in batches):
            return super().apply_many(batches)
        try:
            return self.executor.write_transaction(lambda run: self._apply_group(run, batches))
        except Exception:  # the group wrote nothing: find the culprit one by one
            return super().apply_many(batches)

    def _apply_group(self, run: Run, batches: list[GraphBatch]) -> list[WriteSummary | Exception]:
        refs: set[NodeRef] = set()
        for batch in batches:
            refs.update(node.ref for node in batch.nodes)
            refs.update(end for rel in batch.relationships for end in (rel.start, rel.end))
            refs.update(batch.replace_outgoing)
        existing = self._existing_nodes(run, refs)
        starts = _stored_starts(batches, existing)
        group = _Group(existing, self._existing_relationships(run, starts) if starts else {})
        outcomes: list[WriteSummary | Exception] = []
        for batch in batches:
            try:
                outcomes.append(group.apply(batch))
            except StoreError as exc:
                outcomes.append(exc)
        query, params = cypher.chain(group.segments())
        if query:
            run(query, params)
        return outcomes

    def _existing_nodes(self, run: Run, refs: set[NodeRef]) -> dict[NodeRef, dict[str, PropValue]]:
        """Current properties of the given nodes, one round trip per chunk of keys."""
        by_label: dict[NodeLabel, list[str]] = defaultdict(list)
        for ref in sorted(refs, key=lambda r: (r.label, r.key)):
            by_label[ref.label].append(ref.key)
        found: dict[NodeRef, dict[str, PropValue]] = {}
        for groups in _grouped_chunks(by_label):
            for row in run(*cypher.nodes_by_keys(groups)):
                found[NodeRef(label=row["label"], key=row["key"])] = _props(row["props"], "key")
        return found

    def _existing_relationships(
        self, run: Run, starts: dict[tuple[RelType, NodeLabel], set[str]]
    ) -> dict[RelIdentity, dict[str, PropValue]]:
        """Current outgoing relationships of the given (type, start label) groups, one round trip per chunk."""
        found: dict[RelIdentity, dict[str, PropValue]] = {}
        for groups in _grouped_chunks({group: sorted(keys) for group, keys in starts.items()}):
            for row in run(*cypher.relationships_from_many(groups)):
                identity = (
                    RelType(row["type"]),
                    NodeRef(label=row["start_label"], key=row["start"]),
                    NodeRef(label=row["end_label"], key=row["end"]),
                    row["rkey"] or "",
                )
                found[identity] = _props(row["props"], "rkey")
        return found

    def _apply(self, run: Run, batch: GraphBatch) -> WriteSummary:
        in_batch = {node.ref for node in batch.nodes}
        endpoints = {end for rel in batch.relationships for end in (rel.start, rel.end)}
        doomed = set(batch.delete_nodes)
        existing = self._existing_nodes(run, in_batch | endpoints | set(batch.replace_outgoing) | doomed)
        validate_batch(batch, is_stored=lambda ref: ref in existing)

        summary = WriteSummary()
        delete_node_rows: dict[NodeLabel, Rows] = defaultdict(list)
        for ref in sorted(doomed & set(existing), key=lambda r: (r.label, r.key)):
            delete_node_rows[ref.label].append({"key": ref.key})
        for node_label, rows in delete_node_rows.items():
            keys = [row["key"] for row in rows]
            summary.nodes_deleted += len(keys)
            # a relationship between two doomed nodes is counted from both ends; fine for a summary of deletes
            summary.relationships_deleted += sum(
                int(r["count"]) for r in run(*cypher.relationship_count(node_label, keys))
            )
            for ref_key in keys:
                existing.pop(NodeRef(label=node_label, key=ref_key), None)
        node_rows: dict[NodeLabel, Rows] = defaultdict(list)
        for node in batch.nodes:
            old = existing.get(node.ref)
            if old is None:
                node_rows[node.label].append({"key": node.key, "props": _props(node.props)})
                summary.nodes_created += 1
                continue
            merged = _props({**old, **node.props})
            if merged != old:
                changed = {k: node.props[k] for k in node.props if old.get(k) != node.props[k]}
                node_rows[node.label].append({"key": node.key, "props": changed})
                summary.nodes_updated += 1

        starts = _stored_starts([batch], existing)
        current = self._existing_relationships(run, starts) if starts else {}

        wanted = {rel.identity for rel in batch.relationships}
        delete_rows: dict[tuple[RelType, NodeLabel, NodeLabel], Rows] = defaultdict(list)
        replace = {(ref, rel_type) for ref in batch.replace_outgoing for rel_type in batch.replace_types}
        for identity in current:
            rel_type, start, end, rkey = identity
            if (start, rel_type) in replace and identity not in wanted:
                delete_rows[(rel_type, start.label, end.label)].append(
                    {"start": start.key, "end": end.key, "rkey": rkey}
                )
                summary.relationships_deleted += 1

        rel_rows: dict[tuple[RelType, NodeLabel, NodeLabel], Rows] = defaultdict(list)
        for rel in batch.relationships:
            group = (rel.type, rel.start.label, rel.end.label)
            row = {"start": rel.start.key, "end": rel.end.key, "rkey": rel.key}
            old_rel = current.get(rel.identity)
            if old_rel is None:
                rel_rows[group].append({**row, "props": _props(rel.props)})
                summary.relationships_created += 1
            elif _props({**old_rel, **rel.props}) != old_rel:
                changed = {k: rel.props[k] for k in rel.props if old_rel.get(k) != rel.props[k]}
                rel_rows[group].append({**row, "props": changed})
                summary.relationships_updated += 1

        segments: list[Segment] = [
            cypher.delete_nodes(node_label, rows) for node_label, rows in sorted(delete_node_rows.items())
        ]
        segments += [
            cypher.delete_relationships(rel_type, start_label, end_label, rows)
            for (rel_type, start_label, end_label), rows in sorted(delete_rows.items())
        ]
        segments += [cypher.merge_nodes(node_label, rows) for node_label, rows in sorted(node_rows.items())]
        segments += [
            cypher.merge_relationships(rel_type, start_label, end_label, rows)
            for (rel_type, start_label, end_label), rows in sorted(rel_rows.items())
        ]
        query, params = cypher.chain(segments)
        if query:
            run(query, params)
        return summary

    # -- reads -----------------------------------------------------------------------
    def get_node(self, ref: NodeRef) -> Node | None:
        rows = self.executor.read(*cypher.nodes_by_key(ref.label, [ref.key]))
        return Node(label=ref.label, key=ref.key, props=_props(rows[0]["props"], "key")) if rows else None

    def get_nodes(self, refs: list[NodeRef]) -> dict[NodeRef, Node | None]:
        found: dict[NodeRef, Node | None] = dict.fromkeys(refs)
        for ref, props in self._existing_nodes(self.executor.read, set(refs)).items():
            found[ref] = Node(label=ref.label, key=ref.key, props=props)
        return found

    def iter_nodes(self, label: NodeLabel) -> Iterator[Node]:
        for row in self.executor.read(*cypher.all_nodes(label)):
            yield Node(label=label, key=row["key"], props=_props(row["props"], "key"))

    def iter_relationships(self, rel_type: RelType) -> Iterator[Relationship]:
        for row in self.executor.read(*cypher.all_relationships(rel_type)):
            yield Relationship(
                type=rel_type,
                start=NodeRef(label=row["start_label"], key=row["start"]),
                end=NodeRef(label=row["end_label"], key=row["end"]),
                key=row["rkey"] or "",
                props=_props(row["props"], "rkey"),
            )

    def related(
        self, refs: list[NodeRef], rel_type: RelType, direction: Literal["out", "in"]
    ) -> dict[NodeRef, list[tuple[Relationship, Node]]]:
        found: dict[NodeRef, list[tuple[Relationship, Node]]] = {ref: [] for ref in refs}
        by_label: dict[NodeLabel, list[str]] = defaultdict(list)
        for ref in refs:
            by_label[ref.label].append(ref.key)
        for start_label, keys in by_label.items():
            for chunk in _chunks(sorted(set(keys))):
                for row in self.executor.read(*cypher.related(start_label, rel_type, direction, chunk)):
                    here = NodeRef(label=start_label, key=row["start"])
                    other = Node(label=row["label"], key=row["key"], props=_props(row["props"], "key"))
                    ends = (here, other.ref) if direction == "out" else (other.ref, here)
                    rel = Relationship(
                        type=rel_type,
                        start=ends[0],
                        end=ends[1],
                        key=row["rkey"] or "",
                        props=_props(row["rprops"], "rkey"),
                    )
                    found[here].append((rel, other))
        return {ref: sorted(rows, key=lambda row: (row[1].key, row[0].key)) for ref, rows in found.items()}

    def stats(self) -> GraphStats:
        nodes = {node_label.value: 0 for node_label in NodeLabel}
        for row in self.executor.read(*cypher.count_nodes()):
            if row["name"] in nodes:
                nodes[row["name"]] += int(row["count"])
        rels = {rel.value: 0 for rel in RelType}
        for row in self.executor.read(*cypher.count_relationships()):
            if row["name"] in rels:
                rels[row["name"]] += int(row["count"])
        return GraphStats(nodes=nodes, relationships=rels)

    def find_claims(self, query: ClaimQuery) -> list[ClaimView]:
        if query.keys is not None:
            wanted = {NodeRef(label=NodeLabel.CLAIM, key=k) for k in query.keys}
            keys = sorted(ref.key for ref in self._existing_nodes(self.executor.read, wanted))
        else:
            keys = [
                row["key"]
                for row in self.executor.read(
                    *cypher.claim_keys(query.benchmark, query.language, query.model, query.verdict)
                )
            ]
        if query.after is not None:
            keys = [k for k in keys if (k < query.after if query.descending else k > query.after)]
        keys.sort(reverse=query.descending)
        views: list[ClaimView] = []
        for chunk in _chunks(keys):  # a page stops reading once it is full
            remaining = None if query.limit is None else query.limit - len(views)
            if remaining is not None and remaining <= 0:
                break
            views += self._claim_views(chunk, query.model_copy(update={"limit": remaining}))
        return views

    def _claim_views(self, keys: list[str], query: ClaimQuery) -> list[ClaimView]:
        # The claims' neighbourhood, in batched reads, as a small graph for the shared view builder.
        graph = nx.MultiDiGraph()
        claim_ids = []
        for direction in ("out", "in"):
            for row in self.executor.read(*cypher.claim_neighbourhood(direction, keys)):
                claim_id = f"Claim\x1f{row['claim']}"
                other_id = f"{row['label']}\x1f{row['key']}"
                graph.add_node(
                    other_id, node=Node(label=row["label"], key=row["key"], props=_props(row["props"], "key"))
                )
                edge = (claim_id, other_id) if direction == "out" else (other_id, claim_id)
                rkey = row["rkey"] or ""
                # a link between two candidate claims arrives twice (out of one, into the other): key it
                graph.add_edge(
                    *edge,
                    key=f"{row['type']}\x1f{rkey}",
                    type=row["type"],
                    props=_props(row["rprops"], "rkey"),
                    rkey=rkey,
                )
        for row in self.executor.read(*cypher.nodes_by_key(NodeLabel.CLAIM, keys)):
            claim_id = f"Claim\x1f{row['key']}"
            graph.add_node(
                claim_id, node=Node(label=NodeLabel.CLAIM, key=row["key"], props=_props(row["props"], "key"))
            )
            claim_ids.append(claim_id)

        def node(nid: str) -> Node:
            found: Node = graph.nodes[nid]["node"]
            return found

        return claim_views_from_graph(graph, sorted(claim_ids, reverse=query.descending), query, node)


def _stored_starts(
    batches: list[GraphBatch], existing: Mapping[NodeRef, object]
) -> dict[tuple[RelType, NodeLabel], set[str]]:
    """The (type, start label) -> start keys whose current relationships the batches need to compare or replace.

    Only nodes that already exist can have relationships to compare or delete.
    """
    starts: dict[tuple[RelType, NodeLabel], set[str]] = defaultdict(set)
    for batch in batches:
        for rel in batch.relationships:
            if rel.start in existing:
                starts[(rel.type, rel.start.label)].add(rel.start.key)
        for ref in batch.replace_outgoing:
            if ref in existing:
                for rel_type in batch.replace_types:
                    starts[(rel_type, ref.label)].add(ref.key)
    return starts


class _Group:
    """Batches applied one after another to an in-memory copy of what they touch; then one diff to write.

    Each batch's summary is what applying it alone, after the ones before it, would report; the
    statement written is the net change of the whole group (a link one batch adds and a later one
    replaces is never sent).
    """

    def __init__(self, nodes: dict[NodeRef, dict[str, PropValue]], rels: dict[RelIdentity, dict[str, PropValue]]):
        self.initial_nodes = dict(nodes)
        self.initial_rels = dict(rels)
        self.nodes = dict(nodes)
        self.rels: dict[tuple[RelType, NodeRef], dict[RelIdentity, dict[str, PropValue]]] = defaultdict(dict)
        for identity, props in rels.items():
            self.rels[(identity[0], identity[1])][identity] = props

    def apply(self, batch: GraphBatch) -> WriteSummary:
        validate_batch(batch, is_stored=lambda ref: ref in self.nodes)
        summary = WriteSummary()
        for node in batch.nodes:
            old = self.nodes.get(node.ref)
            if old is None:
                self.nodes[node.ref] = _props(node.props)
                summary.nodes_created += 1
            elif (merged := _props({**old, **node.props})) != old:
                self.nodes[node.ref] = merged
                summary.nodes_updated += 1
        wanted = {rel.identity for rel in batch.relationships}
        for ref in batch.replace_outgoing:
            for rel_type in batch.replace_types:
                current = self.rels.get((rel_type, ref))
                if not current:
                    continue
                for identity in [i for i in current if i not in wanted]:
                    del current[identity]
                    summary.relationships_deleted += 1
        for rel in batch.relationships:
            here = self.rels[(rel.type, rel.start)]
            old_rel = here.get(rel.identity)
            if old_rel is None:
                here[rel.identity] = _props(rel.props)
                summary.relationships_created += 1
            elif (merged_rel := _props({**old_rel, **rel.props})) != old_rel:
                here[rel.identity] = merged_rel
                summary.relationships_updated += 1
        return summary

    def segments(self) -> list[Segment]:
        node_rows: dict[NodeLabel, Rows] = defaultdict(list)
        for ref, props in sorted(self.nodes.items(), key=lambda item: (item[0].label, item[0].key)):
            old = self.initial_nodes.get(ref)
            if old is None:
                node_rows[ref.label].append({"key": ref.key, "props": props})
            elif props != old:
                node_rows[ref.label].append(
                    {"key": ref.key, "props": {k: v for k, v in props.items() if old.get(k) != v}}
                )
        final = {identity: props for here in self.rels.values() for identity, props in here.items()}
        delete_rows: dict[tuple[RelType, NodeLabel, NodeLabel], Rows] = defaultdict(list)
        for identity in sorted(set(self.initial_rels) - set(final), key=_identity_order):
            rel_type, start, end, rkey = identity
            delete_rows[(rel_type, start.label, end.label)].append({"start": start.key, "end": end.key, "rkey": rkey})
        rel_rows: dict[tuple[RelType, NodeLabel, NodeLabel], Rows] = defaultdict(list)
        for identity, props in sorted(final.items(), key=lambda item: _identity_order(item[0])):
            rel_type, start, end, rkey = identity
            old = self.initial_rels.get(identity)
            if old is None:
                changed = props
            elif props != old:
                changed = {k: v for k, v in props.items() if old.get(k) != v}
            else:
                continue
            row = {"start": start.key, "end": end.key, "rkey": rkey, "props": changed}
            rel_rows[(rel_type, start.label, end.label)].append(row)
        segments: list[Segment] = [
            cypher.delete_relationships(rel_type, start_label, end_label, rows)
            for (rel_type, start_label, end_label), rows in sorted(delete_rows.items())
        ]
        segments += [cypher.merge_nodes(label, rows) for label, rows in sorted(node_rows.items())]
        segments += [
            cypher.merge_relationships(rel_type, start_label, end_label, rows)
            for (rel_type, start_label, end_label), rows in sorted(rel_rows.items())
        ]
        return segments


def _identity_order(identity: RelIdentity) -> tuple[str, str, str, str, str, str]:
    rel_type, start, end, rkey = identity
    return (rel_type, start.label, start.key, end.label, end.key, rkey)
