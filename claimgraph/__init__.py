"""ClaimGraph, the application: services over the graph, and the ``kg`` command line.

The layers, top to bottom (checked by import-linter, see ``[tool.importlinter]`` in pyproject.toml):
``claimgraph.cli`` → ``api`` → ``claimgraph.services`` → ``ingest`` → ``kg`` → ``schemas``.
"""

from claimgraph.services import ClaimGraph
from kg.errors import ClaimGraphError
from kg.settings import Settings

__version__ = "0.1.0"

__all__ = ["ClaimGraph", "ClaimGraphError", "Settings", "__version__"]
