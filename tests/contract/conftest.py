"""The ``store`` fixture, parametrised over every backend.

Each backend is listed here once; one that cannot run in this environment is skipped with
its reason, never silently. The Cypher backends (FalkorDB, Neo4j) join this list with the
Cypher-backends issue, and then every test in this folder runs against them unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kg.store.base import GraphStore
from kg.store.embedded import EmbeddedStore

StoreFactory = Callable[[], GraphStore]


def _embedded(tmp_path: Path) -> StoreFactory:
    return lambda: EmbeddedStore(tmp_path / "graph")


BACKENDS: dict[str, Callable[[Path], StoreFactory]] = {"embedded": _embedded}


@pytest.fixture(params=sorted(BACKENDS))
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """Makes unopened stores that all see the same (empty at first) graph."""
    factory: StoreFactory = BACKENDS[request.param](tmp_path)
    return factory


@pytest.fixture
def store(store_factory: StoreFactory) -> Iterator[GraphStore]:
    with store_factory() as opened:
        yield opened
