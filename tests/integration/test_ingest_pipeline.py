"""The ingest pipeline over files: batches, failures, idempotency, CRLF copies, claim files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ingest.pipeline import Ingestor, SourceOutcome, discover
from ingest.report_parser import parse_report
from kg.extraction.gazetteer import Gazetteer
from kg.graph.builder import report_key
from kg.store.embedded import EmbeddedStore
from schemas.graph import NodeLabel, NodeRef, RelType
from schemas.views import ClaimQuery


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    opened = EmbeddedStore(tmp_path / "store")
    opened.open()
    yield opened  # type: ignore[misc]
    opened.close()


def test_ingest_order_does_not_change_the_graph(tmp_path: Path, seed_files: list[Path], gazetteer: Gazetteer) -> None:
    stats = []
    for name, files in (("forward", seed_files), ("backward", list(reversed(seed_files)))):
        with EmbeddedStore(tmp_path / name) as store:
            for path in files:  # one call per file, so the order really is the given one
                assert Ingestor(store, gazetteer).ingest([path]).ok
            stats.append(store.stats())
    assert stats[0] == stats[1]


def test_crlf_copy_of_a_report_is_the_same_report(
    store: EmbeddedStore, seed_files: list[Path], gazetteer: Gazetteer, tmp_path: Path
) -> None:
    crlf = tmp_path / "copy.txt"
    crlf.write_bytes(seed_files[0].read_bytes().replace(b"\n", b"\r\n"))
    first, second = Ingestor(store, gazetteer).ingest([seed_files[0], crlf]).outcomes
    assert first.report == second.report
    # only the report's source_name property moves to the newer file name
    assert second.written.model_dump() == {
        "nodes_created": 0,
        "nodes_updated": 1,
        "relationships_created": 0,
        "relationships_updated": 0,
        "relationships_deleted": 0,
        "nodes_deleted": 0,
    }
    assert store.stats().nodes["Report"] == 1
    assert store.stats().relationships["ASSERTS"] == 11


def test_report_key_ignores_file_name_and_line_numbers(seed_files: list[Path]) -> None:
    text = seed_files[3].read_text(encoding="utf-8")
    assert report_key(parse_report(text, "a.txt")) == report_key(parse_report("\n\n" + text, "b.txt"))


def test_a_bad_file_does_not_stop_the_batch(
    store: EmbeddedStore, seeds_dir: Path, tmp_path: Path, gazetteer: Gazetteer
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Title\n\nA\n\nJuly 1, 2026\n\nExtracted Claims\n\nClaim\tVerified\tConfidence\nX.\t✓\n")
    missing = tmp_path / "missing.txt"
    result = Ingestor(store, gazetteer).ingest([bad, seeds_dir, missing])
    failed = {Path(o.path).name: o.errors for o in result.failed}
    assert failed == {
        "bad.txt": ["bad.txt:10: expected 3 cells like the header, found 2"],
        "missing.txt": [f"{missing}: no such file"],
    }
    assert sum(o.status == "ingested" for o in result.outcomes) == 5
    assert store.stats().nodes["Report"] == 5


def test_non_utf8_file_is_reported_with_its_line(store: EmbeddedStore, tmp_path: Path, gazetteer: Gazetteer) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"Title\n\nBy Jos\xe9\n")
    [outcome] = Ingestor(store, gazetteer).ingest([latin]).outcomes
    assert outcome.status == "failed"
    assert outcome.errors == ["latin.txt:3: not UTF-8 text (byte offset 13)"]


def test_discover_sorts_folders_and_deduplicates(seeds_dir: Path, seed_files: list[Path]) -> None:
    files, problems = discover([seeds_dir, seed_files[0]])
    assert files == [p.resolve() for p in seed_files]
    assert problems == []


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_claim_file_merges_with_report_claims(
    store: EmbeddedStore, seed_files: list[Path], gazetteer: Gazetteer, tmp_path: Path
) -> None:
    Ingestor(store, gazetteer).ingest([seed_files[0]])
    existing = next(iter(store.iter_nodes(NodeLabel.REPORT))).key
    claims = write_jsonl(
        tmp_path / "pipeline.jsonl",
        [
            {
                "text": "The cross-lingual transfer performance improves by 1.6 points on XNLI.",
                "verified": True,
                "confidence": 0.9,
                "papers": ["2104.08645v2"],
            },
            {
                "text": "XLM-R reaches 80 points on a new task.",
                "verified": False,
                "confidence": 0.3,
                "report": existing,
                "entities": {"benchmarks": ["AmericasNLI"], "languages": ["Quechua"]},
            },
        ],
    )
    result = Ingestor(store, gazetteer).ingest([claims])
    assert result.ok, result.failed
    xnli = store.find_claims(ClaimQuery(benchmark="XNLI", report_verdict="conflicting"))
    assert len(xnli) == 1 and len(xnli[0].assertions) == 2  # report said ×, pipeline says ✓
    new = store.find_claims(ClaimQuery(benchmark="AmericasNLI"))
    assert [c.languages for c in new] == [["qu"]]
    assert [a.report for a in new[0].assertions] == [existing]
    report = store.get_node(NodeRef(label=NodeLabel.REPORT, key=existing))
    assert report is not None and report.props["title"].startswith("Computational Efficiency")  # not overwritten
    again = Ingestor(store, gazetteer).ingest([claims])
    assert [o.status for o in again.outcomes] == ["unchanged"]


def test_bad_claim_file_is_rejected_whole(store: EmbeddedStore, gazetteer: Gazetteer, tmp_path: Path) -> None:
    claims = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            {"text": "Fine claim.", "verified": True, "confidence": 0.5, "report": "r"},
            {"text": "No source.", "verified": True, "confidence": 0.5},
        ],
    )
    [outcome] = Ingestor(store, gazetteer).ingest([claims]).outcomes
    assert outcome.errors == ["bad.jsonl:2: a claim needs a source: set 'report' or a non-empty 'papers'"]
    assert store.stats().nodes["Claim"] == 0


def test_reingesting_after_the_gazetteer_changes_replaces_entities_and_results(tmp_path: Path) -> None:
    """The old gazetteer's links and results go; the graph is what a fresh ingest with the new one gives."""
    from claimgraph.services import ClaimGraph
    from kg.settings import Settings
    from tests.conftest import SEEDS

    extra = tmp_path / "extra.toml"  # "XTREME and XGLUE" now name one benchmark; PAWS-X is renamed
    extra.write_text(
        '[[benchmark]]\nname = "PAWS-X"\naliases = ["PAWS-Xtra"]\n\n'
        '[[benchmark]]\nname = "CrossBench"\naliases = ["PAWS-X", "XNLI"]\n',
        encoding="utf-8",
    )
    changed = ClaimGraph(Settings(data_dir=tmp_path / "a"))
    changed.ingestion.ingest([SEEDS], link_paraphrases=False)
    before = changed.queries.stats()
    changed = ClaimGraph(Settings(data_dir=tmp_path / "a", gazetteer=extra))
    again = changed.ingestion.ingest([SEEDS], link_paraphrases=False)
    assert again.files.ok and any(o.status == "ingested" for o in again.files.outcomes)
    fresh = ClaimGraph(Settings(data_dir=tmp_path / "b", gazetteer=extra))
    fresh.ingestion.ingest([SEEDS], link_paraphrases=False)
    after, expected = changed.queries.stats(), fresh.queries.stats()
    for label in ("Claim", "Result"):
        assert after.nodes[label] == expected.nodes[label], (label, before.nodes[label], after.nodes[label])
    for rel in ("ABOUT", "MENTIONS", "REPORTS", "ON"):
        assert after.relationships[rel] == expected.relationships[rel], rel
    xnli = {c.key for c in changed.queries.find(changed.queries.query(benchmark="CrossBench"))}
    assert xnli == {c.key for c in fresh.queries.find(fresh.queries.query(benchmark="CrossBench"))} and xnli
    assert not any("XNLI" in c.benchmarks for c in changed.queries.claims())  # the old links are gone
    assert {o.status for o in changed.ingestion.ingest([SEEDS], link_paraphrases=False).files.outcomes} == {
        "unchanged"
    }  # and a third ingest changes nothing


def test_a_benchmark_found_by_context_is_a_queryable_candidate(tmp_path: Path) -> None:
    from claimgraph.services import ClaimGraph
    from kg.settings import Settings
    from schemas.graph import NodeLabel, NodeRef
    from tests.unit.test_report_parser import make_report

    path = tmp_path / "cs.txt"
    claim = "Fine-tuning mBERT on code-switched data improves results by 2.5 points on the GLUECoS benchmark."
    path.write_text(make_report([f"{claim}\t✓\t0.4"]), encoding="utf-8")
    service = ClaimGraph(Settings(data_dir=tmp_path / "store"))
    assert service.ingestion.ingest([path], link_paraphrases=False).files.ok
    [found] = service.queries.claims(benchmark="GLUECoS")
    assert found.text == claim and [(r.value, r.benchmark) for r in found.results] == [(2.5, "GLUECoS")]
    node = service.queries.nodes([NodeRef(label=NodeLabel.BENCHMARK, key="GLUECoS")])
    benchmark = node[NodeRef(label=NodeLabel.BENCHMARK, key="GLUECoS")]
    assert benchmark is not None and benchmark.props["candidate"] is True


def _whole_graph(store: EmbeddedStore) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    nodes = [(n.label, n.key, n.props) for label in NodeLabel for n in store.iter_nodes(label)]
    rels = [
        (r.type, r.start.key, r.end.key, r.key, r.props)
        for rel_type in RelType
        for r in store.iter_relationships(rel_type)
    ]
    return nodes, rels


def test_claims_settled_earlier_in_a_run_are_only_asserted_and_the_graph_is_as_file_by_file(
    tmp_path: Path, seed_files: list[Path], gazetteer: Gazetteer
) -> None:
    """Later reports of one run only assert the claims earlier ones wrote (build_report_batch's ``settled``);
    the graph and every file's summary are what ingesting each file in a run of its own gives. A claim file
    in between, whose producer names a claim's entities, unsettles that claim: the next report rewrites it."""
    first = seed_files[0]
    rows = parse_report(first.read_text(encoding="utf-8"), first.name).rows
    claim = next(row.text_as_written for row in rows if not row.truncated)
    copies = []
    for n, source in enumerate([first, seed_files[1], first]):  # another title: another report, the same claims
        lines = source.read_text(encoding="utf-8").split("\n")
        title = next(i for i, line in enumerate(lines) if line.strip())
        lines[title] += f" (copy {n})"
        copy = tmp_path / "corpus" / f"{n + 6}_copy.txt"
        copy.parent.mkdir(exist_ok=True)
        copy.write_text("\n".join(lines), encoding="utf-8")
        copies.append(copy)
    named = write_jsonl(
        tmp_path / "corpus" / "7_named.jsonl",
        [
            {
                "text": claim,
                "verified": True,
                "confidence": 0.9,
                "report": "r",
                "entities": {"benchmarks": ["AmericasNLI"]},
            }
        ],
    )
    files = [*seed_files, copies[0], copies[1], named, copies[2]]

    with EmbeddedStore(tmp_path / "one-run") as store:
        ingestor = Ingestor(store, gazetteer, group_size=1)
        together = ingestor.ingest(files).outcomes
        graph = _whole_graph(store)
        prepared = ingestor.prepare(copies[0])  # a fourth copy of the first report: every claim settled now
        assert not isinstance(prepared, SourceOutcome)
        asserted = {
            rel.end.key for rel in store.iter_relationships(RelType.ASSERTS) if rel.start.key == together[0].report
        }
        assert set(prepared.built.settled_claims) == asserted
        assert not [n for n in prepared.batch.nodes if n.label == NodeLabel.CLAIM]
    with EmbeddedStore(tmp_path / "file-by-file") as store:
        alone = [Ingestor(store, gazetteer).ingest([path]).outcomes[0] for path in files]
        assert _whole_graph(store) == graph
    assert [(o.status, o.new_claims, o.written) for o in together] == [
        (o.status, o.new_claims, o.written) for o in alone
    ]
    americas = [rel for rel in graph[1] if rel[0] == RelType.ABOUT and rel[2] == "AmericasNLI"]
    assert americas == []  # the last copy rewrote the named claim's links from its text


def test_a_file_name_that_is_not_utf8_fails_nothing(
    store: EmbeddedStore, seeds_dir: Path, tmp_path: Path, gazetteer: Gazetteer
) -> None:
    """Linux names are bytes: an undecodable one is stored as U+FFFD and its group goes in (it failed them all)."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for seed in sorted(seeds_dir.iterdir())[:2]:
        shutil.copy(seed, folder / seed.name)
    odd = Path(os.fsdecode(os.fsencode(folder) + b"/caf\xe9 notes.txt"))  # a lone surrogate stands for the byte
    odd.write_bytes((seeds_dir / "003_5c31363324ac88fb.txt").read_bytes())
    result = Ingestor(store, gazetteer).ingest([folder])
    assert result.ok and sum(o.status == "ingested" for o in result.outcomes) == 3
    names = {o.path.rsplit("/", 1)[-1] for o in result.outcomes}
    assert "caf\ufffd notes.txt" in names
    assert json.dumps([o.model_dump() for o in result.outcomes])  # printable, storable
