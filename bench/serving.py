"""A real `kg serve` in its own process for the benchmarks that measure a server from outside."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from kg.store.falkordb_server import free_port

REPO = Path(__file__).resolve().parents[1]


def serve(
    data_dir: Path, log: Path, *, code: Path = REPO, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `kg --data-dir DATA_DIR serve` on a free port and wait (120 s at most) until it answers.

    ``code``: the checkout whose code to serve (a worktree of an older commit, say), with this environment.
    """
    port = free_port()
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(code), **(env or {})}
    command = [sys.executable, "-m", "claimgraph.cli.app", "--data-dir", str(data_dir), "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=code, env=environment, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/stats", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"kg serve did not answer within 120 s: {log.read_text()[-2000:]}")
