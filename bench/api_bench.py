"""API latency: requests/s and p50/p99 for the XNLI question over REST and GraphQL, at 10k and 100k claims.

For each size: synthetic reports are ingested into a fresh embedded store, `kg serve` runs
in its own process (uvicorn), and this process sends requests over loopback one at a time
for a fixed time per endpoint (latency, not saturation, is the question). Run:

    python -m bench.api_bench --claims 10000 100000 --seconds 10

``--claims N`` builds a store of about N distinct claims (:func:`bench.synthetic.reports_for_claims`), kept in
``--workdir`` for the next run; ``--code DIR --label L`` (repeatable) serves the code of other checkouts (a git
worktree of an earlier commit) against the same store, each in turn. Writes ``bench/results/api_latency.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.serving import REPO, serve
from bench.synthetic import reports_for_claims, write_reports
from ingest.pipeline import Ingestor
from kg.extraction.gazetteer import Gazetteer
from kg.store.embedded import EmbeddedStore

RESULTS = Path(__file__).parent / "results"
REST = "/claims?benchmark=XNLI&marked=verified&limit=50"  # the question, REST's form (GraphQL's below)
NARROW = "/claims?benchmark=PAWS-X&language=Quechua&model=XLM-R"  # three entity filters: an index intersection
#: the question of both rows: XNLI claims the reports mark ✓ (REST: ``marked=verified``)
GRAPHQL = (
    '{ claims(first: 50, where: {benchmark: {name: "XNLI"}, marked: VERIFIED}) '
    "{ edges { node { key text assertions { verified confidence } } } pageInfo { hasNextPage endCursor } } }"
)


def build_store(folder: Path, claims: int) -> int:
    """A store of at least ``claims`` distinct claims in ``folder/store`` (kept for the next run); its claim count.

    Claim identity merges a cut text into its whole, so the first estimate falls a few percent short: reports are
    added (the same seed writes the same first files) and ingested until the store holds enough.
    """
    store_dir, reports = folder / "store", folder / "reports"
    count = reports_for_claims(claims)
    while True:
        with EmbeddedStore(store_dir) as store:
            held = store.stats().nodes.get("Claim", 0)
            if held >= claims:
                return held
            if held:
                count = max(count, math.ceil(len(list(reports.glob("*.txt"))) * claims / held) + 1)
            write_reports(reports, count)
            Ingestor(store, Gazetteer.load()).ingest([reports])


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


Latency = tuple[float, float, float, int]  # requests/s, p50 ms, p99 ms, response bytes


def graphql_request(base: str) -> urllib.request.Request:
    """The GraphQL form of the question, for a server at ``base``."""
    return urllib.request.Request(
        f"{base}/graphql", data=json.dumps({"query": GRAPHQL}).encode(), headers={"Content-Type": "application/json"}
    )


def median_over_rounds(runs: list[Latency]) -> Latency:
    """Each figure's median over the rounds; the response size of the last."""
    return (
        statistics.median(s[0] for s in runs),
        statistics.median(s[1] for s in runs),
        statistics.median(s[2] for s in runs),
        runs[-1][3],
    )


def run(sizes: list[int], seconds: float, rounds: int, workdir: Path, codes: list[tuple[Path, str]]) -> str:
    where = f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {os.cpu_count()} cores, commit {_commit()}"
    lines = [
        f"# API latency on the embedded store ({where})",
        "",
        f"uvicorn (`kg serve`, one worker) in one process, requests from another over loopback, one at a time, "
        f"{seconds:g} s per row and round after 20 warm-up requests, {rounds} rounds with REST and GraphQL taking "
        "turns; p50 and p99 are the medians over the rounds. Page size 50. The first two rows are the same question "
        "(XNLI claims the reports mark ✓); the last two show an intersection of entity filters and a filter no "
        "index serves (one round).",
        "",
        "| code | claims | request | requests/s | p50 ms | p99 ms | p99 / REST's | response bytes |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        folder = workdir / f"claims-{size}"
        folder.mkdir(parents=True, exist_ok=True)
        claims = build_store(folder, size)
        for code, label in codes:
            process, base = serve(folder / "store", folder / "serve.log", code=code)
            try:
                rest = base + REST
                gql = graphql_request(base)
                samples: dict[str, list[Latency]] = {"rest": [], "gql": []}
                for _ in range(rounds):
                    samples["rest"].append(measure(rest, seconds))
                    samples["gql"].append(measure(gql, seconds))
                summary = {name: median_over_rounds(runs) for name, runs in samples.items()}
                rest_p99 = summary["rest"][2]
                for name, key in (
                    ("REST `GET /claims?benchmark=XNLI&marked=verified`", "rest"),
                    ("GraphQL, same question", "gql"),
                ):
                    rate, p50, p99, size_bytes = summary[key]
                    lines.append(
                        f"| {label} | {claims:,} | {name} | {rate:.0f} | {p50:.1f} | {p99:.1f} | "
                        f"{p99 / rest_p99:.2f} | {size_bytes:,} |"
                    )
                for name, url in (
                    ("REST `GET /claims?benchmark=PAWS-X&language=Quechua&model=XLM-R`", f"{base}{NARROW}"),
                    ("REST `GET /claims?conflicting=true` (not indexed: a scan)", f"{base}/claims?conflicting=true"),
                ):
                    rate, p50, p99, size_bytes = measure(url, seconds)
                    lines.append(
                        f"| {label} | {claims:,} | {name} | {rate:.0f} | {p50:.1f} | {p99:.1f} | | {size_bytes:,} |"
                    )
            finally:
                process.terminate()
                process.wait(timeout=30)
    lines.append("")
    return "\n".join(lines)


def _commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return found.stdout.strip() or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("bench-api"), help="stores, kept between runs")
    parser.add_argument("--code", type=Path, action="append", help="checkout(s) whose code to serve")
    parser.add_argument("--label", action="append", help="a label per --code")
    parser.add_argument("--out", type=Path, default=RESULTS / "api_latency.md")
    args = parser.parse_args()
    codes = [c.resolve() for c in args.code or [REPO]]
    labels = args.label or ["this checkout" if c == REPO else str(c) for c in codes]
    table = run(args.claims, args.seconds, args.rounds, args.workdir.resolve(), list(zip(codes, labels, strict=True)))
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
