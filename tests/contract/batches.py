"""Small batches the contract tests write: a report asserting one claim."""

from __future__ import annotations

from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType

REPORT = NodeRef(label=NodeLabel.REPORT, key="r1")
CLAIM = NodeRef(label=NodeLabel.CLAIM, key="c1")
BENCH_MISSING = NodeRef(label=NodeLabel.BENCHMARK, key="nowhere")


def small_batch(**claim_props: object) -> GraphBatch:
    return GraphBatch(
        source="small",
        nodes=[
            Node(label=NodeLabel.REPORT, key="r1", props={"title": "R", "source_name": "r.txt"}),
            Node(label=NodeLabel.CLAIM, key="c1", props={"text": "A claim.", "truncated": False, **claim_props}),
        ],
        relationships=[
            Relationship(
                type=RelType.ASSERTS,
                start=REPORT,
                end=CLAIM,
                key="1",
                props={"verified": True, "confidence": 0.5, "row": 1, "line": 10},
            ),
        ],
    )
