"""Graph stores: one interface, interchangeable backends."""

from kg.store.base import GraphStore, StoreHealth
from kg.store.registry import open_store

__all__ = ["GraphStore", "StoreHealth", "open_store"]
