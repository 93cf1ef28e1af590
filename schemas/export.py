"""Export the JSON Schemas of ClaimGraph's inputs and graph model to ``schemas/json/``.

Run ``python -m schemas.export`` after changing a model; a test fails while the committed
files are out of date, so the published contract never drifts from the code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from schemas.claim_record import ClaimRecord
from schemas.graph import (
    REL_ENDPOINTS,
    BenchmarkNode,
    ClaimNode,
    LanguageNode,
    ModelNode,
    PaperMetadata,
    PaperNode,
    ReportNode,
    ResultNode,
    VerdictNode,
)

SCHEMA_DIR = Path(__file__).parent / "json"
_NODE_MODELS = (ReportNode, ClaimNode, PaperNode, BenchmarkNode, LanguageNode, ModelNode, ResultNode, VerdictNode)


def graph_schema() -> dict[str, Any]:
    """Node labels with their properties, and relationship types with their endpoints."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ClaimGraph graph model",
        "nodes": {model.label.value: model.model_json_schema() for model in _NODE_MODELS},
        "paper_metadata": PaperMetadata.model_json_schema(),  # merged onto a Paper once fetched
        "relationships": {
            rel.value: {"from": sorted(s.value for s in starts), "to": sorted(e.value for e in ends)}
            for rel, (starts, ends) in REL_ENDPOINTS.items()
        },
    }


def json_schemas() -> dict[str, dict[str, Any]]:
    return {
        "claim_record.schema.json": ClaimRecord.model_json_schema(),
        "graph.schema.json": graph_schema(),
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, schema in json_schemas().items():
        (SCHEMA_DIR / name).write_text(render(schema), encoding="utf-8")
        print(f"wrote {SCHEMA_DIR / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
