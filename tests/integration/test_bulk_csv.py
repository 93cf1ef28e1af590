"""The bulk path: `kg export --format csv`, then the databases' own importers, for real.

FalkorDB through falkordb-bulk-loader (via `kg bulk-load`); Neo4j through `neo4j-admin database
import full` from the same Maven jars the other Neo4j tests run. Either way the loaded graph must
be the exported one, property for property, and the writer must take over from it: re-ingesting
the seeds into the loaded graph changes nothing.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from claimgraph.services import ClaimGraph
from kg.settings import Settings
from kg.store import GraphStore, store_for
from kg.store.bulk_csv import BulkManifest, column_types, neo4j_admin_args
from schemas.graph import NodeLabel, RelType
from tests.conftest import SEEDS

Snapshot = tuple[dict[str, dict[str, object]], set[tuple[str, str, str, str, str]]]


def snapshot(store: GraphStore) -> Snapshot:
    # no None values: Cypher databases do not store null properties (the embedded store keeps them)
    nodes = {
        f"{label}:{n.key}": {k: v for k, v in n.props.items() if v is not None}
        for label in NodeLabel
        for n in store.iter_nodes(label)
    }
    rels = {
        (
            rel_type.value,
            r.start.key,
            r.end.key,
            r.key,
            json.dumps({k: v for k, v in r.props.items() if v is not None}, sort_keys=True),
        )
        for rel_type in RelType
        for r in store.iter_relationships(rel_type)
    }
    return nodes, rels  # type: ignore[return-value]


@pytest.fixture(scope="module")
def exported(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Snapshot]:
    """The demo store (seeds, papers, verdicts with evidence lists) exported as bulk CSV."""
    source = tmp_path_factory.mktemp("bulk-source") / "store"
    shutil.copytree(demo_dir, source, ignore=shutil.ignore_patterns(".lock"))
    folder = tmp_path_factory.mktemp("bulk") / "csv"
    manifest = ClaimGraph(Settings(data_dir=source)).admin.export_bulk_csv(folder)
    assert manifest.nodes["Verdict"] > 0 and manifest.rest > 0  # lists go through the writer
    with store_for(f"embedded://{source}", read_only=True) as store:
        return folder, snapshot(store)


def test_column_types_are_exact_or_left_to_the_writer() -> None:
    types = column_types([{"a": 1, "b": 1, "c": "x", "d": [1.0]}, {"a": 2, "b": 2.5, "c": 3, "d": None}])
    assert types == {"a": "int", "b": "float", "c": None, "d": None}


def assert_same(found: Snapshot, expected: Snapshot) -> None:
    nodes, rels = found
    want_nodes, want_rels = expected
    assert nodes.keys() == want_nodes.keys()
    differing = {k: (nodes[k], want_nodes[k]) for k in nodes if nodes[k] != want_nodes[k]}
    assert not differing, [
        (k, {p: (a.get(p), b.get(p)) for p in a.keys() | b.keys() if a.get(p) != b.get(p)})
        for k, (a, b) in list(differing.items())[:3]
    ]
    assert rels == want_rels, (sorted(rels - want_rels)[:3], sorted(want_rels - rels)[:3])


def _reingest_changes_nothing(uri: str) -> None:
    settings = Settings(store=uri)
    run = ClaimGraph(settings).ingestion.ingest([SEEDS], link_paraphrases=False)
    assert {o.status for o in run.files.outcomes} == {"unchanged"}


def test_falkordb_bulk_loader_loads_the_exported_graph(
    exported: tuple[Path, Snapshot], request: pytest.FixtureRequest
) -> None:
    from tests.conftest import empty_server_graph

    folder, expected = exported
    uri = empty_server_graph(request, "falkordb", "bulk")
    done = ClaimGraph(Settings()).admin.bulk_load(folder, uri)
    assert done.keys_filled > 0  # the importer loaded empty relationship keys as null
    with store_for(uri, read_only=True) as store:
        assert_same(snapshot(store), expected)
    _reingest_changes_nothing(uri)
    with pytest.raises(Exception, match="not empty"):
        ClaimGraph(Settings()).admin.bulk_load(folder, uri)


@contextmanager
def _neo4j_imported(folder: Path, tmp_path: Path) -> Iterator[str]:
    """A Neo4j built from ``folder`` by neo4j-admin import, finished by `kg bulk-load`: its store URI."""
    from kg.store.neo4j_server import java, neo4j_jars, start_neo4j

    if java() is None or neo4j_jars() is None:
        pytest.skip("needs java and the Neo4j jars (make neo4j-jars)")
    manifest = BulkManifest.model_validate_json((folder / "manifest.json").read_text())
    server = start_neo4j(tmp_path / "neo4j", import_args=neo4j_admin_args(manifest, folder))
    assert (folder / "import.report").exists()  # the importer's report goes beside the CSV, not into the cwd
    try:
        ClaimGraph(Settings()).admin.bulk_load(folder, server.store_uri())
        yield server.store_uri()
    finally:
        server.stop()


def test_neo4j_admin_import_loads_the_exported_graph(exported: tuple[Path, Snapshot], tmp_path: Path) -> None:
    folder, expected = exported
    with _neo4j_imported(folder, tmp_path) as uri:
        with store_for(uri, read_only=True) as store:
            assert_same(snapshot(store), expected)
        _reingest_changes_nothing(uri)


#: Texts the bulk path used to corrupt, then random ones from every troublesome class of character.
HARD_TEXTS = [
    "C:\\new\\table",
    'a \\"quoted\\" word',
    "CR LF\r\nand a lone CR\rend",
    "tabs\tand, commas, \"quotes\" and 'apostrophes'",
    "trailing backslash \\",
    "\\",
    "line one\nline two",
    "Ünïcödé ✓ × 中文 😀 \u200b zero width",
]
ALPHABET = ["\\", '"', "'", ",", ";", "\t", "\n", "\r", " ", "a", "Z", "9", "é", "✓", "中", "😀", "|", "{", "}", "#"]
ROUND_TRIP_EXAMPLES = 400


def random_texts(count: int, seed: int = 13) -> list[str]:
    import random

    rng = random.Random(seed)
    return [
        "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 40))) for _ in range(count - len(HARD_TEXTS))
    ] + HARD_TEXTS


@pytest.fixture(scope="module")
def hostile_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Snapshot]:
    """An embedded store of claims (and one relationship property) holding the texts, exported as bulk CSV."""
    from schemas.graph import GraphBatch, Node, NodeRef, Relationship

    source = tmp_path_factory.mktemp("hostile") / "store"
    texts = random_texts(ROUND_TRIP_EXAMPLES)
    nodes = [Node(label=NodeLabel.CLAIM, key=f"c_{i:04d}", props={"text": t}) for i, t in enumerate(texts)]
    report = Node(label=NodeLabel.REPORT, key="r_hostile", props={"title": texts[0], "source_name": "h.txt"})
    rels = [
        Relationship(
            type=RelType.ASSERTS,
            start=NodeRef(label=NodeLabel.REPORT, key="r_hostile"),
            end=NodeRef(label=NodeLabel.CLAIM, key=n.key),
            key=str(i),
            props={"text_as_written": texts[-1 - i], "verified": True, "confidence": 0.5},
        )
        for i, n in enumerate(nodes)
    ]
    with store_for(f"embedded://{source}") as store:
        store.apply(GraphBatch(source="hostile texts", nodes=[report, *nodes], relationships=rels))
        expected = snapshot(store)
    folder = tmp_path_factory.mktemp("hostile-bulk") / "csv"
    ClaimGraph(Settings(data_dir=source)).admin.export_bulk_csv(folder)
    return folder, expected


def test_hostile_text_round_trips_through_falkordb_bulk_loader(
    hostile_export: tuple[Path, Snapshot], request: pytest.FixtureRequest
) -> None:
    from tests.conftest import empty_server_graph

    folder, expected = hostile_export
    uri = empty_server_graph(request, "falkordb", "hostile")
    ClaimGraph(Settings()).admin.bulk_load(folder, uri)
    with store_for(uri, read_only=True) as store:
        assert_same(snapshot(store), expected)  # byte for byte, 400 texts


def test_hostile_text_round_trips_through_neo4j_admin_import(
    hostile_export: tuple[Path, Snapshot], tmp_path: Path
) -> None:
    folder, expected = hostile_export
    with _neo4j_imported(folder, tmp_path) as uri, store_for(uri, read_only=True) as store:
        assert_same(snapshot(store), expected)
