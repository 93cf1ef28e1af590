"""The Cypher builders as strings, without a database (they run for real in the contract suite)."""

from __future__ import annotations

import re

import pytest

from kg.store import cypher
from schemas.graph import NodeLabel, RelType


def test_labels_and_types_come_only_from_the_enums() -> None:
    segment = cypher.merge_relationships(RelType.ASSERTS, NodeLabel.REPORT, NodeLabel.CLAIM, [{"x": 1}])
    assert "(a:`Report` {key: row.start})" in segment.template
    assert "[r:`ASSERTS` {rkey: row.rkey}]" in segment.template
    with pytest.raises(ValueError):
        cypher.label("Claim`) DETACH DELETE (x")  # type: ignore[arg-type]


def test_values_are_parameters_never_literals() -> None:
    hostile = "x'}) DETACH DELETE n //"
    query, params = cypher.chain([cypher.merge_nodes(NodeLabel.CLAIM, [{"key": hostile, "props": {"text": hostile}}])])
    assert hostile not in query
    assert params == {"rows0": [{"key": hostile, "props": {"text": hostile}}]}
    query, params = cypher.claim_keys("XNLI")
    assert "XNLI" not in query and params == {"b": "XNLI"}
    query, params = cypher.claim_keys("XNLI", hostile, hostile)
    assert hostile not in query and params == {"b": "XNLI", "l": hostile, "m": hostile}
    query, params = cypher.claim_keys(verdict=hostile)
    assert hostile not in query and params == {"v": hostile}


def test_claim_keys_narrow_by_verdict() -> None:
    supported, params = cypher.claim_keys("XNLI", verdict="SUPPORTED")
    assert "-[:`HAS_VERDICT`]->(:`Verdict` {verdict: $v})" in supported and params == {"b": "XNLI", "v": "SUPPORTED"}
    unchecked, params = cypher.claim_keys(verdict="unchecked")
    assert "OPTIONAL MATCH (c)-[:`HAS_VERDICT`]->(v:`Verdict`)" in unchecked and "WHERE v IS NULL" in unchecked
    assert params == {}


def test_claim_keys_narrow_by_every_named_entity() -> None:
    everything, params = cypher.claim_keys()
    assert everything == "MATCH (c:`Claim`) RETURN DISTINCT c.key AS key ORDER BY key" and params == {}
    language_only, _ = cypher.claim_keys(language="sw")
    assert language_only.startswith("MATCH (c:`Claim`)-[:`MENTIONS`]->(:`Language` {key: $l})")
    assert language_only.count("MATCH") == 1
    model_only, _ = cypher.claim_keys(model="XLM-R")
    assert "WHERE m.key = $m OR m.family = $m" in model_only and model_only.count("MATCH") == 1
    all_three, _ = cypher.claim_keys("XNLI", "sw", "XLM-R")
    assert all_three.count("MATCH") == 3 and "ABOUT" in all_three


def test_claim_keys_page_in_the_database_from_a_cursor() -> None:
    hostile = "x' OR 1=1 //"
    page, params = cypher.claim_keys("XNLI", after=hostile, limit=63)
    assert page.endswith("WITH DISTINCT c.key AS key WHERE key > $after RETURN key ORDER BY key LIMIT 63")
    assert hostile not in page and params == {"b": "XNLI", "after": hostile}
    backwards, params = cypher.claim_keys(after="k", descending=True, limit=16)
    assert backwards.endswith("WHERE key < $after RETURN key ORDER BY key DESC LIMIT 16") and params == {"after": "k"}


def test_chain_skips_empty_segments_and_numbers_parameters() -> None:
    segments = [
        cypher.merge_nodes(NodeLabel.CLAIM, []),
        cypher.merge_nodes(NodeLabel.REPORT, [{"key": "r", "props": {}}]),
        cypher.merge_nodes(NodeLabel.PAPER, [{"key": "p", "props": {}}]),
    ]
    query, params = cypher.chain(segments)
    assert sorted(params) == ["rows0", "rows1"]
    assert query.count("WITH count(*) AS _") == 1
    assert re.search(r"UNWIND \$rows0 AS row MERGE \(n:`Report`", query)
    assert cypher.chain([cypher.merge_nodes(NodeLabel.CLAIM, [])]) == ("", {})


def test_schema_statements_per_dialect() -> None:
    neo4j = cypher.schema_statements("neo4j")
    falkor = cypher.schema_statements("falkordb")
    assert len(neo4j) == len(falkor) == len(NodeLabel)
    assert all("IF NOT EXISTS" in s and "REQUIRE n.key IS UNIQUE" in s for s in neo4j)
    assert all(s.startswith("CREATE INDEX FOR (n:`") and s.endswith("ON (n.key)") for s in falkor)


def test_every_read_is_parameterised() -> None:
    reads = [
        cypher.nodes_by_key(NodeLabel.CLAIM, ["a"]),
        cypher.relationships_from(RelType.CITES, NodeLabel.REPORT, ["r"]),
        cypher.claim_neighbourhood("out", ["a"]),
        cypher.claim_neighbourhood("in", ["a"]),
    ]
    for query, params in reads:
        assert "$keys" in query and params == {"keys": params["keys"]}
