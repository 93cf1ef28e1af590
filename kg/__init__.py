"""ClaimGraph's core: the graph model, identity, extraction, stores, the NLI model and the verifier.

``kg`` imports only ``schemas`` and itself; the ingestors, the application services
(:mod:`claimgraph.services`) and the interfaces (``api``, the ``kg`` CLI) sit above it.
"""

from kg.errors import (
    ERROR_POLICY,
    ClaimGraphError,
    ErrorPolicy,
    InputError,
    LimitExceededError,
    ModelError,
    NotFoundError,
    ParseError,
    SourceError,
    StoreError,
    StoreLockedError,
)
from kg.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "ERROR_POLICY",
    "ClaimGraphError",
    "ErrorPolicy",
    "InputError",
    "LimitExceededError",
    "ModelError",
    "NotFoundError",
    "ParseError",
    "Settings",
    "SourceError",
    "StoreError",
    "StoreLockedError",
    "__version__",
]
