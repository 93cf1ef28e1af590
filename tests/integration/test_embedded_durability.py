"""The embedded store's durability promises: journal, atomic snapshots, lock, killed writers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.errors import StoreError, StoreLockedError
from kg.store.embedded import JOURNAL, SNAPSHOT, EmbeddedStore
from schemas.graph import GraphBatch, Node, NodeLabel, RelType
from schemas.views import ClaimQuery


def claim_batch(i: int) -> GraphBatch:
    return GraphBatch(source=f"b{i}", nodes=[Node(label=NodeLabel.CLAIM, key=f"c{i}", props={"text": f"t{i}"})])


def test_journal_replays_without_a_snapshot(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    store.open()
    store.apply(claim_batch(1))
    # simulate a crash: no close(), so no snapshot; only the journal holds the batch
    assert not (tmp_path / SNAPSHOT).exists()
    assert (tmp_path / JOURNAL).read_text().count("\n") == 1
    store._journal.close()  # type: ignore[union-attr]  # release the handle as a dying process would
    store._lock.close()  # type: ignore[union-attr]
    with EmbeddedStore(tmp_path, read_only=True) as reopened:
        assert reopened.stats().nodes["Claim"] == 1


def test_torn_last_journal_line_is_ignored_and_trimmed(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path, compact_every=10**6) as store:
        store.apply(claim_batch(1))
        store._seq = store._snapshot_seq  # keep close() from compacting, to leave the journal in place
    journal = tmp_path / JOURNAL
    journal.write_text(
        '{"seq":1,"batch":{"source":"b1","nodes":[{"label":"Claim","key":"c1","props":{}}]}}\n{"seq":2,"bat'
    )
    with EmbeddedStore(tmp_path) as store:
        assert store.stats().nodes["Claim"] == 1
    assert journal.read_text().count("\n") <= 1


def test_corrupt_middle_journal_line_is_an_error(tmp_path: Path) -> None:
    (tmp_path / JOURNAL).write_text('garbage\n{"seq":1,"batch":{"source":"b","nodes":[]}}\n')
    with pytest.raises(StoreError, match="line 1 is corrupt"):
        EmbeddedStore(tmp_path).open()


def test_snapshot_records_its_sequence_so_replay_is_exact(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path) as store:
        store.apply(claim_batch(1))
        store.apply(claim_batch(2))
    # crash between snapshot replace and journal truncation: the journal still holds seq 1-2
    (tmp_path / JOURNAL).write_text(
        "".join(
            f'{{"seq":{i},"batch":{{"source":"b{i}","nodes":[{{"label":"Claim","key":"c{i}","props":{{}}}}]}}}}\n'
            for i in (1, 2)
        )
    )
    with EmbeddedStore(tmp_path) as store:
        assert store.get_node(claim_batch(1).nodes[0].ref).props == {"text": "t1"}  # not replayed over


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
    env = {**os.environ, "CLAIMGRAPH_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "claimgraph.cli.app", "ingest", "--no-paraphrases", "--offline", str(reports)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    journal = data_dir / JOURNAL
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not journal.exists() or journal.read_text().count("\n") < 3):
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with EmbeddedStore(data_dir) as store:
        reports_in = list(store.iter_nodes(NodeLabel.REPORT))
        assert 3 <= len(reports_in) < 120, "the kill should land mid-batch"
        per_report: dict[str, int] = {}
        for rel in store.iter_relationships(RelType.ASSERTS):
            per_report[rel.start.key] = per_report.get(rel.start.key, 0) + 1
        for report in reports_in:
            assert per_report[report.key] == report.props["claims_extracted"]  # whole, never half
        assert store.find_claims(ClaimQuery())  # and the graph answers queries
