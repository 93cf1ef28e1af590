"""The application services: what the CLI and the API call. Routes and commands hold no queries.

One :class:`ClaimGraph` per CLI invocation or API app is the composition root: it builds the
shared :class:`Workspace` (settings, gazetteer, store handle) and one service per concern.

    graph = ClaimGraph(Settings())
    graph.ingestion.ingest([Path("examples/reports")])
    graph.queries.claims(benchmark="XNLI", report_verdict="verified")
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from claimgraph.services.workspace import Workspace
from kg.settings import Settings

if TYPE_CHECKING:
    from claimgraph.services.admin import AdminService
    from claimgraph.services.ingesting import IngestRun, IngestService
    from claimgraph.services.papers import PaperService
    from claimgraph.services.queries import QueryService
    from claimgraph.services.reviewing import ReviewService
    from claimgraph.services.verifying import VerifyService

__all__ = [
    "AdminService",
    "ClaimGraph",
    "IngestRun",
    "IngestService",
    "PaperService",
    "QueryService",
    "ReviewService",
    "VerifyService",
    "Workspace",
]

_LAZY = {
    "AdminService": "claimgraph.services.admin",
    "IngestRun": "claimgraph.services.ingesting",
    "IngestService": "claimgraph.services.ingesting",
    "PaperService": "claimgraph.services.papers",
    "QueryService": "claimgraph.services.queries",
    "ReviewService": "claimgraph.services.reviewing",
    "VerifyService": "claimgraph.services.verifying",
}


def __getattr__(name: str) -> Any:
    """Services import their heavy dependencies (arXiv client, networkx, numpy) only when used:
    `kg claims` should not pay for `kg ingest`'s imports on every start."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


class ClaimGraph:
    """One workspace and its services: ``ingestion``, ``papers``, ``queries``, ``verification``, ``admin``.

    Each service is built on first use, so a command imports only what it needs.
    """

    def __init__(self, settings: Settings) -> None:
        self.workspace = Workspace(settings)

    @cached_property
    def queries(self) -> QueryService:
        from claimgraph.services.queries import QueryService

        return QueryService(self.workspace)

    @cached_property
    def papers(self) -> PaperService:
        from claimgraph.services.papers import PaperService

        return PaperService(self.workspace)

    @cached_property
    def ingestion(self) -> IngestService:
        from claimgraph.services.ingesting import IngestService

        return IngestService(self.workspace, self.papers)

    @cached_property
    def verification(self) -> VerifyService:
        from claimgraph.services.verifying import VerifyService

        return VerifyService(self.workspace, self.queries)

    @cached_property
    def reviews(self) -> ReviewService:
        from claimgraph.services.reviewing import ReviewService

        return ReviewService(self.workspace, self.queries)

    @cached_property
    def admin(self) -> AdminService:
        from claimgraph.services.admin import AdminService

        return AdminService(self.workspace)

    @property
    def settings(self) -> Settings:
        return self.workspace.settings

    @contextlib.contextmanager
    def hold(self) -> Iterator[ClaimGraph]:
        """Keep the store open for every operation until the block ends (`kg serve`); see :meth:`Workspace.hold`."""
        with self.workspace.hold():
            yield self
