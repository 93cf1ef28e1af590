"""`kg migrate` round trip: embedded -> FalkorDB -> embedded gives identical `kg stats --json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from kg.store.falkordb_server import FalkorServer


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli.app", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    return done


def test_round_trip(seeded_dir: Path, falkordb_server: FalkorServer, tmp_path: Path) -> None:
    falkor = falkordb_server.uri(f"migrate_{uuid.uuid4().hex[:8]}")
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
