"""Copy a whole graph between any two stores, in batches, through the store interface.

Nodes go first (per label), then relationships (per type), each in batches of
``batch_size`` applied as one transaction each; copying into a store that already holds
the same graph changes nothing, so an interrupted migration can simply be run again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TypeVar

from kg.store.base import GraphStore
from schemas.graph import GraphBatch, NodeLabel, RelType, WriteSummary

T = TypeVar("T")


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def migrate(
    source: GraphStore,
    target: GraphStore,
    *,
    batch_size: int = 500,
    on_progress: Callable[[str, int], None] | None = None,
) -> WriteSummary:
    total = WriteSummary()
    for label in NodeLabel:
        for chunk in _batches(source.iter_nodes(label), batch_size):
            total += target.apply(GraphBatch(source=f"migrate {label}", nodes=chunk))
            if on_progress:
                on_progress(label.value, len(chunk))
    for rel_type in RelType:
        for rels in _batches(source.iter_relationships(rel_type), batch_size):
            total += target.apply(GraphBatch(source=f"migrate {rel_type}", relationships=rels))
            if on_progress:
                on_progress(rel_type.value, len(rels))
    return total
