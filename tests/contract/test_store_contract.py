"""What every GraphStore promises about writes. The same bodies run against every backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.errors import StoreError
from kg.store.base import GraphStore
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType
from schemas.views import ClaimQuery
from tests.contract.batches import BENCH_MISSING, CLAIM, REPORT, small_batch
from tests.contract.conftest import StoreFactory


def test_apply_creates_then_changes_nothing(store: GraphStore) -> None:
    first = store.apply(small_batch())
    assert (first.nodes_created, first.relationships_created) == (2, 1)
    again = store.apply(small_batch())
    assert not again.changed
    assert store.stats().nodes["Claim"] == 1


def test_upsert_merges_properties(store: GraphStore) -> None:
    store.apply(small_batch())
    summary = store.apply(small_batch(text="A longer claim."))
    assert summary.nodes_updated == 1
    node = store.get_node(CLAIM)
    assert node is not None and node.props["text"] == "A longer claim." and node.props["truncated"] is False


def test_parallel_relationships_are_kept_apart_by_key(store: GraphStore) -> None:
    store.apply(small_batch())
    second_row = Relationship(
        type=RelType.ASSERTS,
        start=REPORT,
        end=CLAIM,
        key="2",
        props={"verified": False, "confidence": 0.1, "row": 2, "line": 11},
    )
    store.apply(GraphBatch(source="dup", relationships=[second_row]))
    rows = sorted(r.props["row"] for r in store.iter_relationships(RelType.ASSERTS))  # type: ignore[type-var]
    assert rows == [1, 2]


def test_batch_with_missing_endpoint_writes_nothing(store: GraphStore) -> None:
    bad = GraphBatch(
        source="bad",
        nodes=[Node(label=NodeLabel.BENCHMARK, key="XNLI", props={"name": "XNLI"})],
        relationships=[
            Relationship(type=RelType.ABOUT, start=CLAIM, end=NodeRef(label=NodeLabel.BENCHMARK, key="XNLI"))
        ],
    )
    with pytest.raises(StoreError, match="missing node Claim:c1"):
        store.apply(bad)
    assert sum(store.stats().nodes.values()) == 0


def test_wrong_endpoint_labels_are_rejected(store: GraphStore) -> None:
    store.apply(small_batch())
    bad = GraphBatch(source="bad", relationships=[Relationship(type=RelType.CITES, start=REPORT, end=CLAIM)])
    with pytest.raises(StoreError, match="CITES cannot connect Report to Claim"):
        store.apply(bad)
    assert store.stats().relationships["CITES"] == 0


def test_replace_outgoing_removes_only_what_the_batch_no_longer_says(store: GraphStore) -> None:
    store.apply(small_batch())
    other = Node(label=NodeLabel.CLAIM, key="c2", props={"text": "Other.", "truncated": False})
    replaced = GraphBatch(
        source="v2",
        nodes=[other],
        relationships=[Relationship(type=RelType.ASSERTS, start=REPORT, end=other.ref, key="1", props={"row": 1})],
        replace_outgoing=[REPORT],
        replace_types=[RelType.ASSERTS],
    )
    summary = store.apply(replaced)
    assert (summary.relationships_deleted, summary.relationships_created) == (1, 1)
    assert [r.end.key for r in store.iter_relationships(RelType.ASSERTS)] == ["c2"]


def test_group_commit_gives_each_batch_its_own_exact_summary(store: GraphStore) -> None:
    """A group: batch 1 writes a report, a bad batch fails alone, batch 3 replaces batch 1's link, batch 4
    repeats batch 3. The summaries are those of applying them one after another; the graph is the net result."""
    store.apply(GraphBatch(source="before", nodes=[Node(label=NodeLabel.CLAIM, key="c0", props={"text": "Old."})]))
    other = Node(label=NodeLabel.CLAIM, key="c2", props={"text": "Other.", "truncated": False})
    bad = GraphBatch(
        source="bad",
        nodes=[Node(label=NodeLabel.CLAIM, key="half", props={})],
        relationships=[
            Relationship(type=RelType.ABOUT, start=NodeRef(label=NodeLabel.CLAIM, key="half"), end=BENCH_MISSING)
        ],
    )
    replaced = GraphBatch(
        source="v2",
        nodes=[other, Node(label=NodeLabel.CLAIM, key="c0", props={"text": "Old.", "seen": 2})],
        relationships=[Relationship(type=RelType.ASSERTS, start=REPORT, end=other.ref, key="1", props={"row": 1})],
        replace_outgoing=[REPORT],
        replace_types=[RelType.ASSERTS],
    )
    outcomes = store.apply_many([small_batch(), bad, replaced, replaced])
    assert isinstance(outcomes[1], StoreError) and "missing node Benchmark:nowhere" in str(outcomes[1])
    summaries = [o.model_dump() for o in outcomes if not isinstance(o, Exception)]
    nothing = {k: 0 for k in summaries[0]}
    assert summaries == [
        {**nothing, "nodes_created": 2, "relationships_created": 1},
        {**nothing, "nodes_created": 1, "nodes_updated": 1, "relationships_created": 1, "relationships_deleted": 1},
        nothing,
    ]
    assert [(r.start.key, r.end.key) for r in store.iter_relationships(RelType.ASSERTS)] == [("r1", "c2")]
    assert sorted(n.key for n in store.iter_nodes(NodeLabel.CLAIM)) == ["c0", "c1", "c2"]  # nothing of "bad"
    assert store.get_node(NodeRef(label=NodeLabel.CLAIM, key="c0")).props == {"text": "Old.", "seen": 2}  # type: ignore[union-attr]


def _claim_chunk(first: int, count: int, *, end: NodeRef = CLAIM) -> GraphBatch:
    """Claims c<first>.. each asserted by r1 and linked to ``end`` (a missing node makes the chunk invalid)."""
    claims = [NodeRef(label=NodeLabel.CLAIM, key=f"c{i}") for i in range(first, first + count)]
    return GraphBatch(
        source=f"chunk {first}",
        nodes=[Node(label=NodeLabel.CLAIM, key=ref.key, props={"text": f"Claim {ref.key}."}) for ref in claims],
        relationships=[Relationship(type=RelType.ASSERTS, start=REPORT, end=ref, key=ref.key) for ref in claims]
        + [Relationship(type=RelType.PARAPHRASE_OF, start=ref, end=end) for ref in claims],
    )


def test_apply_stream_writes_every_batch_and_later_ones_see_earlier_ones(store: GraphStore) -> None:
    """A large claim file goes in chunks: chunk 2 links to the report chunk 1 created, in one transaction."""
    chunks = [small_batch(), _claim_chunk(10, 3), _claim_chunk(13, 2)]
    summary = store.apply_stream(iter(chunks))
    assert (summary.nodes_created, summary.relationships_created) == (2 + 3 + 2, 1 + 5 * 2)
    assert store.count_nodes(NodeLabel.CLAIM) == 6
    assert not store.apply_stream(iter(chunks)).changed  # the same file again changes nothing


def test_apply_stream_that_fails_in_its_last_batch_writes_nothing(store: GraphStore) -> None:
    store.apply(GraphBatch(source="before", nodes=[Node(label=NodeLabel.CLAIM, key="c0", props={"text": "Old."})]))
    before = store.stats()
    chunks = [small_batch(), _claim_chunk(10, 3), _claim_chunk(13, 2, end=NodeRef(label=NodeLabel.CLAIM, key="gone"))]
    with pytest.raises(StoreError, match="missing node Claim:gone"):
        store.apply_stream(iter(chunks))
    assert store.stats() == before
    assert store.get_node(REPORT) is None


def test_apply_stream_rolls_back_when_building_a_batch_fails(store: GraphStore) -> None:
    """The batches are built while the transaction is open: a parse error in chunk 2 leaves no chunk 1."""

    def chunks() -> Iterator[GraphBatch]:
        yield small_batch()
        raise ValueError("line 7: not valid JSON")

    with pytest.raises(ValueError, match="line 7"):
        store.apply_stream(chunks())
    assert store.get_node(REPORT) is None and store.count_nodes(NodeLabel.CLAIM) == 0


def test_replace_relationships_sets_the_complete_set(store: GraphStore) -> None:
    store.apply(small_batch())
    store.apply(GraphBatch(source="c2", nodes=[Node(label=NodeLabel.CLAIM, key="c2", props={"text": "B"})]))
    link = Relationship(
        type=RelType.PARAPHRASE_OF,
        start=CLAIM,
        end=NodeRef(label=NodeLabel.CLAIM, key="c2"),
        props={"score": 0.9},
    )
    assert store.replace_relationships(RelType.PARAPHRASE_OF, [link]).relationships_created == 1
    assert not store.replace_relationships(RelType.PARAPHRASE_OF, [link]).changed
    assert store.replace_relationships(RelType.PARAPHRASE_OF, []).relationships_deleted == 1
    assert store.stats().relationships["PARAPHRASE_OF"] == 0


def _link(start: str, end: str, **props: object) -> Relationship:
    claim = NodeRef(label=NodeLabel.CLAIM, key=start)
    return Relationship(
        type=RelType.PARAPHRASE_OF, start=claim, end=NodeRef(label=NodeLabel.CLAIM, key=end), props=props
    )


def test_replace_relationships_diffs_against_what_is_stored(store: GraphStore) -> None:
    store.apply(small_batch())
    claims = [Node(label=NodeLabel.CLAIM, key=f"c{i}", props={"text": f"Claim {i}."}) for i in (2, 3)]
    store.apply(GraphBatch(source="more claims", nodes=claims))
    first = store.replace_relationships(
        RelType.PARAPHRASE_OF, [_link("c1", "c2", score=0.9), _link("c2", "c3", score=0.8)]
    )
    assert (first.relationships_created, first.relationships_deleted, first.relationships_updated) == (2, 0, 0)
    # one kept with a new score, one gone, one new; a link listed twice counts once, the last one wins
    second = store.replace_relationships(
        RelType.PARAPHRASE_OF,
        [_link("c2", "c3", score=0.5), _link("c1", "c3", score=0.7), _link("c2", "c3", score=0.85, method="m")],
    )
    assert (second.relationships_created, second.relationships_deleted, second.relationships_updated) == (1, 1, 1)
    stored = {(r.start.key, r.end.key): r.props for r in store.iter_relationships(RelType.PARAPHRASE_OF)}
    assert stored == {("c1", "c3"): {"score": 0.7}, ("c2", "c3"): {"score": 0.85, "method": "m"}}
    assert store.stats().relationships["ASSERTS"] == 1  # other types are untouched


@pytest.mark.parametrize(
    "bad",
    [
        _link("c1", "nowhere", score=0.9),  # a missing end
        Relationship(type=RelType.PARAPHRASE_OF, start=CLAIM, end=REPORT, props={}),  # a report is no paraphrase
        Relationship(type=RelType.ASSERTS, start=REPORT, end=CLAIM, key="9", props={}),  # another type
    ],
    ids=["missing-node", "wrong-label", "wrong-type"],
)
def test_replace_relationships_rejects_a_bad_link_and_writes_nothing(store: GraphStore, bad: Relationship) -> None:
    store.apply(small_batch())
    store.apply(GraphBatch(source="c2", nodes=[Node(label=NodeLabel.CLAIM, key="c2", props={"text": "B"})]))
    store.replace_relationships(RelType.PARAPHRASE_OF, [_link("c1", "c2", score=0.9)])
    before = store.stats()
    with pytest.raises(StoreError):
        store.replace_relationships(RelType.PARAPHRASE_OF, [bad])  # would otherwise delete the c1-c2 link
    assert store.stats() == before
    assert [(r.start.key, r.end.key) for r in store.iter_relationships(RelType.PARAPHRASE_OF)] == [("c1", "c2")]


def test_stats_lists_every_label_and_type(store: GraphStore) -> None:
    stats = store.stats()
    assert set(stats.nodes) == {label.value for label in NodeLabel}
    assert set(stats.relationships) == {t.value for t in RelType}


def test_count_nodes_agrees_with_stats(store: GraphStore) -> None:
    store.apply(small_batch())
    stats = store.stats()
    counts = {label.value: store.count_nodes(label) for label in NodeLabel}
    assert counts == stats.nodes
    assert counts[NodeLabel.CLAIM] >= 1


def test_committed_data_survives_reopen(store_factory: StoreFactory) -> None:
    with store_factory() as store:
        store.apply(small_batch())
    with store_factory() as store:
        assert store.get_node(CLAIM) is not None
        assert store.stats().relationships["ASSERTS"] == 1


def test_delete_nodes_removes_them_with_their_relationships(store: GraphStore) -> None:
    store.apply(small_batch())
    summary = store.apply(GraphBatch(source="del", delete_nodes=[CLAIM, NodeRef(label=NodeLabel.CLAIM, key="nope")]))
    assert (summary.nodes_deleted, summary.relationships_deleted) == (1, 1)
    assert store.get_node(CLAIM) is None and store.get_node(REPORT) is not None
    assert store.stats().relationships["ASSERTS"] == 0
    assert not store.apply(GraphBatch(source="del", delete_nodes=[CLAIM])).changed


def test_verdict_with_evidence_lists_round_trips(store: GraphStore) -> None:
    """Verdict provenance is stored as typed lists; every backend must give them back as written."""
    from schemas.graph import VerdictNode

    store.apply(small_batch())
    paper = Node(label=NodeLabel.PAPER, key="2005.13013", props={"source": "arxiv", "arxiv_id": "2005.13013"})
    verdict = VerdictNode(
        key="c1",
        verdict="SUPPORTED",
        score=0.91,
        decided_by="numeric",
        scope="cited",
        model="claimgraph-nli-minilm",
        model_sha256="0123456789abcdef",
        backend="onnx-int8",
        threshold_support=0.45,
        threshold_refute=0.5,
        evidence_hash="h1",
        verified_at="2026-11-22T10:00:00+00:00",
        evidence_papers=["2005.13013", "2005.13013"],
        evidence_indices=[5, 0],
        evidence_sentences=["We obtain a 5.4 point improvement on XTREME.", "Another sentence."],
        evidence_retrieval=[0.8, 0.25],
        evidence_entailment=[0.7, 0.1],
        evidence_neutral=[0.2, 0.8],
        evidence_contradiction=[0.1, 0.1],
        numeric_status="match",
        numeric_detail="claim: improvement 5.4 on XTREME; 2005.13013 sentence 5: improvement 5.4 on XTREME",
        numeric_paper="2005.13013",
        numeric_index=5,
    )
    batch = GraphBatch(
        source="verify",
        nodes=[paper, verdict.to_node()],
        relationships=[
            Relationship(type=RelType.HAS_VERDICT, start=CLAIM, end=verdict.ref),
            Relationship(type=RelType.SUPPORTED_BY, start=CLAIM, end=paper.ref, key="5", props={"index": 5}),
        ],
        replace_outgoing=[CLAIM],
        replace_types=[RelType.HAS_VERDICT, RelType.SUPPORTED_BY, RelType.REFUTED_BY],
    )
    first = store.apply(batch)
    assert first.nodes_created == 2 and first.relationships_created == 2
    assert not store.apply(batch).changed
    (view,) = store.find_claims(ClaimQuery(keys=["c1"]))
    assert view.verdict is not None
    assert view.verdict.verdict == "SUPPORTED" and view.verdict.numeric.index == 5
    assert [(e.paper, e.index, e.entailment) for e in view.verdict.evidence] == [
        ("2005.13013", 5, 0.7),
        ("2005.13013", 0, 0.1),
    ]
    assert store.find_claims(ClaimQuery(verdict="SUPPORTED"))[0].key == "c1"
    assert store.find_claims(ClaimQuery(verdict="REFUTED")) == []
    empty = verdict.model_copy(
        update={
            "evidence_papers": [],
            "evidence_indices": [],
            "evidence_sentences": [],
            "evidence_retrieval": [],
            "evidence_entailment": [],
            "evidence_neutral": [],
            "evidence_contradiction": [],
            "verdict": "NOT_ENOUGH_INFO",
            "decided_by": "no-evidence",
            "numeric_status": "none",
            "numeric_detail": None,
            "numeric_paper": None,
            "numeric_index": None,
        }
    )
    store.apply(batch.model_copy(update={"nodes": [empty.to_node()], "relationships": batch.relationships[:1]}))
    (view,) = store.find_claims(ClaimQuery(keys=["c1"]))
    assert view.verdict is not None and view.verdict.verdict == "NOT_ENOUGH_INFO" and view.verdict.evidence == []
    assert view.verdict.numeric.status == "none" and view.verdict.numeric.detail is None
    assert store.stats().relationships["SUPPORTED_BY"] == 0
