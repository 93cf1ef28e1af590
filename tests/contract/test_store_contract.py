"""What every GraphStore promises. The same bodies run against every backend."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from ingest.pipeline import Ingestor
from kg.conflicts import find_conflicts
from kg.errors import StoreError
from kg.gazetteer import Gazetteer
from kg.store.base import GraphStore
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType
from schemas.views import ClaimQuery
from tests.contract.conftest import StoreFactory, count_round_trips

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


# -- the seed reports, through the ingest pipeline --------------------------------------------


@pytest.fixture
def seeded(store: GraphStore, seeds_dir: Path, gazetteer: Gazetteer) -> GraphStore:
    result = Ingestor(store, gazetteer).ingest([seeds_dir])
    assert result.ok
    return store


def test_seed_counts(seeded: GraphStore) -> None:
    stats = seeded.stats()
    assert stats.nodes["Report"] == 5
    assert stats.nodes["Claim"] == 31
    assert stats.relationships["ASSERTS"] == 54
    assert stats.nodes["Paper"] == 11  # 9 cited arXiv papers + 2 examined titles
    assert stats.relationships["EXAMINES"] == 5


def test_seed_claims_about_xnli(seeded: GraphStore) -> None:
    claims = seeded.find_claims(ClaimQuery(benchmark="XNLI"))
    by_text = {c.text[:40]: c for c in claims}
    assert set(by_text) == {
        "The cross-lingual transfer performance i",
        "TyDiQA shows consistent improvements wit",
    }
    xnli = by_text["The cross-lingual transfer performance i"]
    assert xnli.text == "The cross-lingual transfer performance improves by 1.6 points on XNLI."
    assert [a.verified for a in xnli.assertions] == [False, False, False]
    assert xnli.report_verdict == "unverified"
    tydi = by_text["TyDiQA shows consistent improvements wit"]
    assert [a.verified for a in tydi.assertions] == [True, True]
    verified = seeded.find_claims(ClaimQuery(benchmark="XNLI", report_verdict="verified"))
    assert [c.key for c in verified] == [tydi.key]


def test_seed_has_exactly_one_self_conflicting_claim(seeded: GraphStore) -> None:
    conflicting = seeded.find_claims(ClaimQuery(report_verdict="conflicting"))
    assert [c.text for c in conflicting] == ["Syntactic features require large amounts of data."]
    conflicts = find_conflicts(seeded.find_claims(ClaimQuery()))
    assert [c.kind for c in conflicts] == ["reports_disagree"]  # no paraphrase links in this fixture


def test_seed_results_are_bound(seeded: GraphStore) -> None:
    claims = seeded.find_claims(ClaimQuery(benchmark="PAWS-X"))
    assert [(r.value, r.unit, r.kind, r.benchmark) for c in claims for r in c.results] == [
        (2.1, "points", "improvement", "PAWS-X")
    ]
    hellaswag = seeded.find_claims(ClaimQuery(benchmark="HellaSwag"))
    assert [(r.benchmark, r.value) for r in hellaswag[0].results] == [
        ("HellaSwag", 7.0),
        ("MNLI", 7.5),
        ("SQuAD", 8.2),
    ]


def test_seed_model_filter_matches_family(seeded: GraphStore) -> None:
    family = {c.key for c in seeded.find_claims(ClaimQuery(model="XLM-R"))}
    large = {c.key for c in seeded.find_claims(ClaimQuery(model="XLM-R Large"))}
    assert large and large <= family and len(family) > len(large)


def test_seed_reingest_is_idempotent(seeded: GraphStore, seeds_dir: Path, gazetteer: Gazetteer) -> None:
    before = seeded.stats()
    result = Ingestor(seeded, gazetteer).ingest([seeds_dir])
    assert {o.status for o in result.outcomes} == {"unchanged"}
    assert seeded.stats() == before


def test_grouped_ingest_writes_what_one_file_per_transaction_writes(
    store: GraphStore, seeds_dir: Path, seed_files: list[Path], gazetteer: Gazetteer, tmp_path: Path
) -> None:
    """Group commit changes how often we commit, not what each file writes: per-file summaries and the
    graph equal those of one transaction per file (on the embedded store, the reference)."""
    from kg.store.embedded import EmbeddedStore

    copies = tmp_path / "copies"
    copies.mkdir()
    for seed in seed_files[:2]:  # the same reports under other names: updates of reports written in the first group
        (copies / f"again_{seed.name}").write_bytes(seed.read_bytes())
    files = [seeds_dir, copies]
    grouped = Ingestor(store, gazetteer, group_size=3).ingest(files)
    with EmbeddedStore(tmp_path / "reference") as reference:
        one_by_one = Ingestor(reference, gazetteer, group_size=1).ingest(files)
        expected_stats = reference.stats()
    assert [(o.status, o.written) for o in grouped.outcomes] == [(o.status, o.written) for o in one_by_one.outcomes]
    assert store.stats() == expected_stats


def test_failed_report_leaves_nothing_behind(
    store: GraphStore, seed_files: list[Path], gazetteer: Gazetteer, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.txt"
    text = seed_files[2].read_text(encoding="utf-8")
    broken.write_text(text.replace("\t0.30\n", "\tlots\n", 1), encoding="utf-8")
    result = Ingestor(store, gazetteer).ingest([broken, seed_files[0]])
    statuses = {Path(o.path).name: o.status for o in result.outcomes}
    assert statuses == {"broken.txt": "failed", seed_files[0].name: "ingested"}
    assert store.stats().nodes["Report"] == 1
    assert not store.find_claims(ClaimQuery(benchmark="BUCC"))  # only the broken report mentions BUCC


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


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("benchmark", [None, "XTREME"])
def test_cursor_pages_walk_the_sorted_claims_once(seeded: GraphStore, descending: bool, benchmark: str | None) -> None:
    """Pages of 2 from every cursor, including cursors that are not a stored key, agree with the full sorted list."""
    everything = [c.key for c in seeded.find_claims(ClaimQuery(benchmark=benchmark))]
    assert everything == sorted(everything) and len(everything) >= 3
    expected = sorted(everything, reverse=descending)
    walked: list[str] = []
    cursor: str | None = None
    while True:
        page = seeded.find_claims(ClaimQuery(benchmark=benchmark, after=cursor, limit=2, descending=descending))
        walked += [c.key for c in page]
        if len(page) < 2:
            break
        cursor = page[-1].key
    assert walked == expected
    between = everything[1][:-1]  # sorts just before everything[1], after everything[0]
    assert between not in everything
    after_between = seeded.find_claims(ClaimQuery(benchmark=benchmark, after=between, descending=descending))
    assert [c.key for c in after_between] == ([everything[0]] if descending else everything[1:])


def test_claim_queries_see_every_write(store: GraphStore) -> None:
    """A read, then writes (and one that is rejected), then reads: no answer may be stale."""
    about = NodeRef(label=NodeLabel.BENCHMARK, key="XNLI")

    def claim_about_xnli(key: str) -> GraphBatch:
        claim = NodeRef(label=NodeLabel.CLAIM, key=key)
        return GraphBatch(
            source=key,
            nodes=[
                Node(label=NodeLabel.CLAIM, key=key, props={"text": f"Claim {key}.", "truncated": False}),
                Node(label=NodeLabel.BENCHMARK, key="XNLI", props={}),
            ],
            relationships=[Relationship(type=RelType.ABOUT, start=claim, end=about, key="")],
        )

    def xnli() -> list[str]:
        return [c.key for c in store.find_claims(ClaimQuery(benchmark="XNLI"))]

    store.apply(claim_about_xnli("c2"))
    assert xnli() == ["c2"] and [c.key for c in store.find_claims(ClaimQuery())] == ["c2"]
    store.apply(claim_about_xnli("c1"))
    assert xnli() == ["c1", "c2"]
    broken = claim_about_xnli("c3")
    broken.relationships.append(
        Relationship(type=RelType.ABOUT, start=NodeRef(label=NodeLabel.CLAIM, key="c3"), end=REPORT, key="")
    )
    with pytest.raises(StoreError):
        store.apply(broken)
    assert xnli() == ["c1", "c2"]
    store.apply(GraphBatch(source="del", delete_nodes=[NodeRef(label=NodeLabel.CLAIM, key="c2")]))
    assert xnli() == ["c1"] and [c.key for c in store.find_claims(ClaimQuery())] == ["c1"]


def test_entity_filters_agree_with_filtering_every_claim(seeded: GraphStore) -> None:
    """Stores narrow candidates by benchmark, language and model (indexes, MATCH clauses): same answer as a scan."""
    everything = seeded.find_claims(ClaimQuery())
    family = {m.key: str(m.props.get("family") or m.key) for m in seeded.iter_nodes(NodeLabel.MODEL)}
    benchmarks = sorted({b for c in everything for b in c.benchmarks})
    languages = sorted({lang for c in everything for lang in c.languages})
    models = sorted(set(family) | set(family.values()))
    assert len(benchmarks) >= 3 and len(languages) >= 1 and len(models) >= 3

    def scan(benchmark: str | None, language: str | None, model: str | None) -> list[str]:
        return [
            c.key
            for c in everything
            if (benchmark is None or benchmark in c.benchmarks)
            and (language is None or language in c.languages)
            and (model is None or any(model in (m, family[m]) for m in c.models))
        ]

    cases = [(b, None, None) for b in benchmarks] + [(None, lang, None) for lang in languages]
    cases += [(None, None, m) for m in models] + [(b, None, m) for b in benchmarks for m in models]
    cases += [(b, lang, None) for b in benchmarks for lang in languages] + [("XNLI", "nowhere", None)]
    answered = set()
    for benchmark, language, model in cases:
        found = seeded.find_claims(ClaimQuery(benchmark=benchmark, language=language, model=model))
        assert [c.key for c in found] == scan(benchmark, language, model), (benchmark, language, model)
        if found:
            answered.add((benchmark, language, model))
    single = [case for case in answered if sum(x is not None for x in case) == 1]
    assert len(single) >= len(benchmarks) + len(languages) + 3  # the cases are not all empty


def test_get_nodes_answers_every_ref_in_one_round_trip(seeded: GraphStore) -> None:
    claims = [n.ref for n in seeded.iter_nodes(NodeLabel.CLAIM)]
    reports = [n.ref for n in seeded.iter_nodes(NodeLabel.REPORT)]
    missing = [NodeRef(label=NodeLabel.CLAIM, key="c_missing"), NodeRef(label=NodeLabel.PAPER, key="0000.00000")]
    refs = [*reports, missing[0], *claims, missing[1]]
    counter = count_round_trips(seeded)
    found = seeded.get_nodes(refs)
    assert list(found) == refs  # every ref answered, in the caller's order
    assert all(found[ref] is None for ref in missing)
    for ref in [*claims, *reports]:
        node = found[ref]
        assert node is not None and node == seeded.get_node(ref)
    if counter is not None:  # a Cypher store: one UNION ALL query for all labels, not one per ref
        counter.reads = 0
        seeded.get_nodes(refs)
        assert counter.reads == 1
        counter.reads = 0
        seeded.related(claims, RelType.ABOUT, "out")
        assert counter.reads == 1  # `related` batches too


@pytest.mark.parametrize(
    ("label", "rel_type", "direction"),
    [
        (NodeLabel.CLAIM, RelType.ABOUT, "out"),
        (NodeLabel.CLAIM, RelType.ASSERTS, "in"),
        (NodeLabel.REPORT, RelType.ASSERTS, "out"),
        (NodeLabel.PAPER, RelType.EXAMINES, "in"),
        (NodeLabel.PAPER, RelType.CITES, "in"),
    ],
)
def test_relationships_of_is_related_without_the_nodes(
    seeded: GraphStore, label: NodeLabel, rel_type: RelType, direction: Literal["out", "in"]
) -> None:
    refs = [n.ref for n in seeded.iter_nodes(label)] + [NodeRef(label=label, key="nowhere")]
    related = seeded.related(refs, rel_type, direction)
    found = seeded.relationships_of(refs, rel_type, direction)
    assert list(found) == refs
    assert found == {ref: [rel for rel, _ in rows] for ref, rows in related.items()}
    assert sum(map(len, found.values())) > 0 and found[refs[-1]] == []


def _verdict_batch(claim: str, label: str) -> GraphBatch:
    from schemas.graph import VerdictNode

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


def test_verdict_filters_agree_with_a_scan_and_narrow_in_the_database(seeded: GraphStore) -> None:
    from kg import cypher
    from kg.store.cypher_store import CypherStore

    keys = [n.key for n in seeded.iter_nodes(NodeLabel.CLAIM)]
    given = dict(zip(keys[:5], ["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO", "SUPPORTED", "REFUTED"], strict=True))
    for claim, label in given.items():
        seeded.apply(_verdict_batch(claim, label))
    for wanted in ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO", "unchecked"):
        expected = sorted(k for k in keys if given.get(k, "unchecked") == wanted)
        assert [c.key for c in seeded.find_claims(ClaimQuery(verdict=wanted))] == expected, wanted  # type: ignore[arg-type]
        both = seeded.find_claims(ClaimQuery(verdict=wanted, benchmark="XNLI"))  # type: ignore[arg-type]
        assert all(given.get(c.key, "unchecked") == wanted and "XNLI" in c.benchmarks for c in both)
        if isinstance(seeded, CypherStore):  # the candidates the database returns are already only these claims
            rows = seeded.executor.read(*cypher.claim_keys(verdict=wanted))
            assert [r["key"] for r in rows] == expected, wanted
