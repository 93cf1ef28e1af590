"""Ingest throughput of the embedded store: assertions/s for N synthetic reports.

Run: ``make bench`` (or ``python -m bench.ingest_bench --sizes 100 1000``). Writes the table
to ``bench/results/ingest_embedded.md`` and prints it. Each size ingests into a fresh store
with paraphrase linking off (that step is model-bound and measured on its own line).
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.synthetic import write_reports
from claimgraph.services import ClaimGraph
from ingest.pipeline import Ingestor
from kg.extraction.gazetteer import Gazetteer
from kg.settings import Settings
from kg.store.embedded import EmbeddedStore

RESULTS = Path(__file__).parent / "results"


def run(sizes: list[int], repeats: int) -> str:
    gazetteer = Gazetteer.load()
    where = f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, python {platform.python_version()}"
    lines = [
        f"# Ingest into the embedded store ({where})",
        "",
        "| reports | assertions | claims in graph | best of | seconds | assertions/s | reports/s |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "reports"
            assertions = write_reports(folder, size)
            best = float("inf")
            claims = 0
            for attempt in range(repeats):
                with EmbeddedStore(Path(tmp) / f"store{attempt}") as store:
                    start = time.perf_counter()
                    result = Ingestor(store, gazetteer).ingest([folder])
                    elapsed = time.perf_counter() - start
                    assert result.ok, result.failed[:3]
                    claims = store.stats().nodes["Claim"]
                best = min(best, elapsed)
            lines.append(
                f"| {size:,} | {assertions:,} | {claims:,} | {repeats} | {best:.2f} | "
                f"{assertions / best:,.0f} | {size / best:,.1f} |"
            )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        write_reports(folder, sizes[0])
        service = ClaimGraph(Settings(data_dir=Path(tmp) / "store"))
        service.ingestion.ingest([folder], link_paraphrases=False)
        start = time.perf_counter()
        links = service.ingestion.link_paraphrases()
        elapsed = time.perf_counter() - start
        claims = service.queries.stats().nodes["Claim"]
    lines += [
        "",
        f"Paraphrase linking over the {claims:,} claims of {sizes[0]} reports (model load + embedding + pairing, "
        f"cold cache): {elapsed:.1f} s, {links.relationships_created} links.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    table = run(args.sizes, args.repeats)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest_embedded.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
