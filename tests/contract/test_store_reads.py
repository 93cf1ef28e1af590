"""What every GraphStore promises about reads, on the seed reports. The same bodies run against every backend."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from ingest.pipeline import Ingestor
from kg.errors import StoreError
from kg.extraction.gazetteer import Gazetteer
from kg.graph.conflicts import find_conflicts
from kg.store.base import GraphStore
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType
from schemas.views import ClaimQuery, ReportVerdict
from tests.contract.batches import REPORT, verdict_batch
from tests.contract.conftest import count_round_trips

# -- the seed reports, through the ingest pipeline --------------------------------------------


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


@pytest.mark.parametrize("marked", ["verified", "unverified", "conflicting"])
def test_pages_of_a_filter_the_views_apply_walk_every_match_once(seeded: GraphStore, marked: ReportVerdict) -> None:
    """A filter the database does not apply (the reports' marks) with pages of 1: a server store reads candidates a
    database page at a time until the page is full, so a rare match lies many database pages in."""
    everything = [c.key for c in seeded.find_claims(ClaimQuery(report_verdict=marked))]
    assert everything, f"the seeds have claims marked {marked}"
    walked: list[str] = []
    cursor: str | None = None
    while True:
        page = seeded.find_claims(ClaimQuery(report_verdict=marked, after=cursor, limit=1))
        walked += [c.key for c in page]
        if not page:
            break
        cursor = page[-1].key
    assert walked == everything
    last = seeded.find_claims(ClaimQuery(report_verdict=marked, after=everything[-1], limit=1))
    assert last == []


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


def test_verdict_filters_agree_with_a_scan_and_narrow_in_the_database(seeded: GraphStore) -> None:
    from kg.store import cypher
    from kg.store.cypher_store import CypherStore

    keys = [n.key for n in seeded.iter_nodes(NodeLabel.CLAIM)]
    given = dict(zip(keys[:5], ["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO", "SUPPORTED", "REFUTED"], strict=True))
    for claim, label in given.items():
        seeded.apply(verdict_batch(claim, label))
    for wanted in ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO", "unchecked"):
        expected = sorted(k for k in keys if given.get(k, "unchecked") == wanted)
        assert [c.key for c in seeded.find_claims(ClaimQuery(verdict=wanted))] == expected, wanted  # type: ignore[arg-type]
        both = seeded.find_claims(ClaimQuery(verdict=wanted, benchmark="XNLI"))  # type: ignore[arg-type]
        assert all(given.get(c.key, "unchecked") == wanted and "XNLI" in c.benchmarks for c in both)
        if isinstance(seeded, CypherStore):  # the candidates the database returns are already only these claims
            rows = seeded.executor.read(*cypher.claim_keys(verdict=wanted))
            assert [r["key"] for r in rows] == expected, wanted


def _in_row_order(store: GraphStore, report: NodeRef) -> list[tuple[int, str, str]]:
    """Every assertion of a report as (row, relationship key, claim), sorted here: what paging must give back."""
    rels = store.relationships_of([report], RelType.ASSERTS, "out")[report]
    return sorted((int(r.props.get("row") or 0), r.key, r.end.key) for r in rels)  # type: ignore[arg-type]


def test_report_pages_walk_every_assertion_once_in_row_order(seeded: GraphStore) -> None:
    for report in seeded.iter_nodes(NodeLabel.REPORT):
        walked: list[tuple[int, str, str]] = []
        after = None
        while True:
            page = seeded.assertions_page(report.ref, after=after, limit=4)
            walked += [(int(rel.props.get("row") or 0), rel.key, claim.key) for rel, claim in page.rows]  # type: ignore[arg-type]
            assert all(claim.props.get("text") for _, claim in page.rows)
            expected = _in_row_order(seeded, report.ref)
            assert page.total == len(expected)
            assert page.verified == sum(
                bool(r.props.get("verified"))
                for r in seeded.relationships_of([report.ref], RelType.ASSERTS, "out")[report.ref]
            )
            if page.next_after is None:
                break
            assert len(page.rows) == 4
            after = page.next_after
        assert walked == expected, report.key


def test_report_pages_keep_rows_that_share_a_number_apart(store: GraphStore) -> None:
    """Two claim files can assert into one named report from the same line number: the key breaks the tie."""
    report = NodeRef(label=NodeLabel.REPORT, key="named")
    claims = [Node(label=NodeLabel.CLAIM, key=f"c{i}", props={"text": f"Claim {i}."}) for i in range(5)]
    rows = [(2, "b:2"), (1, "b:1"), (1, "a:1"), (3, "a:3"), (2, "a:2")]
    store.apply(
        GraphBatch(
            source="named",
            nodes=[Node(label=NodeLabel.REPORT, key="named", props={"title": "N"}), *claims],
            relationships=[
                Relationship(type=RelType.ASSERTS, start=report, end=c.ref, key=k, props={"row": r, "verified": r == 2})
                for c, (r, k) in zip(claims, rows, strict=True)
            ],
        )
    )
    first = store.assertions_page(report, after=None, limit=2)
    second = store.assertions_page(report, after=first.next_after, limit=2)
    third = store.assertions_page(report, after=second.next_after, limit=2)
    keys = [rel.key for page in (first, second, third) for rel, _ in page.rows]
    assert keys == ["a:1", "b:1", "a:2", "b:2", "a:3"]
    assert (first.total, first.verified, third.next_after) == (5, 2, None)
    assert store.first_claims_of_reports(["named", "none"], 3) == {"named": ["c2", "c1", "c4"], "none": []}


def test_first_claims_of_reports_are_the_first_page_of_each(seeded: GraphStore) -> None:
    reports = [r.ref for r in seeded.iter_nodes(NodeLabel.REPORT)]
    counter = count_round_trips(seeded)
    firsts = seeded.first_claims_of_reports([r.key for r in reports], 3)
    assert counter is None or counter.reads == 1
    for report in reports:
        assert firsts[report.key] == [claim for _, _, claim in _in_row_order(seeded, report)[:3]]
