"""Small batches the contract tests write: a report asserting one claim."""

from __future__ import annotations

from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType, VerdictNode

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


def verdict_batch(claim: str, label: str) -> GraphBatch:
    """What `kg verify` writes for a claim: its Verdict node, replacing the claim's verdict link."""
    verdict = VerdictNode(
        key=claim, verdict=label, score=0.9, decided_by="nli", scope="cited", model="m", model_sha256="0" * 16,
        backend="onnx-int8", threshold_support=0.75, threshold_refute=0.76, evidence_hash=f"h-{claim}",
        verified_at="2026-12-01T10:00:00+00:00", numeric_status="none", evidence_papers=[], evidence_indices=[],
        evidence_sentences=[], evidence_retrieval=[], evidence_entailment=[], evidence_neutral=[],
        evidence_contradiction=[],
    )  # type: ignore[arg-type]  # fmt: skip
    ref = NodeRef(label=NodeLabel.CLAIM, key=claim)
    return GraphBatch(
        source=f"verify {claim}",
        nodes=[verdict.to_node()],
        relationships=[Relationship(type=RelType.HAS_VERDICT, start=ref, end=verdict.ref)],
        replace_outgoing=[ref],
        replace_types=[RelType.HAS_VERDICT],
    )
