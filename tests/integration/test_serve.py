"""`kg serve` as a researcher runs it: a real uvicorn process on a free loopback port."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
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

XNLI = "/claims?benchmark=XNLI&marked=verified"


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


def test_readers_are_served_while_an_upload_is_written(seeded_dir: Path, tmp_path: Path) -> None:
    """A real server under load: a long upload (40 new reports, then the paraphrase pass embeds their claims)
    runs while four readers keep asking; their answers must arrive before the upload's does.

    With one lock held for the whole write, no reader was answered until the upload finished.
    """
    import threading

    import httpx

    from bench.synthetic import write_reports

    data_dir = tmp_path / "store"
    shutil.copytree(seeded_dir, data_dir, ignore=shutil.ignore_patterns(".lock"))
    reports = tmp_path / "new"
    reports.mkdir()
    write_reports(reports, 40, claims_per_report=10, seed=7)
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(reports.iterdir())]
    log = tmp_path / "serve.log"
    os.environ["CLAIMGRAPH_API_TOKEN"] = "load-token"
    try:
        with kg_serve(log, "--data-dir", str(data_dir)) as base:
            done = threading.Event()
            answered_during_write: list[float] = []
            errors: list[str] = []

            def reader() -> None:
                with httpx.Client(timeout=60) as client:
                    while not done.is_set():
                        response = client.get(base + XNLI)
                        if response.status_code != 200:
                            errors.append(response.text[:200])
                        elif not done.is_set():
                            answered_during_write.append(time.monotonic())

            readers = [threading.Thread(target=reader) for _ in range(4)]
            for thread in readers:
                thread.start()
            time.sleep(0.5)
            started = time.monotonic()
            with httpx.Client(timeout=600) as client:
                upload = client.post(base + "/reports", files=files, headers={"Authorization": "Bearer load-token"})
            finished = time.monotonic()
            done.set()
            for thread in readers:
                thread.join(timeout=60)
    finally:
        os.environ.pop("CLAIMGRAPH_API_TOKEN", None)
    assert upload.status_code == 200, upload.text
    assert errors == []
    during = sorted(t for t in answered_during_write if started < t < finished)
    marks = [started, *during, finished]
    longest_wait = max(b - a for a, b in itertools.pairwise(marks))
    took = finished - started
    print(f"\nupload took {took:.1f} s; {len(during)} reads answered meanwhile; longest gap {longest_wait:.2f} s")
    # readers were answered all through the write, not just before the server took the lock and after it let go
    assert len(during) >= 20 and longest_wait < 0.5 * took, (took, len(during), longest_wait)


def test_a_second_server_on_a_held_store_says_so_in_one_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "store"
    from claimgraph.services import ClaimGraph
    from kg.settings import Settings

    ClaimGraph(Settings(data_dir=data_dir)).ingestion.ingest([SEEDS], link_paraphrases=False, offline=True)
    with kg_serve(tmp_path / "first.log", "--data-dir", str(data_dir)):
        second = subprocess.run(
            [sys.executable, "-m", "claimgraph.cli.app", "--data-dir", str(data_dir), "serve", "--port", str(free_port())],
            capture_output=True, text=True, timeout=60, env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )  # fmt: skip
    assert second.returncode == 4  # the store error's exit code, not uvicorn's 3
    assert "open for writing by another process" in second.stderr and "Traceback" not in second.stderr
