"""The embedded store's durability promises: committed means on disk, group commit, import, lock, killed writers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.errors import StoreError, StoreLockedError
from kg.store.embedded import DATABASE, LEGACY_JOURNAL, LEGACY_SNAPSHOT, EmbeddedStore
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, Relationship, RelType, WriteSummary
from schemas.views import ClaimQuery


def claim_batch(i: int) -> GraphBatch:
    return GraphBatch(source=f"b{i}", nodes=[Node(label=NodeLabel.CLAIM, key=f"c{i}", props={"text": f"t{i}"})])


def test_a_batch_is_on_disk_when_apply_returns(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    store.open()
    store.apply(claim_batch(1))
    # no close(): a reader in another connection already sees the committed batch
    with EmbeddedStore(tmp_path, read_only=True) as reader:
        assert reader.stats().nodes["Claim"] == 1
    store.close()


def test_group_commit_rolls_back_only_the_bad_batch(tmp_path: Path) -> None:
    bad = GraphBatch(
        source="bad",
        nodes=[Node(label=NodeLabel.CLAIM, key="half", props={})],
        relationships=[
            Relationship(
                type=RelType.ABOUT,
                start=NodeRef(label=NodeLabel.CLAIM, key="half"),
                end=NodeRef(label=NodeLabel.BENCHMARK, key="missing"),
            )
        ],
    )
    with EmbeddedStore(tmp_path) as store:
        outcomes = store.apply_many([claim_batch(1), bad, claim_batch(2)])
        assert [type(o).__name__ for o in outcomes] == ["WriteSummary", "StoreError", "WriteSummary"]
        assert "missing node Benchmark:missing" in str(outcomes[1])
        assert [o.nodes_created for o in outcomes if isinstance(o, WriteSummary)] == [1, 1]
        assert sorted(n.key for n in store.iter_nodes(NodeLabel.CLAIM)) == ["c1", "c2"]  # nothing of "bad"


def test_json_snapshot_store_is_imported_once_losing_nothing(tmp_path: Path) -> None:
    """A data directory of the old store: snapshot at seq 1, journal with seq 1 (already in it) and 2, a torn 3."""
    (tmp_path / LEGACY_SNAPSHOT).write_text(
        '{"format":1,"seq":1,"nodes":[{"label":"Claim","key":"c1","props":{"text":"t1"}}],"relationships":[]}'
    )
    (tmp_path / LEGACY_JOURNAL).write_text(
        '{"seq":1,"batch":{"source":"b1","nodes":[{"label":"Claim","key":"c1","props":{"text":"old"}}]}}\n'
        '{"seq":2,"batch":{"source":"b2","nodes":[{"label":"Claim","key":"c2","props":{"text":"t2"}}]}}\n'
        '{"seq":3,"bat'
    )
    with EmbeddedStore(tmp_path) as store:
        assert {n.key: n.props["text"] for n in store.iter_nodes(NodeLabel.CLAIM)} == {"c1": "t1", "c2": "t2"}
    assert not (tmp_path / LEGACY_SNAPSHOT).exists() and (tmp_path / f"{LEGACY_SNAPSHOT}.imported").exists()
    with EmbeddedStore(tmp_path) as store:  # the second open imports nothing again
        assert store.stats().nodes["Claim"] == 2


def test_corrupt_old_journal_is_an_error_and_imports_nothing(tmp_path: Path) -> None:
    (tmp_path / LEGACY_JOURNAL).write_text('garbage\n{"seq":1,"batch":{"source":"b","nodes":[]}}\n')
    with pytest.raises(StoreError, match="line 1 is corrupt"):
        EmbeddedStore(tmp_path).open()
    assert (tmp_path / LEGACY_JOURNAL).exists()


def test_second_writer_is_refused(tmp_path: Path) -> None:
    with (
        EmbeddedStore(tmp_path),
        pytest.raises(StoreLockedError, match="open for writing by another process"),
    ):
        EmbeddedStore(tmp_path).open()
    with EmbeddedStore(tmp_path, read_only=True) as reader:  # readers need no lock
        assert reader.health().ok


def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path) as store:
        store.apply(claim_batch(1))
    with EmbeddedStore(tmp_path, read_only=True) as reader, pytest.raises(StoreError, match="read-only"):
        reader.apply(claim_batch(2))


def test_killed_ingest_keeps_every_committed_report_whole(tmp_path: Path, seed_files: list[Path]) -> None:
    """SIGKILL a real `kg ingest` mid-batch; what was committed is there, whole, and nothing else."""
    reports = tmp_path / "reports"
    reports.mkdir()
    for i in range(120):  # distinct reports: a different title each
        text = seed_files[i % 5].read_text(encoding="utf-8")
        (reports / f"{i:03d}.txt").write_text(text.replace("Assignee Research", f"Author {i}", 1), encoding="utf-8")
    data_dir = tmp_path / "store"
    # groups of 10 files: the kill lands after some groups are committed and before the last (the default 256
    # would put all 120 files in one group)
    env = {**os.environ, "CLAIMGRAPH_DATA_DIR": str(data_dir), "CLAIMGRAPH_INGEST_GROUP_SIZE": "10"}
    process = subprocess.Popen(
        [sys.executable, "-m", "claimgraph.cli.app", "ingest", "--no-paraphrases", "--offline", str(reports)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _reports_committed(data_dir) < 3:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with EmbeddedStore(data_dir) as store:
        reports_in = list(store.iter_nodes(NodeLabel.REPORT))
        assert 3 <= len(reports_in) < 120, "the kill should land mid-batch"
        assert len(reports_in) % 10 == 0, "a group is committed whole or not at all"
        per_report: dict[str, int] = {}
        for rel in store.iter_relationships(RelType.ASSERTS):
            per_report[rel.start.key] = per_report.get(rel.start.key, 0) + 1
        for report in reports_in:
            assert per_report[report.key] == report.props["claims_extracted"]  # whole, never half
        assert store.find_claims(ClaimQuery())  # and the graph answers queries


def _reports_committed(data_dir: Path) -> int:
    if not (data_dir / DATABASE).exists():
        return 0
    try:
        with sqlite3.connect(f"file:{data_dir / DATABASE}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM nodes WHERE label='Report'").fetchone()[0])
    except sqlite3.Error:  # not created yet
        return 0
