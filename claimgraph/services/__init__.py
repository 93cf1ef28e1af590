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

from claimgraph.services.admin import AdminService
from claimgraph.services.ingesting import IngestRun, IngestService
from claimgraph.services.papers import PaperService
from claimgraph.services.queries import QueryService
from claimgraph.services.verifying import VerifyService
from claimgraph.services.workspace import Workspace
from kg.settings import Settings

__all__ = [
    "AdminService",
    "ClaimGraph",
    "IngestRun",
    "IngestService",
    "PaperService",
    "QueryService",
    "VerifyService",
    "Workspace",
]


class ClaimGraph:
    """One workspace and its services: ``ingestion``, ``papers``, ``queries``, ``verification``, ``admin``."""

    def __init__(self, settings: Settings) -> None:
        self.workspace = Workspace(settings)
        self.queries = QueryService(self.workspace)
        self.papers = PaperService(self.workspace)
        self.ingestion = IngestService(self.workspace, self.papers)
        self.verification = VerifyService(self.workspace, self.queries)
        self.admin = AdminService(self.workspace)

    @property
    def settings(self) -> Settings:
        return self.workspace.settings

    @contextlib.contextmanager
    def hold(self) -> Iterator[ClaimGraph]:
        """Keep the store open for every operation until the block ends (`kg serve`); see :meth:`Workspace.hold`."""
        with self.workspace.hold():
            yield self
