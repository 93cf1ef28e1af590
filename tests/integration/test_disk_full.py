"""A full disk under the embedded store: a StoreError that says so, nothing half-written, the run stops once.

SQLite's ``max_page_count`` makes the database full at its current size: SQLite then fails exactly as on
a full disk (SQLITE_FULL, "database or disk is full"), which is what these tests need without a full disk.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.pipeline import Ingestor
from kg.errors import StoreError, StoreFullError, policy_of
from kg.extraction.gazetteer import Gazetteer
from kg.store.embedded import EmbeddedStore
from schemas.graph import GraphBatch, Node, NodeLabel, RelType


def _fill_up(store: EmbeddedStore) -> None:
    conn = store._writer()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")


def _claims_file(path: Path, count: int) -> Path:
    lines = [
        json.dumps(
            {"text": f"Model {i} gains {i}.5 points on XNLI.", "verified": True, "confidence": 0.8, "report": "r"}
        )
        for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_full_disk_is_a_store_full_error_that_says_what_to_do(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        _fill_up(store)
        big = [Node(label=NodeLabel.CLAIM, key=f"c{i}", props={"text": "x" * 2000}) for i in range(200)]
        with pytest.raises(StoreFullError, match="the disk is full") as caught:
            store.apply(GraphBatch(source="big", nodes=big))
        assert "Free space" in str(caught.value) and str(tmp_path) in str(caught.value)
        assert store.count_nodes(NodeLabel.CLAIM) == 0  # rolled back, and the store still reads
    policy = policy_of(caught.value)
    assert (policy.exit_code, policy.http_status, policy.code) == (4, 507, "store_full")


def test_a_full_disk_mid_ingest_stops_the_run_once_and_keeps_what_was_committed(
    tmp_path: Path, seed_files: list[Path], gazetteer: Gazetteer
) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        ingestor = Ingestor(store, gazetteer)
        assert ingestor.ingest(seed_files[:1]).ok
        before = store.stats()
        _fill_up(store)
        files = [_claims_file(tmp_path / f"claims{i}.jsonl", 400) for i in range(3)]
        result = Ingestor(store, gazetteer).ingest(files)
        assert result.store_failure is not None and "the disk is full" in result.store_failure
        assert [o.status for o in result.outcomes] == ["failed"] * 3
        assert "the store failed before this file" in result.outcomes[-1].errors[0]  # not tried: fail fast
        assert store.stats() == before


def test_every_public_method_of_the_embedded_store_raises_store_errors_only(tmp_path: Path) -> None:
    """The class of the bug: any sqlite3 error from any store call, a read included, comes out as StoreError."""
    with EmbeddedStore(tmp_path / "store") as store:
        store._writer().execute("DROP TABLE rels")  # every relationship read now fails inside SQLite
        for call in (
            lambda: store.stats(),
            lambda: list(store.iter_relationships(RelType.ASSERTS)),
            lambda: store.first_claims_of_reports(["r"], 3),
        ):
            with pytest.raises(StoreError, match="no such table: rels"):
                call()
