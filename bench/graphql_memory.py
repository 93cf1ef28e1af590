"""Server memory after many distinct GraphQL queries: does an unauthenticated client grow it for good?

A real `kg serve` (embedded store, the sample reports ingested) in its own process; N distinct
queries, each a small valid query padded to SIZE characters of whitespace (distinct by a trailing
comment), are POSTed one after another; the server's resident memory (VmRSS) is read before, every
N/10 queries, and after. ``--code DIR`` serves the code of another checkout (e.g. a git worktree of
the commit before a fix) with this checkout's environment.

    python -m bench.graphql_memory --queries 10000 --size 1000000   # writes bench/results/graphql_memory.md
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.machine import machine
from bench.serving import serve
from claimgraph.services import ClaimGraph
from kg.settings import Settings

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
SEEDS = REPO / "examples" / "reports"


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def measure(code: Path, queries: int, size: int) -> list[tuple[int, float]]:
    """(queries sent, server RSS in MiB) before, every tenth of the run, and after."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "store"
        ClaimGraph(Settings(data_dir=data_dir)).ingestion.ingest([SEEDS], offline=True, link_paraphrases=False)
        process, base = serve(data_dir, Path(tmp) / "serve.log", code=code)
        samples = []
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                samples.append((0, _rss_mib(process.pid)))
                for i in range(1, queries + 1):
                    tail = f"# {i}"
                    query = "{ benchmarks { name } }" + " " * max(0, size - 24 - len(tail)) + tail
                    response = client.post("/graphql", json={"query": query})
                    if response.status_code != 200 or "errors" in response.json():
                        raise RuntimeError(f"query {i}: {response.status_code} {response.text[:300]}")
                    if i % max(1, queries // 10) == 0:
                        samples.append((i, _rss_mib(process.pid)))
        finally:
            process.terminate()
            process.wait(timeout=30)
        return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=1_000_000, help="characters per query (padded)")
    parser.add_argument("--code", type=Path, action="append", help="checkout(s) whose code to serve")
    parser.add_argument("--label", action="append", help="a label per --code")
    parser.add_argument("--output", type=Path, default=RESULTS / "graphql_memory.md")
    args = parser.parse_args()
    codes = args.code or [REPO]
    labels = args.label or [str(code) for code in codes]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    lines = [
        "# Server memory after distinct GraphQL queries",
        "",
        f"`python -m bench.graphql_memory --queries {args.queries} --size {args.size}"
        + "".join(f" --code {c} --label '{label}'" for c, label in zip(codes, labels, strict=True))
        + "`",
        f"commit {commit.stdout.strip()}, {datetime.now(UTC):%Y-%m-%d}, {machine()}",
        "",
        "| code | server RSS before (MiB) | after (MiB) | growth (MiB) | RSS every tenth of the run (MiB) |",
        "|---|---:|---:|---:|---|",
    ]
    for code, label in zip(codes, labels, strict=True):
        samples = measure(code.resolve(), args.queries, args.size)
        first, last = samples[0][1], samples[-1][1]
        trace = " ".join(f"{rss:.0f}" for _, rss in samples)
        lines.append(f"| {label} | {first:.0f} | {last:.0f} | {last - first:+.0f} | {trace} |")
        print(lines[-1], flush=True)
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
