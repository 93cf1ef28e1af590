"""A GraphStore over any Cypher database; executors (Neo4j, FalkorDB) only run statements.

``apply`` reads the current state of everything the batch touches (batched, one query per
label or relationship type), computes what really changes, and writes only that in one
statement. So re-ingesting an unchanged report sends no write at all, and the write
summary is exact on every backend, whatever its counters report.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Literal, TypeVar

import networkx as nx

from kg.errors import StoreError
from kg.store import cypher
from kg.store.base import AssertionPage, GraphStore, StoreHealth, page_of, validate_batch
from kg.store.cypher import Params, Segment
from kg.store.cypher_group import Group, RelIdentity, Rows, props_of, stored_starts
from kg.store.views import claim_views_from_graph
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, PropValue, Relationship, RelType, WriteSummary
from schemas.views import ClaimQuery, ClaimView, GraphStats

Run = Callable[[str, Params], Rows]
G = TypeVar("G")
T = TypeVar("T")

#: keys per UNWIND parameter when reading; keeps each message small
READ_CHUNK = 500


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


def first_read(limit: int | None) -> int:
    """How many candidate claims the first database page of a claim query reads (see ``find_claims``)."""
    return READ_CHUNK if limit is None else max(16, min(READ_CHUNK, 2 * limit))


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
        """A group in one transaction and one write statement, each batch's summary exact (see ``Group``).

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

    def apply_stream(self, batches: Iterable[GraphBatch]) -> WriteSummary:
        """All batches in one write transaction (on FalkorDB, which has none, one statement where it can).

        The batches are read first: a server transaction may be retried, and a generator runs once.
        Without deletions they go as one group statement, atomic on both servers; with deletions
        (stale results) one by one inside the transaction, atomic on Neo4j only.
        """
        listed = list(batches)

        def work(run: Run) -> WriteSummary:
            total = WriteSummary()
            if any(batch.delete_nodes for batch in listed):
                for batch in listed:
                    total = total + self._apply(run, batch)
                return total
            for outcome in self._apply_group(run, listed, all_or_nothing=True):
                if isinstance(outcome, Exception):  # all_or_nothing raises before it would return one
                    raise outcome
                total = total + outcome
            return total

        return self.executor.write_transaction(work)

    def _apply_group(
        self, run: Run, batches: list[GraphBatch], *, all_or_nothing: bool = False
    ) -> list[WriteSummary | Exception]:
        """Each batch's summary or error; ``all_or_nothing``: the first error is raised before anything is sent."""
        refs: set[NodeRef] = set()
        for batch in batches:
            refs.update(node.ref for node in batch.nodes)
            refs.update(end for rel in batch.relationships for end in (rel.start, rel.end))
            refs.update(batch.replace_outgoing)
        existing = self._existing_nodes(run, refs)
        starts = stored_starts(batches, existing)
        group = Group(existing, self._existing_relationships(run, starts) if starts else {})
        outcomes: list[WriteSummary | Exception] = []
        for batch in batches:
            try:
                outcomes.append(group.apply(batch))
            except StoreError as exc:
                if all_or_nothing:
                    raise
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
                found[NodeRef(label=row["label"], key=row["key"])] = props_of(row["props"], "key")
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
                found[identity] = props_of(row["props"], "rkey")
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
                node_rows[node.label].append({"key": node.key, "props": props_of(node.props)})
                summary.nodes_created += 1
                continue
            merged = props_of({**old, **node.props})
            if merged != old:
                changed = {k: node.props[k] for k in node.props if old.get(k) != node.props[k]}
                node_rows[node.label].append({"key": node.key, "props": changed})
                summary.nodes_updated += 1

        starts = stored_starts([batch], existing)
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
                rel_rows[group].append({**row, "props": props_of(rel.props)})
                summary.relationships_created += 1
            elif props_of({**old_rel, **rel.props}) != old_rel:
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
        return Node(label=ref.label, key=ref.key, props=props_of(rows[0]["props"], "key")) if rows else None

    def get_nodes(self, refs: list[NodeRef]) -> dict[NodeRef, Node | None]:
        found: dict[NodeRef, Node | None] = dict.fromkeys(refs)
        for ref, props in self._existing_nodes(self.executor.read, set(refs)).items():
            found[ref] = Node(label=ref.label, key=ref.key, props=props)
        return found

    def iter_nodes(self, label: NodeLabel) -> Iterator[Node]:
        for row in self.executor.read(*cypher.all_nodes(label)):
            yield Node(label=label, key=row["key"], props=props_of(row["props"], "key"))

    def iter_relationships(self, rel_type: RelType) -> Iterator[Relationship]:
        for row in self.executor.read(*cypher.all_relationships(rel_type)):
            yield Relationship(
                type=rel_type,
                start=NodeRef(label=row["start_label"], key=row["start"]),
                end=NodeRef(label=row["end_label"], key=row["end"]),
                key=row["rkey"] or "",
                props=props_of(row["props"], "rkey"),
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
                    other = Node(label=row["label"], key=row["key"], props=props_of(row["props"], "key"))
                    ends = (here, other.ref) if direction == "out" else (other.ref, here)
                    rel = Relationship(
                        type=rel_type,
                        start=ends[0],
                        end=ends[1],
                        key=row["rkey"] or "",
                        props=props_of(row["rprops"], "rkey"),
                    )
                    found[here].append((rel, other))
        return {ref: sorted(rows, key=lambda row: (row[1].key, row[0].key)) for ref, rows in found.items()}

    def assertions_page(self, report: NodeRef, *, after: tuple[int, str] | None, limit: int) -> AssertionPage:
        counts = self.executor.read(*cypher.assertion_counts(report.key))
        total, verified = (int(counts[0]["total"]), int(counts[0]["verified"] or 0)) if counts else (0, 0)
        rows = [
            (
                Relationship(
                    type=RelType.ASSERTS,
                    start=report,
                    end=NodeRef(label=NodeLabel.CLAIM, key=row["key"]),
                    key=row["rkey"] or "",
                    props=props_of(row["rprops"], "rkey"),
                ),
                Node(label=NodeLabel.CLAIM, key=row["key"], props=props_of(row["props"], "key")),
            )
            for row in self.executor.read(*cypher.assertions_page(report.key, after, limit + 1))
        ]
        return page_of(rows, limit, total, verified)

    def first_claims_of_reports(self, reports: list[str], first: int) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {key: [] for key in reports}
        for chunk in _chunks(sorted(set(reports))):
            for row in self.executor.read(*cypher.first_claims_of_reports(chunk, first)):
                found[row["report"]] = list(row["claims"])
        return found

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
            keys = sorted(
                (ref.key for ref in self._existing_nodes(self.executor.read, wanted)), reverse=query.descending
            )
            if query.after is not None:
                keys = [k for k in keys if (k < query.after if query.descending else k > query.after)]
            views: list[ClaimView] = []
            for chunk in _chunks(keys):  # a page stops reading once it is full
                remaining = None if query.limit is None else query.limit - len(views)
                if remaining is not None and remaining <= 0:
                    break
                views += self._claim_views(chunk, query.model_copy(update={"limit": remaining}))
            return views
        return self._claims_paged_in_database(query)

    def _claims_paged_in_database(self, query: ClaimQuery) -> list[ClaimView]:
        """Candidate keys a database page at a time, from the cursor, until the page is full.

        The first database page is twice the asked page (the view-side filters, such as the reports' marks,
        keep about half the candidates of a benchmark); each further one doubles, up to :data:`READ_CHUNK`.
        """
        views: list[ClaimView] = []
        after = query.after
        size = first_read(query.limit)
        while query.limit is None or len(views) < query.limit:
            keys = [
                row["key"]
                for row in self.executor.read(
                    *cypher.claim_keys(
                        query.benchmark,
                        query.language,
                        query.model,
                        query.verdict,
                        after=after,
                        descending=query.descending,
                        limit=size,
                    )
                )
            ]
            remaining = None if query.limit is None else query.limit - len(views)
            if keys:
                views += self._claim_views(keys, query.model_copy(update={"limit": remaining}))
            if len(keys) < size:
                break
            after, size = keys[-1], min(size * 2, READ_CHUNK)
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
                    other_id, node=Node(label=row["label"], key=row["key"], props=props_of(row["props"], "key"))
                )
                edge = (claim_id, other_id) if direction == "out" else (other_id, claim_id)
                rkey = row["rkey"] or ""
                # a link between two candidate claims arrives twice (out of one, into the other): key it
                graph.add_edge(
                    *edge,
                    key=f"{row['type']}\x1f{rkey}",
                    type=row["type"],
                    props=props_of(row["rprops"], "rkey"),
                    rkey=rkey,
                )
        for row in self.executor.read(*cypher.nodes_by_key(NodeLabel.CLAIM, keys)):
            claim_id = f"Claim\x1f{row['key']}"
            graph.add_node(
                claim_id, node=Node(label=NodeLabel.CLAIM, key=row["key"], props=props_of(row["props"], "key"))
            )
            claim_ids.append(claim_id)

        def node(nid: str) -> Node:
            found: Node = graph.nodes[nid]["node"]
            return found

        return claim_views_from_graph(graph, sorted(claim_ids, reverse=query.descending), query, node)
