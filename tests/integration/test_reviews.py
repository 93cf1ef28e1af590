"""The review loop end to end: the CLI, re-verify, export/import between stores, migrate to the servers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from claimgraph.services import AdminService, ClaimGraph
from kg.settings import Settings
from kg.store.registry import store_for
from schemas.views import ClaimQuery
from tests.conftest import empty_server_graph


def kg(data_dir: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "claimgraph.cli.app", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200", "HF_HUB_OFFLINE": "1"},
    )
    assert (done.returncode == 0) == ok, done.stderr
    return done


@pytest.fixture
def demo_copy(demo_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(demo_dir, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def _reviews(data_dir: Path) -> dict[str, list[tuple[str, str, str]]]:
    claims = json.loads(kg(data_dir, "claims", "--json").stdout)["claims"]
    return {c["key"]: [(r["verdict"], r["reviewer"], r["note"]) for r in c["reviews"]] for c in claims if c["reviews"]}


def test_a_researcher_reviews_the_top_of_the_queue_and_re_verify_keeps_the_label(demo_copy: Path) -> None:
    queue = json.loads(kg(demo_copy, "review", "queue", "--json", "--limit", "3").stdout)
    assert len(queue) == 3 and all(item["reasons"] for item in queue)
    assert [item["priority"] for item in queue] == sorted((item["priority"] for item in queue), reverse=True)
    top = queue[0]["claim"]
    added = kg(
        demo_copy, "review", "add", top[:8], "refuted", "--note", "[red]Table 3[/red] says otherwise", "--by", "ana"
    )
    assert f"of {top}: REFUTED by ana — recorded" in added.stdout
    assert top not in [item["claim"] for item in json.loads(kg(demo_copy, "review", "queue", "--json").stdout)]
    ClaimGraph(Settings(data_dir=demo_copy)).verification.verify(claim=top, force=True)  # re-verify the claim
    [view] = ClaimGraph(Settings(data_dir=demo_copy)).queries.find(ClaimQuery(keys=[top]))
    assert view.verdict is not None and view.review is not None and view.review.verdict == "REFUTED"
    assert view.status_by == "review"
    explained = kg(demo_copy, "explain", top).stdout
    assert "REFUTED by ana" in explained and "note: [red]Table 3[/red] says otherwise" in explained  # literal text
    kg(demo_copy, "review", "add", top, "SUPPORTED", "--by", "ana")
    log = kg(demo_copy, "review", "log").stdout.splitlines()
    assert [line.split()[2] for line in log] == ["created", "changed"]
    assert "REFUTED -> SUPPORTED" in log[1]


def test_reviews_exported_from_one_store_import_into_another_once(
    demo_copy: Path, seeded_copy: Path, tmp_path: Path
) -> None:
    queue = json.loads(kg(demo_copy, "review", "queue", "--json", "--limit", "2").stdout)
    for item, label in zip(queue, ["SUPPORTED", "NEI"], strict=True):
        kg(demo_copy, "review", "add", item["claim"], label, "--by", "bo", "--note", f"checked {label}")
    exported = tmp_path / "reviews.jsonl"
    assert "2 review(s) written" in kg(demo_copy, "review", "export", str(exported)).stdout
    assert "2 new, 0 changed" in kg(seeded_copy, "review", "import", str(exported)).stdout
    assert "0 new, 0 changed" in kg(seeded_copy, "review", "import", str(exported)).stdout  # the same again
    assert _reviews(seeded_copy) == _reviews(demo_copy)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(exported.read_text().splitlines()[0] + '\n{"claim": "c_x", "verdict": "MAYBE"}\n')
    failed = kg(seeded_copy, "review", "import", str(bad), ok=False)
    assert failed.returncode == 3 and "bad.jsonl:2:" in failed.stderr
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text('{"claim": "c_nowhere", "verdict": "REFUTED", "reviewer": "x"}\n')
    assert "nothing was written" in kg(seeded_copy, "review", "import", str(unknown), ok=False).stderr


@pytest.mark.parametrize("backend", ["falkordb", "neo4j"])
def test_reviews_migrate_to_a_server_with_their_audit_log(
    request: pytest.FixtureRequest, backend: str, demo_copy: Path
) -> None:
    queue = json.loads(kg(demo_copy, "review", "queue", "--json", "--limit", "1").stdout)
    kg(demo_copy, "review", "add", queue[0]["claim"], "REFUTED", "--by", "cy", "--note", "n")
    kg(demo_copy, "review", "add", queue[0]["claim"], "SUPPORTED", "--by", "cy", "--note", "n2")
    uri = empty_server_graph(request, backend, "reviews")
    AdminService.migrate(f"embedded://{demo_copy}", uri)
    with store_for(f"embedded://{demo_copy}") as here, store_for(uri) as there:
        mine = here.find_claims(ClaimQuery(keys=[queue[0]["claim"]]))
        theirs = there.find_claims(ClaimQuery(keys=[queue[0]["claim"]]))
        assert [v.reviews for v in theirs] == [v.reviews for v in mine] and mine[0].reviews[0].changes == 2
    served = ClaimGraph(Settings(store=uri)).reviews.log()
    assert [(e.action, e.after["verdict"]) for e in served] == [("created", "REFUTED"), ("changed", "SUPPORTED")]
