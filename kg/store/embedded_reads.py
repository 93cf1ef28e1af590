"""The embedded store's reads: nodes, relationships, neighbours, counts, claim views, one connection each call.

A mixin of :class:`kg.store.embedded.EmbeddedStore`, apart from its writer: every method here only
reads, through the per-thread read connection the store hands out (:meth:`_read`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from functools import cache, partial
from typing import Literal

from kg.store.base import AssertionPage, page_of
from kg.store.embedded_rows import LABEL, edges, key_chunks, nid, relationship, split_id
from kg.store.views import build_claim_views
from schemas.graph import Node, NodeLabel, NodeRef, PropValue, Relationship, RelType
from schemas.views import ClaimQuery, ClaimView, GraphStats


class EmbeddedReads:
    def _read(self) -> sqlite3.Connection:
        raise NotImplementedError  # the store's per-thread read connection

    @staticmethod
    def _stored_props(
        conn: sqlite3.Connection, refs: list[tuple[str, str]]
    ) -> dict[tuple[str, str], dict[str, PropValue]]:
        """Current properties of the given nodes, one query per label and chunk of keys."""
        found: dict[tuple[str, str], dict[str, PropValue]] = {}
        for label, chunk, marks in key_chunks(refs):
            for key, props in conn.execute(
                f"SELECT key, props FROM nodes WHERE label=? AND key IN ({marks})", (label, *chunk)
            ):
                found[(label, key)] = json.loads(props)
        return found

    @staticmethod
    def _exists(conn: sqlite3.Connection, ref: NodeRef) -> bool:
        row = conn.execute("SELECT 1 FROM nodes WHERE label=? AND key=?", (ref.label, ref.key)).fetchone()
        return row is not None

    # -- reads -----------------------------------------------------------------------
    def get_node(self, ref: NodeRef) -> Node | None:
        row = self._read().execute("SELECT props FROM nodes WHERE label=? AND key=?", (ref.label, ref.key)).fetchone()
        return Node.model_construct(label=ref.label, key=ref.key, props=json.loads(row[0])) if row else None

    def get_nodes(self, refs: list[NodeRef]) -> dict[NodeRef, Node | None]:
        found: dict[NodeRef, Node | None] = dict.fromkeys(refs)
        stored = self._stored_props(self._read(), [(ref.label, ref.key) for ref in refs])
        for (label, key), props in stored.items():
            found[NodeRef(label=label, key=key)] = Node(label=label, key=key, props=props)
        return found

    def iter_nodes(self, label: NodeLabel) -> Iterator[Node]:
        rows = self._read().execute("SELECT key, props FROM nodes WHERE label=? ORDER BY key", (label,))
        for key, props in rows:
            yield Node.model_construct(label=label, key=key, props=json.loads(props))

    def iter_relationships(self, rel_type: RelType) -> Iterator[Relationship]:
        rows = self._read().execute(
            "SELECT start_label, start_key, type, end_label, end_key, rkey, props FROM rels WHERE type=? "
            "ORDER BY start_key, end_key, rkey",
            (rel_type,),
        )
        for row in rows:
            yield relationship(row)

    def related(
        self, refs: list[NodeRef], rel_type: RelType, direction: Literal["out", "in"]
    ) -> dict[NodeRef, list[tuple[Relationship, Node]]]:
        conn = self._read()
        near, far = ("start", "end") if direction == "out" else ("end", "start")
        rows: dict[NodeRef, list[tuple[Relationship, Node]]] = {ref: [] for ref in refs}
        for label, chunk, marks in key_chunks((ref.label, ref.key) for ref in refs):
            query = (
                "SELECT r.start_label, r.start_key, r.type, r.end_label, r.end_key, r.rkey, r.props, n.props "
                f"FROM rels r JOIN nodes n ON n.label=r.{far}_label AND n.key=r.{far}_key "
                f"WHERE r.{near}_label=? AND r.type=? AND r.{near}_key IN ({marks})"
            )
            for row in conn.execute(query, (label, rel_type, *chunk)):
                rel = relationship(row[:7])
                mine, other = (rel.start, rel.end) if direction == "out" else (rel.end, rel.start)
                node = Node.model_construct(label=other.label, key=other.key, props=json.loads(row[7]))
                rows[mine].append((rel, node))
        return {ref: sorted(found, key=lambda item: (item[1].key, item[0].key)) for ref, found in rows.items()}

    def relationships_of(
        self, refs: list[NodeRef], rel_type: RelType, direction: Literal["out", "in"]
    ) -> dict[NodeRef, list[Relationship]]:
        conn = self._read()
        near = "start" if direction == "out" else "end"
        rows: dict[NodeRef, list[Relationship]] = {ref: [] for ref in refs}
        for label, chunk, marks in key_chunks((ref.label, ref.key) for ref in refs):
            query = (
                "SELECT start_label, start_key, type, end_label, end_key, rkey, props FROM rels "
                f"WHERE {near}_label=? AND type=? AND {near}_key IN ({marks})"
            )
            for row in conn.execute(query, (label, rel_type, *chunk)):
                rel = relationship(row)
                rows[rel.start if direction == "out" else rel.end].append(rel)
        key = (lambda rel: (rel.end.key, rel.key)) if direction == "out" else (lambda rel: (rel.start.key, rel.key))
        return {ref: sorted(found, key=key) for ref, found in rows.items()}

    def assertions_page(self, report: NodeRef, *, after: tuple[int, str] | None, limit: int) -> AssertionPage:
        conn = self._read()
        mine = "r.start_label=? AND r.start_key=? AND r.type=?"
        ident = (report.label.value, report.key, RelType.ASSERTS.value)
        total, verified = conn.execute(
            f"SELECT count(*), coalesce(sum(json_extract(r.props, '$.verified')), 0) FROM rels r WHERE {mine}", ident
        ).fetchone()
        row_of = "coalesce(CAST(json_extract(r.props, '$.row') AS INTEGER), 0)"
        later = f"AND ({row_of} > ? OR ({row_of} = ? AND r.rkey > ?))" if after else ""
        query = (
            "SELECT r.start_label, r.start_key, r.type, r.end_label, r.end_key, r.rkey, r.props, n.props "
            "FROM rels r JOIN nodes n ON n.label=r.end_label AND n.key=r.end_key "
            f"WHERE {mine} {later} ORDER BY {row_of}, r.rkey LIMIT ?"
        )
        args = (*ident, *((after[0], after[0], after[1]) if after else ()), limit + 1)
        rows = [
            (relationship(row[:7]), Node.model_construct(label=NodeLabel(row[3]), key=row[4], props=json.loads(row[7])))
            for row in conn.execute(query, args)
        ]
        return page_of(rows, limit, total, verified)

    def first_claims_of_reports(self, reports: list[str], first: int) -> dict[str, list[str]]:
        conn = self._read()
        found: dict[str, list[str]] = {key: [] for key in reports}
        row_of = "coalesce(CAST(json_extract(props, '$.row') AS INTEGER), 0)"
        for _, chunk, marks in key_chunks((NodeLabel.REPORT.value, key) for key in reports):
            query = (
                "SELECT start_key, end_key FROM (SELECT start_key, end_key, row_number() OVER "
                f"(PARTITION BY start_key ORDER BY {row_of}, rkey) AS n FROM rels "
                f"WHERE start_label=? AND type=? AND start_key IN ({marks})) WHERE n <= ? ORDER BY start_key, n"
            )
            for report, claim in conn.execute(query, (NodeLabel.REPORT.value, RelType.ASSERTS.value, *chunk, first)):
                found[report].append(claim)
        return found

    def stats(self) -> GraphStats:
        conn = self._read()
        nodes = {label.value: 0 for label in NodeLabel}
        for label, count in conn.execute("SELECT label, count(*) FROM nodes GROUP BY label"):
            nodes[label] = count
        rels = {rel_type.value: 0 for rel_type in RelType}
        for rel_type, count in conn.execute("SELECT type, count(*) FROM rels GROUP BY type"):
            rels[rel_type] = count
        return GraphStats(nodes=nodes, relationships=rels)

    def count_nodes(self, label: NodeLabel) -> int:
        return int(self._read().execute("SELECT count(*) FROM nodes WHERE label=?", (label,)).fetchone()[0])

    def find_claims(self, query: ClaimQuery) -> list[ClaimView]:
        conn = self._read()
        keys: Iterable[str]
        if query.keys is not None:
            keys = sorted(
                {k for k in query.keys if self._exists(conn, NodeRef(label=NodeLabel.CLAIM, key=k))},
                reverse=query.descending,
            )
        else:
            keys = self._candidate_keys(conn, query)
        claim_ids = (nid(NodeLabel.CLAIM, key) for key in keys)

        @cache  # one request: the benchmark, its languages and reports come back for claim after claim
        def node(node_id: str) -> Node:
            label, key = split_id(node_id)
            row = conn.execute("SELECT props FROM nodes WHERE label=? AND key=?", (label, key)).fetchone()
            return Node.model_construct(label=LABEL[label], key=key, props=json.loads(row[0]) if row else {})

        return build_claim_views(
            claim_ids, query, node=node, out=partial(edges, conn, "out"), inc=partial(edges, conn, "in")
        )

    def _candidate_keys(self, conn: sqlite3.Connection, query: ClaimQuery) -> Iterator[str]:
        """Claim keys linked to every entity the query names (all claims if none), in page order, from the cursor.

        A generator over one cursor: the view builder stops reading once its page is full.
        """
        parts: list[str] = []
        params: list[str] = []
        for label, name in (
            (NodeLabel.BENCHMARK, query.benchmark),
            (NodeLabel.LANGUAGE, query.language),
            (NodeLabel.MODEL, query.model),
        ):
            if name is None:
                continue
            rel_type = RelType.ABOUT if label == NodeLabel.BENCHMARK else RelType.MENTIONS
            if label == NodeLabel.MODEL:  # a model filter also matches every size of a family
                ends = [
                    key
                    for key, props in conn.execute("SELECT key, props FROM nodes WHERE label=?", (label,))
                    if name in (key, json.loads(props).get("family"))
                ]
            else:
                ends = [name]
            marks = ",".join("?" * len(ends)) or "NULL"
            parts.append(
                "SELECT start_key AS key FROM rels WHERE end_label=? AND type=? AND start_label=? "
                f"AND end_key IN ({marks})"
            )
            params += [label, rel_type, NodeLabel.CLAIM, *ends]
        if not parts:
            parts.append("SELECT key FROM nodes WHERE label=?")
            params.append(NodeLabel.CLAIM)
        inner = " INTERSECT ".join(parts)
        direction = "DESC" if query.descending else "ASC"
        where = ""
        if query.after is not None:
            where = "WHERE key < ?" if query.descending else "WHERE key > ?"
            params.append(query.after)
        sql = f"SELECT DISTINCT key FROM ({inner}) {where} ORDER BY key {direction}"
        for (key,) in conn.execute(sql, params):
            yield key

    # -- bulk reads (export, paraphrase index) ----------------------------------------
    def iter_all(self) -> tuple[Iterable[Node], Iterable[Relationship]]:
        conn = self._read()
        nodes = (
            Node.model_construct(label=LABEL[label], key=key, props=json.loads(props))
            for label, key, props in conn.execute("SELECT label, key, props FROM nodes ORDER BY label, key")
        )
        rels = (relationship(row) for row in conn.execute("SELECT * FROM rels ORDER BY type, start_key, end_key"))
        return nodes, rels
