"""Neo4j executor through the official ``neo4j`` driver over Bolt.

Writes run in managed transactions (``execute_write``), which the driver retries on
transient errors (deadlocks, leader switches); the work function is idempotent (it reads
state, then writes the difference) so a retry is safe. Uniqueness constraints for every
node key are created idempotently at open.

Configuration: ``--store bolt://host:7687`` / ``neo4j://…``, or the environment
(``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urlparse, urlunparse

from kg.errors import StoreError
from kg.settings import Neo4jSettings
from kg.store.cypher import Params, schema_statements
from kg.store.cypher_group import Rows
from kg.store.cypher_store import CypherExecutor, CypherStore, Run, T


class Neo4jExecutor(CypherExecutor):
    dialect = "neo4j"

    def __init__(self, uri: str, user: str, password: str, database: str | None) -> None:
        self.uri, self.user, self.password, self.database = uri, user, password, database
        parsed = urlparse(uri)
        self.description = urlunparse(parsed._replace(netloc=f"{parsed.hostname}:{parsed.port or 7687}")) + (
            f" (database {database})" if database else ""
        )
        self._driver: Any = None

    def connect(self) -> None:
        import neo4j

        try:
            # notifications off: MERGE into an empty database warns once per missing label and property,
            # which the driver logs as a multi-line warning each (14 of them on `kg migrate`)
            self._driver = neo4j.GraphDatabase.driver(
                self.uri, auth=(self.user, self.password), connection_timeout=10.0, notifications_min_severity="OFF"
            )
            self._driver.verify_connectivity()
        except Exception as exc:
            self.close()
            raise StoreError(f"cannot reach Neo4j at {self.description}: {exc}") from exc

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None

    def _session(self) -> Any:
        if self._driver is None:
            raise StoreError("the Neo4j store is not open")
        return self._driver.session(database=self.database) if self.database else self._driver.session()

    def _managed(self, mode: Literal["read", "write"], unit: Callable[[Any], Any]) -> Any:
        """Run ``unit(tx)`` in a managed transaction (retried by the driver on transient errors)."""
        try:
            with self._session() as session:
                return session.execute_read(unit) if mode == "read" else session.execute_write(unit)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"Neo4j {mode} failed: {exc}") from exc

    def read(self, query: str, params: Params) -> Rows:
        rows: Rows = self._managed("read", lambda tx: _rows(tx.run(query, params)))
        return rows

    def write_transaction(self, work: Callable[[Run], T]) -> T:
        done: T = self._managed("write", lambda tx: work(lambda query, params: _rows(tx.run(query, params))))
        return done

    def ensure_schema(self) -> None:
        with self._session() as session:
            for statement in schema_statements("neo4j"):
                session.run(statement).consume()


def _rows(result: Any) -> Rows:
    """The records as dicts, as they came off the wire: our queries return only values, lists and maps, so the
    driver's ``Record.data()`` (which walks every value to turn nodes into dicts) is pure cost: 37 % of a claim
    page's time at 1k reports."""
    keys = result.keys()
    return [dict(zip(keys, record, strict=True)) for record in result]


def neo4j_store(
    uri: str | None = None, *, read_only: bool = False, defaults: Neo4jSettings | None = None
) -> CypherStore:
    """A Neo4j store for a bolt:// or neo4j:// URI; what the URI leaves out comes from ``defaults`` (NEO4J_*)."""
    defaults = defaults or Neo4jSettings()
    uri = uri or defaults.uri
    if not uri:
        raise StoreError("no Neo4j URI: pass --store bolt://HOST:7687 or set NEO4J_URI")
    parsed = urlparse(uri)
    user = parsed.username or defaults.user
    password = parsed.password or defaults.password.get_secret_value()
    database = parsed.path.strip("/") or defaults.database or None
    clean = urlunparse(parsed._replace(netloc=f"{parsed.hostname}:{parsed.port or 7687}", path=""))
    return CypherStore(Neo4jExecutor(clean, user, password, database), ensure_schema=not read_only)
