"""FalkorDB executor (``falkordb://host:port/graph``) through the official ``falkordb`` client.

FalkorDB has no multi-statement transactions; every statement is atomic, which is why
:mod:`kg.store.cypher` writes a whole batch as one statement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from kg.errors import InputError, StoreError
from kg.store.cypher import Params, schema_statements
from kg.store.cypher_group import Rows
from kg.store.cypher_store import CypherExecutor, CypherStore, Run, T

DEFAULT_PORT = 6379
DEFAULT_GRAPH = "claimgraph"


class FalkorExecutor(CypherExecutor):
    dialect = "falkordb"

    def __init__(self, host: str, port: int, graph: str, password: str | None = None) -> None:
        self.host, self.port, self.graph_name, self.password = host, port, graph, password
        self.description = f"falkordb://{host}:{port}/{graph}"
        self._db: Any = None
        self._graph: Any = None

    def graph_exists(self) -> bool:
        """Whether the graph exists on the server, asked without creating it (opening a store creates it)."""
        from falkordb import FalkorDB

        try:
            names = FalkorDB(host=self.host, port=self.port, password=self.password).list_graphs()
        except Exception as exc:  # the client's connection errors
            raise StoreError(f"cannot reach FalkorDB at {self.host}:{self.port}: {exc}") from exc
        return self.graph_name in names

    def connect(self) -> None:
        from falkordb import FalkorDB

        try:
            self._db = FalkorDB(host=self.host, port=self.port, password=self.password)
            self._db.connection.ping()
        except Exception as exc:  # redis raises ConnectionError, TimeoutError, AuthenticationError…
            raise StoreError(f"cannot reach FalkorDB at {self.host}:{self.port}: {exc}") from exc
        self._graph = self._db.select_graph(self.graph_name)

    def close(self) -> None:
        if self._db is not None:
            self._db.connection.close()
            self._db = self._graph = None

    def _query(self, query: str, params: Params, *, read_only: bool) -> Rows:
        if self._graph is None:
            raise StoreError("the FalkorDB store is not open")
        try:
            result = (self._graph.ro_query if read_only else self._graph.query)(query, params or None)
        except Exception as exc:
            raise StoreError(f"FalkorDB query failed: {exc}") from exc
        header = [column[1] if isinstance(column, list | tuple) else column for column in result.header]
        return [dict(zip(header, _plain(row), strict=True)) for row in result.result_set]

    def read(self, query: str, params: Params) -> Rows:
        return self._query(query, params, read_only=True)

    def write_transaction(self, work: Callable[[Run], T]) -> T:
        return work(lambda query, params: self._query(query, params, read_only=False))

    def ensure_schema(self) -> None:
        for statement in schema_statements("falkordb"):
            try:
                self._query(statement, {}, read_only=False)
            except StoreError as exc:
                if "already indexed" not in str(exc):
                    raise


def _plain(row: list[Any]) -> list[Any]:
    """The client returns OrderedDicts for maps; hand back plain values."""
    return [dict(value) if isinstance(value, dict) else value for value in row]


def falkordb_store(uri: str, *, read_only: bool = False) -> CypherStore:
    parsed = urlparse(uri)
    if not parsed.hostname:
        raise InputError(f"{uri!r}: expected falkordb://HOST:PORT/GRAPH")
    graph = parsed.path.strip("/") or DEFAULT_GRAPH
    executor = FalkorExecutor(parsed.hostname, parsed.port or DEFAULT_PORT, graph, parsed.password)
    return CypherStore(executor, ensure_schema=not read_only)
