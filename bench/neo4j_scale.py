"""Neo4j at scale: the 100k-report graph bulk-loaded into Neo4j, asked the XNLI question beside the embedded store.

1. ``kg export --format csv`` of an embedded store (a ``bench.scale_bench`` one), timed;
2. a fresh Neo4j 5.26 (the Maven jars the tests run) built from it by ``neo4j-admin database import full``, then
   finished by ``kg bulk-load`` (what CSV cannot carry, the key constraints), timed;
3. ``kg serve`` on each store (and, with ``--code DIR --label L``, the code of other checkouts) at once, and the same
   question over REST and GraphQL as ``bench.api_bench`` asks it
   (XNLI claims the reports mark ✓, page 50), rounds taking turns, p50/p99 the medians over rounds;
4. ``--write-reports N``: N synthetic reports ingested into Neo4j by the writer grouping 64 reports per statement,
   by one statement per report, and by one MERGE per row (``bench.cypher_bench``'s baseline), as that bench does
   for FalkorDB.

Run: ``python -m bench.neo4j_scale --store bench-scale/store-100000 --write-reports 1000``
(after ``python -m bench.scale_bench --sizes 100000``). Writes ``bench/results/neo4j_scale.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.api_bench import REST, Latency, _commit, graphql_request, measure, median_over_rounds
from bench.cypher_bench import RowAtATimeStore, timed_ingest
from bench.serving import REPO, serve
from bench.synthetic import write_reports
from claimgraph.services import ClaimGraph
from kg.extraction.gazetteer import Gazetteer
from kg.settings import Settings
from kg.store.bulk_csv import BulkManifest, neo4j_admin_args
from kg.store.neo4j_server import Neo4jServer, start_neo4j
from kg.store.neo4j_store import neo4j_store

RESULTS = Path(__file__).parent / "results"
EMBEDDED, NEO4J = "embedded (SQLite)", "Neo4j 5.26"


def load_neo4j(
    store: Path, work: Path, heap_mb: int, pagecache_mb: int, csv: Path | None = None
) -> tuple[Neo4jServer, dict[str, float]]:
    """Export ``store`` as CSV (into ``csv``, kept, or reused when it holds an export) and build a Neo4j from it:
    the server and the seconds of each step (export -1: reused)."""
    folder = csv or work / "csv"
    started = time.perf_counter()
    if (folder / "manifest.json").exists():
        manifest = BulkManifest.model_validate_json((folder / "manifest.json").read_text(encoding="utf-8"))
        export_s = -1.0
    else:
        manifest = ClaimGraph(Settings(data_dir=store)).admin.export_bulk_csv(folder)
        export_s = time.perf_counter() - started
    server = start_neo4j(
        work / "neo4j",
        import_args=neo4j_admin_args(manifest, folder),
        heap_mb=heap_mb,
        pagecache_mb=pagecache_mb,
        timeout=600,
    )
    load = ClaimGraph(Settings()).admin.bulk_load(folder, server.store_uri())
    return server, {
        "export": export_s,
        "import": server.import_seconds,
        "finish": load.total_seconds,
        "nodes": float(sum(manifest.nodes.values())),
        "relationships": float(sum(manifest.relationships.values())),
        "claims": float(manifest.nodes.get("Claim", 0)),
    }


Served = tuple[str, str]  # (code label, store name)


def latencies(
    store: Path, stores: dict[str, str | None], codes: list[tuple[Path, str]], seconds: float, rounds: int, logs: Path
) -> dict[Served, dict[str, Latency]]:
    """The XNLI question over REST and GraphQL against ``kg serve`` of each code on each of ``stores`` (name: URI,
    None for the embedded ``store``), all served at once and asked in turn, round by round (the machine's speed
    drifts)."""
    served: dict[Served, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        for number, (code, label) in enumerate(codes):
            for name, uri in stores.items():
                if uri is None and number:  # one embedded server, the first code's (it holds the store's write lock)
                    continue
                served[(label, name)] = serve(
                    store, logs / f"serve-{len(served)}.log", code=code, env={"CLAIMGRAPH_STORE": uri} if uri else None
                )
        samples: dict[tuple[Served, str], list[Latency]] = {}
        for _ in range(rounds):
            for kind in ("rest", "gql"):
                for which, (_, base) in served.items():
                    request = base + REST if kind == "rest" else graphql_request(base)
                    samples.setdefault((which, kind), []).append(measure(request, seconds))
    finally:
        for process, _ in served.values():
            process.terminate()
            process.wait(timeout=30)
    found: dict[Served, dict[str, Latency]] = {}
    for (which, kind), runs in samples.items():
        found.setdefault(which, {})[kind] = median_over_rounds(runs)
    return found


def neo4j_writes(reports: int, work: Path) -> list[tuple[str, float, float, int]]:
    """(writer, end-to-end s, seconds inside the writes, assertions) for each writer, each into its own database."""
    gazetteer = Gazetteer.load()
    folder = work / "reports"
    write_reports(folder, reports)
    rows = []
    graphs = set()
    for name, group, naive in (
        ("Neo4j, group commit (64 reports per statement, the default)", 64, False),
        ("Neo4j, one statement per report", 1, False),
        ("Neo4j, one MERGE per row", 1, True),
    ):
        server = start_neo4j(work / f"neo4j-{group}-{naive}", heap_mb=1024, pagecache_mb=512)
        try:
            store = neo4j_store(server.store_uri())
            if naive:
                store = RowAtATimeStore(store.executor)
            rows.append((name, *timed_ingest(store, folder, gazetteer, group)))
            with neo4j_store(server.store_uri(), read_only=True) as check:
                graphs.add(check.stats().model_dump_json())
        finally:
            server.stop()
    assert len(graphs) == 1, "every writer must build the same graph"
    return rows


def report(
    store: Path,
    load: dict[str, float],
    found: dict[Served, dict[str, Latency]],
    writes: list[tuple[str, float, float, int]],
) -> str:
    where = f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {os.cpu_count()} cores, commit {_commit()}"
    exported = "(an earlier export, reused)" if load["export"] < 0 else f"{load['export']:.1f} s"
    lines = [
        f"# Neo4j at scale ({where})",
        "",
        f"`{store}`: {load['claims']:,.0f} claims, {load['nodes']:,.0f} nodes, {load['relationships']:,.0f} "
        f"relationships. Bulk path into a fresh Neo4j 5.26 Community: `kg export --format csv` {exported}, "
        f"`neo4j-admin database import full` {load['import']:.1f} s, `kg bulk-load` (key constraints, empty "
        f"relationship keys, what CSV cannot carry, count check) {load['finish']:.1f} s.",
        "",
        "`kg serve` (uvicorn, one worker) on each store, all started at once; requests from this process over "
        "loopback one at a time after 20 warm-up requests, each server in turn, round after round; p50/p99 are the "
        "medians over rounds. Neo4j runs on the same 2 cores as the servers and the client.",
        "",
        "| code | store | request | requests/s | p50 ms | p99 ms | p99 / embedded's | response bytes |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for kind, request in (("rest", f"REST `GET {REST}`"), ("gql", "GraphQL, same question")):
        base = next(results[kind][2] for (_, name), results in found.items() if name == EMBEDDED)
        for (label, name), results in found.items():
            rate, p50, p99, size = results[kind]
            lines.append(
                f"| {label} | {name} | {request} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {p99 / base:.2f} | {size:,} |"
            )
    if writes:
        naive = writes[-1][2]
        lines += [
            "",
            f"Writes into Neo4j: {writes[0][3]:,} assertions of synthetic reports through the same ingest pipeline "
            "(`bench.cypher_bench`'s writers; each into a fresh server).",
            "",
            "| writer | end-to-end s | writing s | assertions/s writing | vs one MERGE per row (writing) |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, seconds, writing, assertions in writes:
            lines.append(
                f"| {name} | {seconds:.1f} | {writing:.1f} | {assertions / writing:,.0f} | {naive / writing:.1f}× |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="an embedded store (bench-scale/store-100000)")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--heap-mb", type=int, default=4096)
    parser.add_argument("--pagecache-mb", type=int, default=4096)
    parser.add_argument("--write-reports", type=int, default=0, help="also compare writers on this many reports")
    parser.add_argument("--code", type=Path, action="append", help="checkout(s) whose code to serve (before/after)")
    parser.add_argument("--label", action="append", help="a label per --code")
    parser.add_argument("--csv", type=Path, help="keep the export here, or reuse the one it holds")
    parser.add_argument("--out", type=Path, default=RESULTS / "neo4j_scale.md")
    args = parser.parse_args()
    store = args.store.resolve()
    codes = [c.resolve() for c in args.code or [REPO]]
    labels = args.label or ["this checkout" if c == REPO else str(c) for c in codes]
    work = Path(tempfile.mkdtemp(prefix="neo4j-scale-"))
    try:
        server, load = load_neo4j(store, work, args.heap_mb, args.pagecache_mb, args.csv)
        print(json.dumps(load), flush=True)
        try:
            stores = {EMBEDDED: None, NEO4J: server.store_uri()}
            found = latencies(store, stores, list(zip(codes, labels, strict=True)), args.seconds, args.rounds, work)
        finally:
            server.stop()
        writes = neo4j_writes(args.write_reports, work) if args.write_reports else []
        table = report(args.store, load, found, writes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
