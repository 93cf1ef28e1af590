"""Papers from arXiv through the real `arxiv` client, served recorded responses on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from claimgraph.services import ClaimGraph
from ingest.arxiv_source import ArxivSource, PaperCache
from kg.store.embedded import EmbeddedStore
from schemas.graph import NodeLabel, RelType
from schemas.paper import PaperRecord
from tests.arxiv_server import ArxivServer
from tests.conftest import arxiv_settings

NINE = [
    "2104.08645",
    "2409.10965",
    "2005.13013",
    "2202.13654",
    "2104.07412",
    "2003.11080",
    "2506.15415",
    "2104.08757",
    "2104.08726",
]


def source(tmp_path: Path, arxiv: ArxivServer, **overrides: object) -> ArxivSource:
    settings = arxiv_settings(tmp_path, arxiv.url, **overrides)
    return ArxivSource(settings.arxiv, PaperCache(tmp_path / "arxiv"), sleep=lambda _: None)


def examined(data_dir: Path) -> dict[str, tuple[str, str]]:
    with EmbeddedStore(data_dir, read_only=True) as store:
        reports = {n.key: str(n.props["source_name"])[:3] for n in store.iter_nodes(NodeLabel.REPORT)}
        return {
            reports[r.start.key]: (r.end.key, str(r.props["resolution"]))
            for r in store.iter_relationships(RelType.EXAMINES)
        }


def test_seeds_get_nine_papers_and_resolved_examined_titles(
    tmp_path: Path, seeds_dir: Path, arxiv: ArxivServer
) -> None:
    service = ClaimGraph(arxiv_settings(tmp_path, arxiv.url))
    run = service.ingestion.ingest([seeds_dir], link_paraphrases=False, papers=True)
    assert run.papers is not None
    assert sorted(run.papers.fetched) == sorted(NINE) and run.papers.failed == [] and run.papers.missing == []
    assert run.papers.http_requests == len(arxiv.recorded.requests) == 1  # nine ids, one batch
    papers = {p.key: p.props for p in service.papers.nodes()}
    assert sorted(papers) == sorted(NINE)  # the two title-only placeholders are gone
    assert all(p["abstract"] and p["abstract_sentences"] for p in papers.values())
    assert papers["2104.08645"]["latest_version"] == "v2" and papers["2003.11080"]["latest_version"] == "v5"
    assert papers["2104.08645"]["authors"] == ["Kuan-Hao Huang", "Wasi Uddin Ahmad", "Nanyun Peng", "Kai-Wei Chang"]
    assert examined(tmp_path) == {
        "000": ("2104.08645", "exact-title"),
        "001": ("2104.08645", "exact-title"),
        "003": ("2104.08645", "exact-title"),
        "002": ("2005.13013", "exact-title"),
        "004": ("2005.13013", "exact-title"),
    }
    with EmbeddedStore(tmp_path, read_only=True) as store:  # cited versions stay on the CITES relationships
        versions = {(r.end.key, r.props["version"]) for r in store.iter_relationships(RelType.CITES)}
    assert ("2003.11080", "v5") in versions and ("2104.08645", "v2") in versions


def test_second_run_makes_no_request_and_changes_nothing(tmp_path: Path, seeds_dir: Path, arxiv: ArxivServer) -> None:
    service = ClaimGraph(arxiv_settings(tmp_path, arxiv.url))
    service.ingestion.ingest([seeds_dir], link_paraphrases=False, papers=True)
    before = service.queries.stats()
    arxiv.reset()
    again = service.ingestion.ingest([seeds_dir], link_paraphrases=False, papers=True)
    assert {o.status for o in again.files.outcomes} == {"unchanged"}
    assert again.papers is not None and again.papers.http_requests == 0 and arxiv.recorded.requests == []
    assert not again.papers.written.changed
    assert service.queries.stats() == before
    refetch = service.papers.fetch(refresh=True)
    assert refetch.http_requests == 1 and sorted(refetch.fetched) == sorted(NINE)


def cited_by_file(data_dir: Path) -> dict[str, set[str]]:
    """Paper keys cited by each report, by the report's source file name."""
    with EmbeddedStore(data_dir, read_only=True) as store:
        names = {n.key: str(n.props["source_name"]) for n in store.iter_nodes(NodeLabel.REPORT)}
        cited: dict[str, set[str]] = {name: set() for name in names.values()}
        for rel in store.iter_relationships(RelType.CITES):
            cited[names[rel.start.key]].add(rel.end.key)
    return cited


def test_an_ingest_fetches_the_papers_its_own_files_cite(
    tmp_path: Path, seed_files: list[Path], arxiv: ArxivServer
) -> None:
    service = ClaimGraph(arxiv_settings(tmp_path, arxiv.url))
    earlier, later = seed_files[0], seed_files[2]
    service.ingestion.ingest([earlier], link_paraphrases=False, papers=True, offline=True)
    assert arxiv.recorded.requests == []
    run = service.ingestion.ingest([later], link_paraphrases=False, papers=True)
    cited = cited_by_file(tmp_path)
    own, earlier_only = cited[later.name], cited[earlier.name] - cited[later.name]
    assert own and earlier_only  # else this test could not tell the two scopes apart
    assert run.papers is not None and set(run.papers.fetched) == own and run.papers.requested == len(own)
    caught_up = service.papers.fetch()  # the whole store: what the offline ingest left
    assert set(caught_up.fetched) == earlier_only


def test_250_ids_take_three_requests(tmp_path: Path, arxiv: ArxivServer) -> None:
    unknown = [f"2101.{n:05d}" for n in range(241)]
    report = source(tmp_path, arxiv).fetch(NINE + unknown)
    assert len(arxiv.recorded.requests) == report.requests == 3  # 100 + 100 + 50 ids
    assert sorted(r.arxiv_id for r in report.fetched) == sorted(NINE)
    assert sorted(report.missing) == sorted(unknown)  # reported, not fatal


def test_paging_within_a_batch(tmp_path: Path, arxiv: ArxivServer) -> None:
    report = source(tmp_path, arxiv, arxiv_page_size=4).fetch(NINE)
    assert len(arxiv.recorded.requests) == 3  # 4 + 4 + 1 results
    assert [q.split("start=")[1].split("&")[0] for q in arxiv.recorded.requests] == ["0", "4", "8"]
    assert len(report.fetched) == 9


def test_503_then_success(tmp_path: Path, arxiv: ArxivServer) -> None:
    arxiv.recorded.fail_with = [503]
    report = source(tmp_path, arxiv).fetch(NINE[:2])
    assert len(arxiv.recorded.requests) == 2 and report.errors == []
    assert len(report.fetched) == 2


def test_persistent_failure_is_a_clear_error(tmp_path: Path, arxiv: ArxivServer) -> None:
    arxiv.recorded.fail_with = [503] * 10
    report = source(tmp_path, arxiv, arxiv_retries=2).fetch(NINE[:2])
    assert len(arxiv.recorded.requests) == 3
    assert report.failed == NINE[:2] and report.fetched == []
    assert report.errors == [f"arXiv API at {arxiv.url} failed for 2 id(s) after 3 attempt(s): HTTP 503"]


def test_timeout_writes_nothing(tmp_path: Path, seeds_dir: Path, arxiv: ArxivServer) -> None:
    service = ClaimGraph(arxiv_settings(tmp_path, arxiv.url, arxiv_timeout_seconds=0.3, arxiv_retries=1))
    service.ingestion.ingest([seeds_dir], link_paraphrases=False)
    before = {p.key: p.props for p in service.papers.nodes()}
    arxiv.recorded.stall_seconds = 1.0
    outcome = service.papers.fetch()
    assert sorted(outcome.failed) == sorted(NINE)
    assert any("timed out" in e for e in outcome.errors)
    assert {p.key: p.props for p in service.papers.nodes()} == before  # no paper half-written
    assert not (tmp_path / "arxiv").exists() or not any((tmp_path / "arxiv").iterdir())  # nothing cached
    assert service.queries.claims(benchmark="XNLI")  # and the rest of the graph still answers


def test_unknown_id_is_cached_as_missing(tmp_path: Path, arxiv: ArxivServer) -> None:
    first = source(tmp_path, arxiv).fetch(["2101.00001"])
    assert first.missing == ["2101.00001"] and first.errors == []
    second = source(tmp_path, arxiv).fetch(["2101.00001"])
    assert second.missing == ["2101.00001"] and second.requests == 0


def test_offline_uses_the_cache_only(tmp_path: Path, arxiv: ArxivServer) -> None:
    source(tmp_path, arxiv).fetch(NINE[:3])
    arxiv.reset()
    offline = source(tmp_path, arxiv).fetch(NINE[:5], offline=True)
    assert arxiv.recorded.requests == []
    assert sorted(r.arxiv_id for r in offline.cached) == sorted(NINE[:3])
    assert offline.failed == [] and offline.errors == []  # not asked for is not failed
    assert sorted(offline.not_fetched) == sorted(NINE[3:5])


def test_cache_entries_carry_their_fetch_time(tmp_path: Path, arxiv: ArxivServer) -> None:
    source(tmp_path, arxiv).fetch(NINE[:1])
    entry = json.loads((tmp_path / "arxiv" / f"{NINE[0]}.json").read_text())
    assert entry["fetched_at"].endswith("+00:00")
    assert PaperRecord.model_validate(entry["record"]).title.startswith("Improving Zero-Shot")


def test_examined_title_found_by_title_search(tmp_path: Path, seed_files: list[Path], arxiv: ArxivServer) -> None:
    title = "XTREME: A Massively Multilingual Multi-task Benchmark for Evaluating Cross-lingual Generalization"
    text = (
        seed_files[0]
        .read_text(encoding="utf-8")
        .replace(
            "This paper examines: Improving Zero-Shot Cross-Lingual Transfer Learning via Robust Training.",
            f"This paper examines: {title}.",
        )
    )
    report = tmp_path / "report.txt"
    report.write_text(text, encoding="utf-8")
    service = ClaimGraph(arxiv_settings(tmp_path / "data", arxiv.url))
    run = service.ingestion.ingest([report], link_paraphrases=False, papers=True)
    assert run.papers is not None
    [resolution] = run.papers.examined
    assert (resolution.paper, resolution.how) == ("2003.11080", "arxiv-title-search")
    papers = {p.key: p.props for p in service.papers.nodes()}
    assert papers["2003.11080"]["found_by"] == "title-search" and papers["2104.08645"]["found_by"] == "cited"
    assert any("search_query=ti%3A%22XTREME" in q for q in arxiv.recorded.requests)


def kg(data_dir: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CLAIMGRAPH_DATA_DIR": str(data_dir),
        "CLAIMGRAPH_ARXIV_API_URL": url,
        "CLAIMGRAPH_ARXIV_DELAY_SECONDS": "0",
        "CLAIMGRAPH_ARXIV_BACKOFF_SECONDS": "0.01",
        "CLAIMGRAPH_ARXIV_TIMEOUT_SECONDS": "2",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "claimgraph.cli.app", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_cli_papers_commands(tmp_path: Path, seeds_dir: Path, arxiv: ArxivServer) -> None:
    ingest = kg(tmp_path, arxiv.url, "ingest", "--no-paraphrases", str(seeds_dir))
    assert ingest.returncode == 0, ingest.stderr
    assert "papers: 9 fetched, 0 from cache, 0 unknown to arXiv, 0 failed, 1 HTTP request(s)" in ingest.stdout
    listed = json.loads(kg(tmp_path, arxiv.url, "papers", "list", "--json").stdout)
    assert listed["count"] == 9 and all(p["abstract"] for p in listed["papers"])
    again = kg(tmp_path, arxiv.url, "papers", "fetch")
    assert again.returncode == 0 and "0 HTTP request(s)" in again.stdout
    added = kg(tmp_path, arxiv.url, "papers", "add", "2101.99999", "--json")
    assert added.returncode == 0 and json.loads(added.stdout)["missing"] == ["2101.99999"]
    bad = kg(tmp_path, arxiv.url, "papers", "add", "not-an-id")
    assert bad.returncode == 2 and "not arXiv ids: not-an-id" in bad.stderr


def test_cli_unreachable_api_keeps_the_ingest(tmp_path: Path, seeds_dir: Path) -> None:
    dead = "http://127.0.0.1:9/api/query"  # discard port: nothing listens
    ingest = kg(tmp_path, dead, "ingest", "--no-paraphrases", str(seeds_dir))
    assert ingest.returncode == 0, ingest.stderr
    assert "5 ingested" in ingest.stdout and "cannot connect" in ingest.stderr
    fetch = kg(tmp_path, dead, "papers", "fetch")
    assert fetch.returncode == 6 and "9 paper(s) could not be fetched" in fetch.stderr
