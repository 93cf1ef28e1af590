"""ClaimGraph core: graph model helpers, stores, extraction, identity and the service layer."""

from kg.errors import ClaimGraphError, InputError, ModelError, ParseError, StoreError, StoreLockedError
from kg.service import ClaimGraph
from kg.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "ClaimGraph",
    "ClaimGraphError",
    "InputError",
    "ModelError",
    "ParseError",
    "Settings",
    "StoreError",
    "StoreLockedError",
    "__version__",
]
