"""A group of batches applied to an in-memory copy of what they touch, then written as one net diff.

Split out of :mod:`kg.store.cypher_store`: the store reads the current state and sends statements;
this module only decides, from that state and the batches, what each batch changes and what to send.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from kg.store import cypher
from kg.store.base import validate_batch
from kg.store.cypher import Segment
from schemas.graph import GraphBatch, NodeLabel, NodeRef, PropValue, RelType, WriteSummary

Rows = list[dict[str, Any]]
RelIdentity = tuple[RelType, NodeRef, NodeRef, str]


def props_of(raw: dict[str, Any], *drop: str) -> dict[str, PropValue]:
    """Properties as stored: ``None`` means absent, and ``drop`` names bookkeeping keys."""
    return {k: v for k, v in raw.items() if k not in drop and v is not None}


def stored_starts(
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


class Group:
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
                self.nodes[node.ref] = props_of(node.props)
                summary.nodes_created += 1
            elif (merged := props_of({**old, **node.props})) != old:
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
                here[rel.identity] = props_of(rel.props)
                summary.relationships_created += 1
            elif (merged_rel := props_of({**old_rel, **rel.props})) != old_rel:
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
