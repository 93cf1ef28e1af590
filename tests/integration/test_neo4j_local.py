"""`kg neo4j start`: one command from a ClaimGraph store to a styled Neo4j Browser with the saved queries.

The real server (Maven-resolved Neo4j 5.26 and Neo4j Browser) is started by the command itself on
free loopback ports, the demo graph is loaded, and headless chromium opens Browser with no login and
no typing: the style and the guide come from ``browser.post_connect_cmd``. Two clicks in the guide
(the $benchmark parameter is set on connect) and the graph is drawn; the test compares it with
the store and keeps the screenshot with ``CLAIMGRAPH_SCREENSHOTS=docs/img`` (``make screenshots``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from kg.store.falkordb_server import free_port
from kg.store.neo4j_local import Ports, browser_grass, guide_html, neo4j_conf, saved_queries
from kg.store.neo4j_server import java, neo4j_jars
from tests.conftest import REPO
from tests.integration.test_cli import kg
from tests.integration.test_neo4j_browser import browser_tools_missing, run_browser

QUERY = "Claims about a benchmark and their verdicts, as a graph"


def test_the_style_pastes_cleanly_and_the_guide_holds_every_saved_query() -> None:
    raw = (REPO / "docker" / "neo4j" / "claimgraph.grass").read_text(encoding="utf-8")
    assert raw.startswith("node {") and "/*" not in raw  # pastes after :style as it is (a comment was refused)
    assert browser_grass("/* a comment */\n" + raw) == raw.strip() + "\n"
    queries = saved_queries((REPO / "docker" / "neo4j" / "queries.cypher").read_text(encoding="utf-8"))
    assert QUERY in [q.name for q in queries] and len(queries) >= 6
    page = guide_html(queries, {"benchmark": "XNLI"})
    assert page.count('class="pre-scrollable code runnable"') == len(queries) + 1
    assert ":param benchmark =&gt; &quot;XNLI&quot;" in page
    conf = neo4j_conf(Path("/h"), Ports(1, 2, 3))
    assert (
        'browser.post_connect_cmd=style http://localhost:3/claimgraph.grass; param benchmark => "XNLI"; '
        "play http://localhost:3/guide.html" in conf
    )
    assert "client.allow_telemetry=false" in conf and "server.default_listen_address=127.0.0.1" in conf


@pytest.mark.slow
def test_one_command_gives_a_styled_browser_running_the_saved_xnli_query(demo_dir: Path, tmp_path: Path) -> None:
    if java() is None or neo4j_jars() is None:
        pytest.skip("Java or the Neo4j jars are missing: `make neo4j-jars` (needs Java 17+ and Maven)")
    missing = browser_tools_missing()
    if missing:
        pytest.skip(missing)
    data_dir = tmp_path / "store"
    shutil.copytree(demo_dir, data_dir, ignore=shutil.ignore_patterns(".lock", "neo4j"))
    http, bolt, assets = free_port(), free_port(), free_port()
    ports = ["--http-port", str(http), "--bolt-port", str(bolt), "--assets-port", str(assets)]
    started = kg("neo4j", "start", *ports, "--json", data_dir=data_dir)
    try:
        state = json.loads(started.stdout)
        assert state["running"] and state["browser"].startswith(f"http://127.0.0.1:{http}/browser/?dbms=")
        assert "Received notification" not in started.stderr  # the driver's notifications are off
        loaded = state["loaded"]["target"]
        stats = json.loads(kg("stats", "--json", data_dir=data_dir).stdout)
        assert loaded == stats  # the whole graph, nothing else
        assert kg("neo4j", "status", data_dir=data_dir).returncode == 0
        again = json.loads(kg("neo4j", "start", *ports, "--json", data_dir=data_dir).stdout)
        assert again["loaded"]["written"]["nodes_created"] == 0  # re-running changes nothing
        shots = os.environ.get("CLAIMGRAPH_SCREENSHOTS")
        screenshot = (Path(shots) if shots else tmp_path) / "neo4j-browser-xnli.png"
        query = next(
            q for q in saved_queries((REPO / "docker" / "neo4j" / "queries.cypher").read_text()) if q.name == QUERY
        )
        drawn = run_browser(
            "neo4j_local.mjs",
            {
                "browser": state["browser"],
                "query_text": query.cypher.splitlines()[1][:40],
                "screenshot": str(screenshot),
            },
        )
        # no outside host but those Browser 5.24's own page calls on Community edition whatever the settings
        # (web font, feedback widget, analytics library, error reporter; all fail harmlessly offline): Community
        # does not accept browser.allow_outgoing_connections; product statistics are off (client.allow_telemetry)
        hosts = {u.split("/")[2] for u in drawn["requests_outside"]}
        assert hosts <= {"fonts.googleapis.com", "canny.io", "cdn.segment.com", "o110884.ingest.sentry.io"}, hosts
        assert not drawn["errors"], drawn["errors"]
        xnli = json.loads(kg("claims", "--benchmark", "XNLI", "--json", data_dir=data_dir).stdout)["claims"]
        reports = {a["source_name"] for c in xnli for a in c["assertions"]}
        captions = [str(n["caption"]) for n in drawn["nodes"]]  # type: ignore[index]
        # one node per report, claim and verdict, plus the benchmark
        assert len(captions) == len(reports) + 2 * len(xnli) + 1, captions
        # styled: reports by file name, verdicts by label (unstyled Browser shows ids and true/false)
        for report in reports:
            assert any(report.startswith(c.rstrip("…")) for c in captions), (report, captions)
        assert screenshot.stat().st_size > 20_000
    finally:
        kg("neo4j", "stop", data_dir=data_dir, check=False)
    assert kg("neo4j", "status", data_dir=data_dir, check=False).returncode == 1
