"""ClaimGraph core: graph model helpers, stores, extraction, identity and the service layer.

The service (:class:`kg.service.ClaimGraph`) is imported lazily: ``kg`` is imported by the
ingestors, which the service itself imports.
"""

from typing import TYPE_CHECKING, Any

from kg.errors import (
    ClaimGraphError,
    InputError,
    ModelError,
    NotFoundError,
    ParseError,
    StoreError,
    StoreLockedError,
)
from kg.settings import Settings

if TYPE_CHECKING:
    from kg.service import ClaimGraph

__version__ = "0.1.0"

__all__ = [
    "ClaimGraph",
    "ClaimGraphError",
    "InputError",
    "ModelError",
    "NotFoundError",
    "ParseError",
    "Settings",
    "StoreError",
    "StoreLockedError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name == "ClaimGraph":
        from kg.service import ClaimGraph

        return ClaimGraph
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
