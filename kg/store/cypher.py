"""Every Cypher statement ClaimGraph runs, as small pure functions returning ``(query, params)``.

Values are always parameters. Labels and relationship types cannot be parameters in
Cypher, so they come only from the :class:`NodeLabel` / :class:`RelType` enums and are
backquoted here, in one place. The statements are portable openCypher that runs on
Neo4j 5 and FalkorDB; the few dialect differences (schema DDL) are in :func:`schema_statements`.

A write batch is one statement: segments joined by ``WITH count(*) AS _``, which folds
each segment back to a single row even when its ``UNWIND`` list is empty, so the next
segment still runs. One statement is one transaction on FalkorDB (which has no
multi-statement transactions) and runs inside one managed transaction on Neo4j.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from schemas.graph import NodeLabel, RelType

Dialect = Literal["neo4j", "falkordb"]
Params = dict[str, Any]


def label(value: NodeLabel) -> str:
    return f"`{NodeLabel(value).value}`"


def rel_type(value: RelType) -> str:
    return f"`{RelType(value).value}`"


@dataclass(frozen=True)
class Segment:
    """One ``UNWIND $rows`` clause of a batch write; ``{rows}`` is replaced by a unique parameter name."""

    template: str
    rows: list[dict[str, Any]]


def merge_nodes(node_label: NodeLabel, rows: list[dict[str, Any]]) -> Segment:
    """rows: ``{key, props}``; a property set to null is removed (Neo4j and FalkorDB agree)."""
    return Segment(f"UNWIND {{rows}} AS row MERGE (n:{label(node_label)} {{key: row.key}}) SET n += row.props", rows)


def merge_relationships(rel: RelType, start: NodeLabel, end: NodeLabel, rows: list[dict[str, Any]]) -> Segment:
    """rows: ``{start, end, rkey, props}``; ``rkey`` tells parallel relationships apart."""
    return Segment(
        f"UNWIND {{rows}} AS row "
        f"MATCH (a:{label(start)} {{key: row.start}}) MATCH (b:{label(end)} {{key: row.end}}) "
        f"MERGE (a)-[r:{rel_type(rel)} {{rkey: row.rkey}}]->(b) SET r += row.props",
        rows,
    )


def delete_relationships(rel: RelType, start: NodeLabel, end: NodeLabel, rows: list[dict[str, Any]]) -> Segment:
    """rows: ``{start, end, rkey}``."""
    return Segment(
        f"UNWIND {{rows}} AS row "
        f"MATCH (a:{label(start)} {{key: row.start}})-[r:{rel_type(rel)} {{rkey: row.rkey}}]->"
        f"(b:{label(end)} {{key: row.end}}) DELETE r",
        rows,
    )


def delete_nodes(node_label: NodeLabel, rows: list[dict[str, Any]]) -> Segment:
    """rows: ``{key}``; the nodes go with all their relationships."""
    return Segment(f"UNWIND {{rows}} AS row MATCH (n:{label(node_label)} {{key: row.key}}) DETACH DELETE n", rows)


def chain(segments: Sequence[Segment]) -> tuple[str, Params]:
    """Join segments into one statement with one parameter per segment."""
    parts: list[str] = []
    params: Params = {}
    for index, segment in enumerate(s for s in segments if s.rows):
        name = f"rows{index}"
        parts.append(segment.template.replace("{rows}", f"${name}"))
        params[name] = segment.rows
    return "\nWITH count(*) AS _\n".join(parts), params


# -- reads -------------------------------------------------------------------------------


def nodes_by_key(node_label: NodeLabel, keys: list[str]) -> tuple[str, Params]:
    return (
        f"UNWIND $keys AS k MATCH (n:{label(node_label)} {{key: k}}) RETURN n.key AS key, properties(n) AS props",
        {"keys": keys},
    )


def nodes_by_keys(groups: dict[NodeLabel, list[str]]) -> tuple[str, Params]:
    """Nodes of several labels in one round trip (``UNION ALL`` of one branch per label)."""
    branches, params = [], {}
    for index, (node_label, keys) in enumerate(sorted(groups.items())):
        params[f"k{index}"] = keys
        branches.append(
            f"UNWIND $k{index} AS k MATCH (n:{label(node_label)} {{key: k}}) "
            f"RETURN '{NodeLabel(node_label).value}' AS label, n.key AS key, properties(n) AS props"
        )
    return "\nUNION ALL\n".join(branches), params


def relationships_from_many(groups: dict[tuple[RelType, NodeLabel], list[str]]) -> tuple[str, Params]:
    """Outgoing relationships for several (type, start label) groups in one round trip."""
    branches, params = [], {}
    for index, ((rel, start), keys) in enumerate(sorted(groups.items())):
        params[f"k{index}"] = keys
        branches.append(
            f"UNWIND $k{index} AS k MATCH (a:{label(start)} {{key: k}})-[r:{rel_type(rel)}]->(b) "
            f"RETURN '{RelType(rel).value}' AS type, '{NodeLabel(start).value}' AS start_label, a.key AS start, "
            "labels(b)[0] AS end_label, b.key AS end, r.rkey AS rkey, properties(r) AS props"
        )
    return "\nUNION ALL\n".join(branches), params


def relationship_count(node_label: NodeLabel, keys: list[str]) -> tuple[str, Params]:
    """How many relationships the given nodes have (to report what a DETACH DELETE removes)."""
    return (
        f"UNWIND $keys AS k MATCH (n:{label(node_label)} {{key: k}})-[r]-() RETURN count(r) AS count",
        {"keys": keys},
    )


def all_nodes(node_label: NodeLabel) -> tuple[str, Params]:
    return f"MATCH (n:{label(node_label)}) RETURN n.key AS key, properties(n) AS props ORDER BY key", {}


def relationships_from(rel: RelType, start: NodeLabel, keys: list[str]) -> tuple[str, Params]:
    """Outgoing relationships of one type from the given nodes, with their far ends."""
    return (
        f"UNWIND $keys AS k MATCH (a:{label(start)} {{key: k}})-[r:{rel_type(rel)}]->(b) "
        "RETURN a.key AS start, labels(b)[0] AS end_label, b.key AS end, r.rkey AS rkey, properties(r) AS props",
        {"keys": keys},
    )


def all_relationships(rel: RelType) -> tuple[str, Params]:
    return (
        f"MATCH (a)-[r:{rel_type(rel)}]->(b) "
        "RETURN labels(a)[0] AS start_label, a.key AS start, labels(b)[0] AS end_label, b.key AS end, "
        "r.rkey AS rkey, properties(r) AS props ORDER BY start, end, rkey",
        {},
    )


def count_nodes() -> tuple[str, Params]:
    return "MATCH (n) RETURN labels(n)[0] AS name, count(n) AS count", {}


def count_relationships() -> tuple[str, Params]:
    return "MATCH ()-[r]->() RETURN type(r) AS name, count(r) AS count", {}


def claim_keys(
    benchmark: str | None = None,
    language: str | None = None,
    model: str | None = None,
    verdict: str | None = None,
    *,
    after: str | None = None,
    descending: bool = False,
    limit: int | None = None,
) -> tuple[str, Params]:
    """Candidate claims, narrowed in the database by the entities and the verifier verdict a query names.

    A model matches by name or by family (``XLM-R`` finds claims about ``XLM-R Large``), as in the views;
    ``verdict="unchecked"`` is a claim with no verdict yet. The other filters apply to the views. ``after``
    and ``limit`` page in the database, in key order: a page of 50 among 30k XNLI claims sends 50 keys over
    Bolt, not 30k (the driver decodes about 25k rows/s here).
    """
    claim = label(NodeLabel.CLAIM)
    clauses: list[str] = []
    params: Params = {}
    if benchmark is not None:
        clauses.append(f"MATCH (c:{claim})-[:{rel_type(RelType.ABOUT)}]->(:{label(NodeLabel.BENCHMARK)} {{key: $b}})")
        params["b"] = benchmark
    if language is not None:
        clauses.append(f"MATCH (c:{claim})-[:{rel_type(RelType.MENTIONS)}]->(:{label(NodeLabel.LANGUAGE)} {{key: $l}})")
        params["l"] = language
    if model is not None:
        clauses.append(
            f"MATCH (c:{claim})-[:{rel_type(RelType.MENTIONS)}]->(m:{label(NodeLabel.MODEL)}) "
            "WHERE m.key = $m OR m.family = $m"
        )
        params["m"] = model
    if not clauses:
        clauses.append(f"MATCH (c:{claim})")
    if verdict == "unchecked":
        clauses.append(
            f"OPTIONAL MATCH (c)-[:{rel_type(RelType.HAS_VERDICT)}]->(v:{label(NodeLabel.VERDICT)}) "
            "WITH DISTINCT c, v WHERE v IS NULL"
        )
    elif verdict is not None:
        clauses.append(f"MATCH (c)-[:{rel_type(RelType.HAS_VERDICT)}]->(:{label(NodeLabel.VERDICT)} {{verdict: $v}})")
        params["v"] = verdict
    query = " ".join(clauses)
    if after is None and limit is None and not descending:
        return query + " RETURN DISTINCT c.key AS key ORDER BY key", params
    query += " WITH DISTINCT c.key AS key"
    if after is not None:
        query += f" WHERE key {'<' if descending else '>'} $after"
        params["after"] = after
    query += f" RETURN key ORDER BY key{' DESC' if descending else ''}"
    if limit is not None:
        query += f" LIMIT {int(limit)}"  # an int, never text from a request
    return query, params


def claim_neighbourhood(direction: Literal["out", "in"], keys: list[str]) -> tuple[str, Params]:
    """Every relationship touching the given claims, with the node at the other end."""
    arrow = "-[r]->(o)" if direction == "out" else "<-[r]-(o)"
    return (
        f"UNWIND $keys AS k MATCH (c:{label(NodeLabel.CLAIM)} {{key: k}}){arrow} "
        "RETURN c.key AS claim, type(r) AS type, r.rkey AS rkey, properties(r) AS rprops, "
        "labels(o)[0] AS label, o.key AS key, properties(o) AS props",
        {"keys": keys},
    )


def related(start: NodeLabel, rel: RelType, direction: Literal["out", "in"], keys: list[str]) -> tuple[str, Params]:
    """The ``rel`` relationships of the given nodes in one direction, with the node at the other end."""
    arrow = f"-[r:{rel_type(rel)}]->(o)" if direction == "out" else f"<-[r:{rel_type(rel)}]-(o)"
    return (
        f"UNWIND $keys AS k MATCH (s:{label(start)} {{key: k}}){arrow} "
        "RETURN s.key AS start, r.rkey AS rkey, properties(r) AS rprops, "
        "labels(o)[0] AS label, o.key AS key, properties(o) AS props",
        {"keys": keys},
    )


def assertion_counts(report_key: str) -> tuple[str, Params]:
    """How many claims a report asserts, and how many it marks ✓."""
    return (
        "MATCH (r:Report {key: $key})-[a:ASSERTS]->() "
        "RETURN count(a) AS total, sum(CASE WHEN a.verified THEN 1 ELSE 0 END) AS verified",
        {"key": report_key},
    )


def assertions_page(report_key: str, after: tuple[int, str] | None, limit: int) -> tuple[str, Params]:
    """A page of a report's ASSERTS with their claims, in (row, rkey) order, after the cursor ``after``."""
    later = "WHERE coalesce(a.row, 0) > $row OR (coalesce(a.row, 0) = $row AND a.rkey > $rkey) " if after else ""
    return (
        f"MATCH (r:Report {{key: $key}})-[a:ASSERTS]->(c:Claim) {later}"
        "RETURN a.rkey AS rkey, properties(a) AS rprops, c.key AS key, properties(c) AS props "
        "ORDER BY coalesce(a.row, 0), a.rkey LIMIT $limit",
        {"key": report_key, "row": after[0] if after else 0, "rkey": after[1] if after else "", "limit": limit},
    )


def first_claims_of_reports(keys: list[str], first: int) -> tuple[str, Params]:
    """Each report's first ``first`` claim keys in (row, rkey) order: sorted and cut in the database."""
    return (
        "UNWIND $keys AS k MATCH (r:Report {key: k})-[a:ASSERTS]->(c:Claim) "
        "WITH k, a, c ORDER BY coalesce(a.row, 0), a.rkey "
        "WITH k, collect(c.key) AS claims RETURN k AS report, claims[..$first] AS claims",
        {"keys": keys, "first": first},
    )


def delete_all() -> tuple[str, Params]:
    return "MATCH (n) DETACH DELETE n", {}


def fill_missing_relationship_keys() -> tuple[str, Params]:
    """Bulk importers load an empty CSV field as no property; the writer MERGEs on ``rkey: ''``."""
    return "MATCH ()-[r]->() WHERE r.rkey IS NULL SET r.rkey = $empty RETURN count(r) AS filled", {"empty": ""}


# -- schema ------------------------------------------------------------------------------


def schema_statements(dialect: Dialect) -> list[str]:
    """Idempotent DDL: a uniqueness constraint (Neo4j) or an index (FalkorDB) on every node key."""
    statements = []
    for node_label in NodeLabel:
        name = f"claimgraph_{node_label.value.lower()}_key"
        if dialect == "neo4j":
            statements.append(
                f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label(node_label)}) REQUIRE n.key IS UNIQUE"
            )
        else:
            statements.append(f"CREATE INDEX FOR (n:{label(node_label)}) ON (n.key)")
    return statements
