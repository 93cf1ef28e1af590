"""Neo4j Browser for real: the demo data in a real Neo4j, Browser in headless chromium, our style, a saved query.

The test server serves Neo4j Browser (the ``neo4j-browser`` jar from Maven Central) at
``/browser/``. playwright-core (npm, ``tests/browser``) drives Debian's chromium: it logs in
with the password, applies ``docker/neo4j/claimgraph.grass`` with ``:style``, sets
``$benchmark`` and runs the saved query "Claims about a benchmark and their verdicts, as a
graph"; the test then checks what Browser drew against what Neo4j holds. With
``CLAIMGRAPH_SCREENSHOTS=docs/img`` the picture is kept (``make screenshots``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from claimgraph.services import ClaimGraph
from kg.settings import Settings
from kg.store.cypher_store import CypherStore
from kg.store.neo4j_server import PASSWORD
from kg.store.registry import store_for
from tests.conftest import REPO, SEEDS
from tests.integration.test_docker import saved_queries

if TYPE_CHECKING:
    from kg.store.neo4j_server import Neo4jServer

BROWSER_DIR = REPO / "tests" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
QUERY = "Claims about a benchmark and their verdicts, as a graph"
pytestmark = pytest.mark.slow


def browser_tools_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not CHROMIUM.exists():
        return "Debian chromium is not installed (apt-get install chromium; `make browser-deps` does it as root)"
    if not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        return "playwright-core is not installed: run `make browser-deps` (npm ci in tests/browser)"
    return None


def run_browser(script: str, job: dict[str, object]) -> dict[str, list[object]]:
    done = subprocess.run(
        ["node", str(BROWSER_DIR / script), json.dumps(job)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, list[object]] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def demo_in_neo4j(neo4j_server: Neo4jServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """What `make demo` does, into the real Neo4j: the samples, their papers, `kg verify`."""
    uri = neo4j_server.store_uri()
    with store_for(uri) as store:
        assert isinstance(store, CypherStore)
        store.clear()
    service = ClaimGraph(Settings(store=uri, data_dir=tmp_path_factory.mktemp("browser-cache")))
    assert service.ingestion.ingest([SEEDS], link_paraphrases=True).files.ok
    service.papers.import_file(REPO / "examples" / "papers.jsonl")
    service.verification.verify()
    return uri


def test_browser_draws_the_xnli_claims_with_their_verdicts(
    neo4j_server: Neo4jServer, demo_in_neo4j: str, tmp_path: Path
) -> None:
    missing = browser_tools_missing()
    if missing:
        pytest.skip(missing)
    query = dict(saved_queries())[QUERY]
    shots = os.environ.get("CLAIMGRAPH_SCREENSHOTS")
    screenshot = (Path(shots) if shots else tmp_path) / "neo4j-browser-xnli.png"
    drawn = run_browser(
        "neo4j_browser.mjs",
        {
            "http": neo4j_server.http_port,
            "bolt": neo4j_server.bolt_port,
            "password": PASSWORD,
            "grass": (REPO / "docker" / "neo4j" / "claimgraph.grass").read_text(encoding="utf-8"),
            "params": {"benchmark": "XNLI"},
            "query": query,
            "screenshot": str(screenshot),
        },
    )
    with store_for(demo_in_neo4j, read_only=True) as store:
        assert isinstance(store, CypherStore)
        rows = store.executor.read(
            "MATCH (r:Report)-[:ASSERTS]->(c:Claim)-[:ABOUT]->(:Benchmark {key: 'XNLI'}) "
            "OPTIONAL MATCH (c)-[:HAS_VERDICT]->(v:Verdict) "
            "RETURN collect(DISTINCT r.source_name) AS reports, collect(DISTINCT v.verdict) AS verdicts, "
            "count(DISTINCT c) AS claims",
            {},
        )
    [expected] = rows
    captions = [str(n["caption"]) for n in drawn["nodes"]]  # type: ignore[index]
    # one node per report, claim and verdict, plus the benchmark: what the query returns, nothing missing
    assert len(captions) == len(expected["reports"]) + 2 * expected["claims"] + 1
    assert "XNLI" in captions
    # the style is applied: reports by file name, verdicts by their label (Browser's default would show ids)
    for report in expected["reports"]:
        assert any(report.startswith(c.rstrip("…")) for c in captions), (report, captions)
    verdict_captions = [c for c in captions if any(v.startswith(c.rstrip("…")) for v in expected["verdicts"])]
    assert len(verdict_captions) == expected["claims"] == 2, captions
    assert {"true", "false", "ABOUT", "HAS_VERDICT"} <= set(map(str, drawn["relationships"]))
    assert screenshot.stat().st_size > 20_000
