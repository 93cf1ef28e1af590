"""Per-request DataLoaders: every nested field of one GraphQL query resolves in a bounded number of store calls.

Each loader batches the keys requested in one tick of the event loop into one service call
(which is one store call), and returns results aligned to the keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from claimgraph.services import ClaimGraph
from schemas.graph import Node, NodeLabel, NodeRef, RelType
from schemas.views import ClaimView


@dataclass
class Loaders:
    claims: DataLoader[str, ClaimView | None]
    reports: DataLoader[str, Node | None]
    papers: DataLoader[str, Node | None]
    #: (report key, how many): the keys of its first claims in row order, read a page at a time from the store
    report_claims: DataLoader[tuple[str, int], list[str]]
    report_papers: DataLoader[str, list[str]]


def make_loaders(service: ClaimGraph) -> Loaders:
    async def claims(keys: list[str]) -> list[ClaimView | None]:
        found = await run_in_threadpool(service.queries.claims_by_key, list(keys))
        return [found.get(k) for k in keys]

    def nodes_of(label: NodeLabel):  # type: ignore[no-untyped-def]
        async def load(keys: list[str]) -> list[Node | None]:
            refs = [NodeRef(label=label, key=k) for k in keys]
            found = await run_in_threadpool(service.queries.nodes, refs)
            return [found[r] for r in refs]

        return load

    def related_keys(label: NodeLabel, rel_type: RelType):  # type: ignore[no-untyped-def]
        async def load(keys: list[str]) -> list[list[str]]:
            refs = [NodeRef(label=label, key=k) for k in keys]
            found = await run_in_threadpool(service.queries.related, refs, rel_type, "out")
            return [[node.key for _, node in found[r]] for r in refs]

        return load

    async def report_claims(wanted: list[tuple[str, int]]) -> list[list[str]]:
        return await run_in_threadpool(service.queries.report_claim_keys, list(wanted))

    return Loaders(
        claims=DataLoader(load_fn=claims),
        reports=DataLoader(load_fn=nodes_of(NodeLabel.REPORT)),
        papers=DataLoader(load_fn=nodes_of(NodeLabel.PAPER)),
        report_claims=DataLoader(load_fn=report_claims),
        report_papers=DataLoader(load_fn=related_keys(NodeLabel.REPORT, RelType.CITES)),
    )
