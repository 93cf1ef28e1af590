"""`kg serve` as a researcher runs it: a real uvicorn process on a free loopback port."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from claimgraph.services import AdminService, ClaimGraph
from kg.errors import StoreLockedError
from kg.settings import Settings
from kg.store.falkordb_server import free_port
from tests.conftest import REPO, SEEDS

if TYPE_CHECKING:
    from kg.store.falkordb_server import FalkorServer

XNLI = "/claims?benchmark=XNLI&verified=true"


@pytest.fixture(scope="module")
def seeded_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("serve") / "store"
    assert ClaimGraph(Settings(data_dir=data_dir)).ingestion.ingest([SEEDS], offline=True).files.ok
    return data_dir


def expected_keys(settings: Settings) -> list[str]:
    return [c.key for c in ClaimGraph(settings).queries.claims(benchmark="XNLI", report_verdict="verified")]


@contextmanager
def kg_serve(log: Path, *options: str, workers: int = 1) -> Iterator[str]:
    """Start `kg [options] serve`, logging to ``log``; yield its base URL once it answers; stop it afterwards."""
    port = free_port()
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "claimgraph.cli.app",
                *options,
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            cwd=REPO,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise AssertionError(f"kg serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/stats", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "kg serve did not answer within 90 s"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()  # SIGTERM: uvicorn shuts down gracefully, then re-raises the signal
        process.wait(timeout=30)
    assert process.returncode in (0, -15), log.read_text()


def get_json(url: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(url, timeout=10) as response:
        payload = json.loads(response.read())
    assert isinstance(payload, dict)
    return payload


def test_serve_embedded_answers_and_releases_the_store(seeded_dir: Path, tmp_path: Path) -> None:
    expected = expected_keys(Settings(data_dir=seeded_dir))
    assert expected
    log = tmp_path / "serve.log"
    with kg_serve(log, "--data-dir", str(seeded_dir)) as base:
        page = get_json(base + XNLI)
        assert [c["key"] for c in page["items"]] == expected
        with pytest.raises(StoreLockedError):
            ClaimGraph(Settings(data_dir=seeded_dir)).ingestion.ingest(
                [SEEDS], offline=True
            )  # the server holds the store
    assert "Application shutdown complete" in log.read_text()
    outcome = ClaimGraph(Settings(data_dir=seeded_dir)).ingestion.ingest([SEEDS], offline=True)  # and let go of it
    assert {o.status for o in outcome.files.outcomes} == {"unchanged"}


def test_serve_refuses_several_workers_on_the_embedded_store(seeded_dir: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "claimgraph.cli.app", "--data-dir", str(seeded_dir), "serve", "--workers", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "the embedded store serves one worker" in run.stderr + run.stdout


def test_serve_several_workers_on_falkordb(seeded_dir: Path, falkordb_server: FalkorServer, tmp_path: Path) -> None:
    uri = falkordb_server.uri(f"serve_{uuid.uuid4().hex[:8]}")
    AdminService.migrate(Settings(data_dir=seeded_dir).store_uri(), uri)
    expected = expected_keys(Settings(store=uri))
    log = tmp_path / "serve.log"
    with kg_serve(log, "--store", uri, workers=2) as base:
        for _ in range(4):
            assert [c["key"] for c in get_json(base + XNLI)["items"]] == expected
    workers = set(re.findall(r"Started server process \[(\d+)\]", log.read_text()))
    assert len(workers) == 2, log.read_text()
