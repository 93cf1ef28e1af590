"""The `kg` command line, run as a real process: output, JSON shapes, exit codes, stderr."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import SEEDS


def kg(*args: str, data_dir: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLAIMGRAPH_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "claimgraph.cli.app", *args], env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "kg"
    assert script.exists() or shutil.which("kg"), "pip install -e . should install the `kg` script"


def test_xnli_question_json(seeded_dir: Path) -> None:
    payload = json.loads(kg("claims", "--benchmark", "XNLI", "--json", data_dir=seeded_dir).stdout)
    by_text = {c["text"][:30]: c for c in payload["claims"]}
    assert payload["count"] == 2
    xnli = by_text["The cross-lingual transfer per"]
    assert xnli["report_verdict"] == "unverified"
    assert [(a["verified"], a["source_name"][:3]) for a in xnli["assertions"]] == [
        (False, "000"),
        (False, "001"),
        (False, "003"),
    ]
    tydi = by_text["TyDiQA shows consistent improv"]
    assert tydi["report_verdict"] == "verified" and len(tydi["assertions"]) == 2
    marked = json.loads(
        kg("claims", "--benchmark", "xnli", "--marked", "Verified", "--json", data_dir=seeded_dir).stdout
    )
    assert [c["key"] for c in marked["claims"]] == [tydi["key"]]
    # seeded_dir is not verified: --verified (the verifier found SUPPORTED) finds nothing, and says so
    verified = kg("claims", "--benchmark", "xnli", "--verified", "--json", data_dir=seeded_dir)
    assert json.loads(verified.stdout)["count"] == 0
    assert {c["status"] for c in payload_claims(seeded_dir)} <= {"asserted-only", "unconfirmed", "disputed"}


def payload_claims(data_dir: Path) -> list[dict[str, object]]:
    claims: list[dict[str, object]] = json.loads(kg("claims", "--limit", "0", "--json", data_dir=data_dir).stdout)[
        "claims"
    ]
    return claims


def test_conflicts_json(seeded_dir: Path) -> None:
    payload = json.loads(kg("conflicts", "--json", data_dir=seeded_dir).stdout)
    kinds = sorted((c["kind"], c["texts"][0][:25]) for c in payload["conflicts"])
    assert kinds == [
        ("paraphrase_disagree", "Most approaches for embedd"[:25]),
        ("reports_disagree", "Syntactic features requir"),
    ]


def test_stats_json_is_stable_across_reingest(seeded_copy: Path, seeds_dir: Path) -> None:
    before = kg("stats", "--json", data_dir=seeded_copy).stdout
    assert json.loads(before)["nodes"]["Claim"] == 31
    again = kg("ingest", "--offline", str(seeds_dir), data_dir=seeded_copy)
    assert "0 ingested, 5 unchanged, 0 failed" in again.stdout
    assert kg("stats", "--json", data_dir=seeded_copy).stdout == before


def test_ingest_ends_without_teardown_but_with_its_output_and_store_whole(tmp_path: Path, seeds_dir: Path) -> None:
    """`kg ingest` leaves the process by os._exit (skip_teardown): its JSON still arrives whole, and the store,
    closed before, holds every claim for the next process."""
    store = tmp_path / "store"
    payload = json.loads(kg("ingest", "--offline", "--json", str(seeds_dir), data_dir=store).stdout)
    assert payload["ok"] and [f["status"] for f in payload["files"]] == ["ingested"] * 5
    assert payload["paraphrase_links"]["relationships_created"] == 4
    assert not list(store.glob("*-wal"))  # every database was closed before the exit (the last close removes it)
    assert json.loads(kg("stats", "--json", data_dir=store).stdout)["nodes"]["Claim"] == 31


def test_malformed_file_exit_code_and_message(tmp_path: Path, seed_files: list[Path]) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(seed_files[0], folder)
    bad_text = seed_files[1].read_text(encoding="utf-8").replace("\t✓\t0.21\n", "\t✓\tabc\n", 1)
    (folder / "zz_bad.txt").write_text(bad_text, encoding="utf-8")
    bad_line = bad_text.splitlines().index(next(x for x in bad_text.splitlines() if x.endswith("\tabc"))) + 1
    done = kg("ingest", "--no-paraphrases", "--offline", str(folder), data_dir=tmp_path / "store", check=False)
    assert done.returncode == 3
    assert f"zz_bad.txt:{bad_line}: confidence is not a number: 'abc'" in done.stderr
    assert "1 ingested, 0 unchanged, 1 failed" in done.stdout
    stats = json.loads(kg("stats", "--json", data_dir=tmp_path / "store").stdout)
    assert stats["nodes"]["Report"] == 1 and stats["relationships"]["ASSERTS"] == 11


def test_unknown_filter_value_is_a_usage_error(seeded_dir: Path) -> None:
    done = kg("claims", "--benchmark", "NOPE", data_dir=seeded_dir, check=False)
    assert done.returncode == 2
    assert "unknown benchmark 'NOPE'; known benchmarks:" in done.stderr and "XNLI" in done.stderr


def test_misplaced_option_is_a_usage_error_not_a_traceback(seeded_dir: Path) -> None:
    done = kg("claims", "--data-dir", str(seeded_dir), data_dir=seeded_dir, check=False)
    assert done.returncode == 2
    assert "No such option: --data-dir" in done.stderr and "Traceback" not in done.stderr


def test_claims_come_in_pages_that_walk_every_claim_once(seeded_dir: Path) -> None:
    every = json.loads(kg("claims", "--limit", "0", "--json", data_dir=seeded_dir).stdout)
    assert every["next"] is None and every["count"] > 20
    seen: list[str] = []
    after: list[str] = []
    while True:
        page = json.loads(kg("claims", "--limit", "7", *after, "--json", data_dir=seeded_dir).stdout)
        seen += [c["key"] for c in page["claims"]]
        if page["next"] is None:
            break
        after = ["--after", page["next"]]
    assert seen == [c["key"] for c in every["claims"]]


def test_contradictory_flags_are_rejected(seeded_dir: Path) -> None:
    done = kg("claims", "--conflicting", "--marked", "verified", data_dir=seeded_dir, check=False)
    assert done.returncode == 2 and "cannot be combined" in done.stderr
    done = kg("claims", "--verified", "--verdict", "refuted", data_dir=seeded_dir, check=False)
    assert done.returncode == 2 and "cannot be combined" in done.stderr
    done = kg("claims", "--status", "maybe", data_dir=seeded_dir, check=False)
    assert done.returncode == 2 and "--status must be one of verified, refuted, disputed" in done.stderr


@pytest.mark.parametrize("fmt", ["graphml", "json"])
def test_export(seeded_dir: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"graph.{fmt}"
    kg("export", "--format", fmt, str(target), data_dir=seeded_dir)
    if fmt == "graphml":
        graph = nx.read_graphml(target)
    else:
        graph = nx.node_link_graph(json.loads(target.read_text()), edges="relationships")
    labels = [d["label"] for _, d in graph.nodes(data=True)]
    assert labels.count("Claim") == 31 and labels.count("Report") == 5
    asserts = [d for _, _, d in graph.edges(data=True) if d["type"] == "ASSERTS"]
    assert len(asserts) == 54


def test_help_teaches(tmp_path: Path) -> None:
    top = kg("--help", data_dir=tmp_path).stdout
    assert "kg ingest examples/reports" in top
    ingest_help = kg("ingest", "--help", data_dir=tmp_path).stdout
    assert "FILE:LINE: REASON" in ingest_help and "--no-paraphrases" in ingest_help


def test_a_read_where_there_is_no_store_says_so(tmp_path: Path) -> None:
    done = kg("claims", "--benchmark", "XNLI", data_dir=tmp_path / "nowhere", check=False)
    assert done.returncode == 2 and "no ClaimGraph store at" in done.stderr and "kg ingest" in done.stderr
    assert not (tmp_path / "nowhere").exists()  # a read creates nothing


def test_export_takes_its_format_from_the_file_name(seeded_dir: Path, tmp_path: Path) -> None:
    kg("export", str(tmp_path / "graph.graphml"), data_dir=seeded_dir)
    assert (tmp_path / "graph.graphml").read_text(encoding="utf-8").startswith("<?xml")
    kg("export", str(tmp_path / "graph.json"), data_dir=seeded_dir)
    assert json.loads((tmp_path / "graph.json").read_text(encoding="utf-8"))["nodes"]
    done = kg("export", str(tmp_path / "graph.txt"), data_dir=seeded_dir, check=False)
    assert done.returncode == 2 and "cannot tell the export format" in done.stderr


def test_a_sized_model_matches_its_family_and_a_family_says_what_it_leaves_out(seeded_dir: Path) -> None:
    sized = kg("claims", "--model", "XLM-R XXL", "--json", data_dir=seeded_dir)
    family = kg("claims", "--model", "XLM-R", "--json", data_dir=seeded_dir)
    assert json.loads(sized.stdout)["count"] == json.loads(family.stdout)["count"] > 0
    assert "matching its family XLM-R" in sized.stderr
    bert = kg("claims", "--model", "BERT", "--json", data_dir=seeded_dir)
    assert "not included:" in bert.stderr and "mBERT" in bert.stderr


def test_markup_in_data_prints_literally_and_does_not_crash_the_cli(tmp_path: Path) -> None:
    """Claim texts, titles and file names are data: rich markup in them is printed as written."""
    hostile = "Results on XNLI [/x] improve [bold red]a lot[/] with C:\\new\\table."
    report = tmp_path / "[red]notes[x].txt"
    report.write_text(
        f"[bold]A title[/bold]\n\nAn author\n\n2026-12-01\n\nExtracted Claims\n\nClaim\tVerified\tConfidence\n{hostile}\t✓\t0.5\n",
        encoding="utf-8",
    )
    data_dir = tmp_path / "store"
    ingested = kg("ingest", "--offline", "--no-paraphrases", str(report), data_dir=data_dir)
    assert "[red]notes[x].txt" in ingested.stdout
    listed = kg("claims", data_dir=data_dir)
    assert "[/x]" in listed.stdout and "[bold red]" in listed.stdout
    key = json.loads(kg("claims", "--json", data_dir=data_dir).stdout)["claims"][0]["key"]
    explained = kg("explain", key, data_dir=data_dir)
    assert hostile in explained.stdout.replace("\n", "") and "[bold]A title[/bold]" in explained.stdout


def test_a_data_dir_with_uri_characters_in_its_name_reads_back(tmp_path: Path) -> None:
    data_dir = tmp_path / "runs #1?final 100%"
    kg("ingest", "--offline", "--no-paraphrases", str(SEEDS / "000_9d9b0186167b53ff.txt"), data_dir=data_dir)
    listed = json.loads(kg("claims", "--limit", "0", "--json", data_dir=data_dir).stdout)
    assert listed["count"] == 11
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs #1?final 100%"]  # no stray file beside it
