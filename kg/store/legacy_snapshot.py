"""Read a data directory of the JSON-snapshot embedded store (format 1) as batches, to import it once.

The old store kept ``graph.json`` (a snapshot that records the last journal sequence it holds)
and ``journal.jsonl`` (one committed batch per line, a torn last line never committed). Replaying
exactly what the old store would have replayed is what makes the import lose nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.errors import StoreError
from schemas.graph import GraphBatch, Node, Relationship

FORMAT_VERSION = 1


def read_legacy(snapshot: Path, journal: Path) -> list[GraphBatch]:
    batches: list[GraphBatch] = []
    seq = 0
    if snapshot.exists():
        try:
            data = json.loads(snapshot.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"cannot read snapshot {snapshot}: {exc}") from exc
        if data.get("format") != FORMAT_VERSION:
            raise StoreError(f"{snapshot} has format {data.get('format')}, expected {FORMAT_VERSION}")
        batches.append(
            GraphBatch(
                source=f"import {snapshot.name}",
                nodes=[Node.model_validate(raw) for raw in data["nodes"]],
                relationships=[Relationship.model_validate(raw) for raw in data["relationships"]],
            )
        )
        seq = int(data["seq"])
    if journal.exists():
        lines = journal.read_bytes().splitlines(keepends=True)
        for index, raw in enumerate(lines):
            try:
                entry = json.loads(raw)
            except json.JSONDecodeError as exc:
                if index == len(lines) - 1 and not raw.endswith(b"\n"):
                    break  # torn write of a batch that never committed
                raise StoreError(f"{journal}: line {index + 1} is corrupt: {exc}") from exc
            if not raw.endswith(b"\n"):
                break
            if entry["seq"] > seq:
                batches.append(GraphBatch.model_validate(entry["batch"]))
                seq = entry["seq"]
    return batches
