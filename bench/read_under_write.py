"""Readers while a writer works: requests/s and latency of reads during one long upload to `kg serve`.

A real `kg serve` (embedded store) in its own process; four reader threads ask
`GET /claims?benchmark=XNLI&marked=verified` over loopback for as long as one upload of N new reports
(then its paraphrase pass, which embeds their claims) takes; then the same readers with no writer.

    python -m bench.read_under_write --reports 40     # writes bench/results/read_under_write.md
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

from bench.serving import serve
from bench.synthetic import write_reports
from claimgraph.services import ClaimGraph
from kg.settings import Settings

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
SEEDS = REPO / "examples" / "reports"
QUERY = "/claims?benchmark=XNLI&marked=verified"
TOKEN = "bench-token"


def _readers(base: str, stop: threading.Event, latencies: list[float], count: int = 4) -> list[threading.Thread]:
    def read() -> None:
        with httpx.Client(timeout=600) as client:
            while not stop.is_set():
                start = time.perf_counter()
                client.get(base + QUERY).raise_for_status()
                latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=read) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


def _row(label: str, seconds: float, latencies: list[float]) -> str:
    ms = np.array(latencies) * 1000
    p50, p99 = (float(np.percentile(ms, q)) for q in (50, 99)) if len(ms) else (float("nan"), float("nan"))
    return f"| {label} | {seconds:.1f} | {len(ms)} | {len(ms) / seconds:.1f} | {p50:.1f} | {p99:.1f} | {ms.max():.0f} |"


def run(reports: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data_dir = root / "store"
        ClaimGraph(Settings(data_dir=data_dir)).ingestion.ingest([SEEDS], offline=True)
        new = root / "new"
        write_reports(new, reports, claims_per_report=10, seed=7)
        files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(new.iterdir())]
        process, base = serve(data_dir, root / "serve.log", env={"CLAIMGRAPH_API_TOKEN": TOKEN})
        try:
            quiet: list[float] = []
            stop = threading.Event()
            threads = _readers(base, stop, quiet)
            time.sleep(5)
            stop.set()
            for thread in threads:
                thread.join()
            during: list[float] = []
            stop = threading.Event()
            threads = _readers(base, stop, during)
            started = time.perf_counter()
            httpx.post(
                base + "/reports", files=files, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=1200
            ).raise_for_status()
            took = time.perf_counter() - started
            stop.set()
            for thread in threads:
                thread.join()
        finally:
            process.terminate()
            process.wait(timeout=60)
    when = datetime.now(UTC).date().isoformat()
    return "\n".join(
        [
            f"# Reads while an upload is written ({when}, {platform.machine()}, {os.cpu_count()} CPUs)",
            "",
            f"`kg serve` on the embedded store (the five samples), 4 reader threads on `GET {QUERY}` over loopback; "
            f"the writer uploads {reports} new synthetic reports in one POST /reports (ingest, then the paraphrase "
            "pass embeds their claims). Reproduce: `python -m bench.read_under_write --reports "
            f"{reports}`.",
            "",
            "| readers | seconds | reads | reads/s | p50 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
            _row("no writer", 5.0, quiet),
            _row(f"during the upload ({took:.1f} s)", took, during),
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=40)
    parser.add_argument("--write", type=Path, default=RESULTS / "read_under_write.md")
    args = parser.parse_args()
    table = run(args.reports)
    args.write.write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
