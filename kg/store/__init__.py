"""Graph stores: one interface, interchangeable backends."""

from kg.store.base import GraphStore, StoreHealth
from kg.store.registry import store_for

__all__ = ["GraphStore", "StoreHealth", "store_for"]
