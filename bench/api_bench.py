"""API latency: requests/s and p50/p99 for the XNLI question over REST and GraphQL, at 10k and 100k claims.

For each size: synthetic reports are ingested into a fresh embedded store, `kg serve` runs
in its own process (uvicorn), and this process sends requests over loopback one at a time
for a fixed time per endpoint (latency, not saturation, is the question). Run:

    python -m bench.api_bench --claims 10000 100000 --seconds 10

Writes ``bench/results/api_latency.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.synthetic import write_reports
from ingest.pipeline import Ingestor
from kg.extraction.gazetteer import Gazetteer
from kg.store.embedded import EmbeddedStore
from kg.store.falkordb_server import free_port

RESULTS = Path(__file__).parent / "results"
NARROW = "/claims?benchmark=PAWS-X&language=Quechua&model=XLM-R"  # three entity filters: an index intersection
GRAPHQL = (
    '{ claims(first: 50, where: {benchmark: {name: "XNLI"}, verdict: SUPPORTED}) '
    "{ edges { node { key text assertions { verified confidence } } } pageInfo { hasNextPage endCursor } } }"
)


def build_store(folder: Path, claims: int) -> int:
    reports = folder / "reports"
    write_reports(reports, max(1, round(claims / 9.3)))  # ~9.3 distinct claims per synthetic report
    with EmbeddedStore(folder / "store") as store:
        Ingestor(store, Gazetteer.load()).ingest([reports])
        return store.stats().nodes["Claim"]


def measure(request: urllib.request.Request | str, seconds: float) -> tuple[float, float, float, int]:
    latencies: list[float] = []
    body = b""
    for _ in range(20):  # warm-up
        with urllib.request.urlopen(request) as response:
            body = response.read()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            body = response.read()
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / sum(latencies), statistics.median(latencies) * 1000, p99 * 1000, len(body)


def run(sizes: list[int], seconds: float) -> str:
    where = f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {os.cpu_count()} cores"
    lines = [
        f"# API latency on the embedded store ({where})",
        "",
        f"uvicorn (`kg serve`, one worker) in one process, requests from another over loopback, one at a time, "
        f"{seconds:g} s per row after 20 warm-up requests. Page size 50. The first two rows are the question the goal "
        "is about; the last two show an intersection of entity filters and a filter no index serves.",
        "",
        "| claims | request | requests/s | p50 ms | p99 ms | response bytes |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            claims = build_store(folder, size)
            port = free_port()
            env = {**os.environ, "CLAIMGRAPH_DATA_DIR": str(folder / "store"), "HF_HUB_OFFLINE": "1"}
            server = subprocess.Popen(
                [sys.executable, "-m", "claimgraph.cli.app", "serve", "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                for _ in range(600):
                    try:
                        urllib.request.urlopen(f"{base}/stats").read()
                        break
                    except OSError:
                        time.sleep(0.2)
                rest = f"{base}/claims?benchmark=XNLI&marked=verified&limit=50"
                gql = urllib.request.Request(
                    f"{base}/graphql",
                    data=json.dumps({"query": GRAPHQL}).encode(),
                    headers={"Content-Type": "application/json"},
                )
                for name, request in (
                    ("REST `GET /claims?benchmark=XNLI&marked=verified`", rest),
                    ("GraphQL, same question", gql),
                    ("REST `GET /claims?benchmark=PAWS-X&language=Quechua&model=XLM-R`", f"{base}{NARROW}"),
                    ("REST `GET /claims?conflicting=true` (not indexed: a scan)", f"{base}/claims?conflicting=true"),
                ):
                    rate, p50, p99, size_bytes = measure(request, seconds)
                    lines.append(f"| {claims:,} | {name} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {size_bytes:,} |")
            finally:
                server.terminate()
                server.wait(timeout=30)
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    table = run(args.claims, args.seconds)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "api_latency.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
