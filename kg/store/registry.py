"""Map a store URI to a backend class, importing heavy drivers only when chosen."""

from __future__ import annotations

import importlib
from pathlib import Path
from urllib.parse import urlparse

from kg.errors import InputError
from kg.store.base import GraphStore

#: scheme -> "module:Class". Cypher backends (falkordb://, bolt://, neo4j://) register here.
BACKENDS: dict[str, str] = {
    "embedded": "kg.store.embedded:EmbeddedStore",
}


def open_store(uri: str, *, read_only: bool = False) -> GraphStore:
    """Construct (not open) the store a URI names; ``embedded://DIR`` or a bare path is the default."""
    parsed = urlparse(uri)
    scheme = parsed.scheme or "embedded"
    target = BACKENDS.get(scheme)
    if target is None:
        known = ", ".join(f"{s}://" for s in sorted(BACKENDS))
        raise InputError(f"unknown store {uri!r}: supported stores are {known}")
    module_name, class_name = target.split(":")
    backend = getattr(importlib.import_module(module_name), class_name)
    if scheme == "embedded":
        path = uri.removeprefix("embedded://") if parsed.scheme else uri
        store: GraphStore = backend(Path(path), read_only=read_only)
        return store
    raise InputError(f"store scheme {scheme!r} is registered but has no constructor")
