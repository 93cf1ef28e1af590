"""Map a store URI to a backend class, importing heavy drivers only when chosen."""

from __future__ import annotations

import importlib
from pathlib import Path
from urllib.parse import urlparse

from kg.errors import InputError
from kg.settings import Neo4jSettings
from kg.store.base import GraphStore

#: scheme -> "module:factory"; a driver is imported only when its scheme is used.
BACKENDS: dict[str, str] = {
    "embedded": "kg.store.embedded:EmbeddedStore",
    "falkordb": "kg.store.falkordb_store:falkordb_store",
    "bolt": "kg.store.neo4j_store:neo4j_store",
    "neo4j": "kg.store.neo4j_store:neo4j_store",
    "neo4j+s": "kg.store.neo4j_store:neo4j_store",
    "bolt+s": "kg.store.neo4j_store:neo4j_store",
}


def store_for(uri: str, *, read_only: bool = False, neo4j: Neo4jSettings | None = None) -> GraphStore:
    """The store a URI names, constructed but not opened: ``with store_for(uri) as store:`` opens it.

    ``embedded://DIR`` or a bare path is the default.

    ``neo4j`` fills in what a bolt:// URI leaves out (user, password, database; default: NEO4J_*).
    """
    if uri == "neo4j":  # shorthand: the server named by NEO4J_URI
        from kg.store.neo4j_store import neo4j_store

        return neo4j_store(None, read_only=read_only, defaults=neo4j)
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
    if scheme.startswith(("bolt", "neo4j")):
        neo4j_built: GraphStore = backend(uri, read_only=read_only, defaults=neo4j)
        return neo4j_built
    built: GraphStore = backend(uri, read_only=read_only)
    return built
