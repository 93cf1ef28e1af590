"""`kg migrate` round trip: embedded -> FalkorDB or Neo4j -> embedded gives identical `kg stats --json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import empty_server_graph


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "claimgraph.cli.app", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(params=["falkordb", "neo4j"])
def server_uri(request: pytest.FixtureRequest) -> str:
    """An empty graph on a real FalkorDB or a real Neo4j server."""
    return empty_server_graph(request, request.param, "migrate")


def test_round_trip(seeded_dir: Path, server_uri: str, tmp_path: Path) -> None:
    falkor = server_uri
    back = f"embedded://{tmp_path / 'back'}"
    original = kg("--data-dir", str(seeded_dir), "stats", "--json").stdout
    first = json.loads(kg("migrate", "--from", f"embedded://{seeded_dir}", "--to", falkor, "--json").stdout)
    assert first["written"]["nodes_created"] == sum(json.loads(original)["nodes"].values())
    kg("migrate", "--from", falkor, "--to", back)
    assert kg("--store", falkor, "stats", "--json").stdout == original
    assert kg("--store", back, "stats", "--json").stdout == original
    # the answers survive the trip too, not only the counts
    question = ("claims", "--benchmark", "XNLI", "--json")
    assert kg("--store", back, *question).stdout == kg("--data-dir", str(seeded_dir), *question).stdout
    again = json.loads(kg("migrate", "--from", f"embedded://{seeded_dir}", "--to", falkor, "--json").stdout)
    assert not any(again["written"].values())  # re-running changes nothing
