"""The CLI's tables: what a researcher sees after a large ingest."""

from __future__ import annotations

from claimgraph.cli.render import INGEST_TABLE_ROWS, ingest_table
from ingest.pipeline import IngestResult, SourceOutcome


def outcome(i: int, status: str = "ingested", errors: list[str] | None = None) -> SourceOutcome:
    return SourceOutcome(path=f"/r/{i}.txt", kind="report", status=status, errors=errors or [])  # type: ignore[arg-type]


def test_a_small_ingest_lists_every_file() -> None:
    table = ingest_table(IngestResult(outcomes=[outcome(i) for i in range(3)]))
    assert table.row_count == 3


def test_a_large_ingest_lists_only_the_files_with_something_to_say() -> None:
    outcomes = [outcome(i) for i in range(INGEST_TABLE_ROWS + 10)]
    outcomes[7] = outcome(7, "failed", ["7.txt:3: no claims table"])
    table = ingest_table(IngestResult(outcomes=outcomes))
    assert table.row_count == 1
    assert f"1 of {INGEST_TABLE_ROWS + 10} files" in str(table.title)
