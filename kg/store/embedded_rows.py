"""The embedded store's rows: node ids, property JSON, relationship rows and the shared SQL of reads and writes.

Pure helpers over SQLite rows, shared by the writer (:mod:`kg.store.embedded`) and the reads
(:mod:`kg.store.embedded_reads`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from kg.store.views import Edge
from schemas.graph import NodeLabel, NodeRef, PropValue, Relationship, RelType

SEP = "\x1f"
RelRow = tuple[str, str, str, str, str, str, str]  # start_label, start_key, type, end_label, end_key, rkey, props


def nid(label: str, key: str) -> str:
    return f"{label}{SEP}{key}"


def split_id(nid: str) -> tuple[str, str]:
    label, key = nid.split(SEP, 1)
    return label, key


#: built once: ``json.dumps`` with options builds a new encoder per call (a quarter of each call's time, and
#: the writer calls it for every node and relationship)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def dumps(props: dict[str, PropValue]) -> str:
    return _ENCODER.encode(props)


DELETE_REL = "DELETE FROM rels WHERE start_label=? AND start_key=? AND type=? AND end_label=? AND end_key=? AND rkey=?"
UPDATE_REL_PROPS = (
    "UPDATE rels SET props=? WHERE start_label=? AND start_key=? AND type=? AND end_label=? AND end_key=? AND rkey=?"
)


def rel_row(rel: Relationship) -> tuple[str, str, str, str, str, str]:
    return (rel.start.label, rel.start.key, rel.type, rel.end.label, rel.end.key, rel.key)


def key_chunks(refs: Iterable[tuple[str, str]]) -> Iterator[tuple[NodeLabel, list[str], str]]:
    """(label, keys, ``?,?,…``) per label and chunk of 500 distinct keys: the one shape of every batched read here."""
    by_label: dict[str, list[str]] = {}
    for label, key in dict.fromkeys(refs):
        by_label.setdefault(label, []).append(key)
    for label, keys in by_label.items():
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            yield LABEL[label], chunk, ",".join("?" * len(chunk))


EDGES = {
    "out": "SELECT type, end_label, end_key, props, rkey FROM rels WHERE start_label=? AND start_key=?",
    "in": "SELECT type, start_label, start_key, props, rkey FROM rels WHERE end_label=? AND end_key=?",
}


def edges(conn: sqlite3.Connection, direction: Literal["out", "in"], node_id: str) -> Iterator[Edge]:
    """A node's relationships in one direction, as the view builder walks them: (type, other id, props, key)."""
    for rel_type, other_label, other_key, props, rkey in conn.execute(EDGES[direction], split_id(node_id)).fetchall():
        yield rel_type, nid(other_label, other_key), json.loads(props), rkey


#: the enums by value: calling ``NodeLabel(value)`` goes through ``EnumType.__call__``, which was 44 % of reading
#: the 100k relationships of the papers step
LABEL: dict[str, NodeLabel] = {label.value: label for label in NodeLabel}
TYPE: dict[str, RelType] = {rel_type.value: rel_type for rel_type in RelType}


def relationship(row: tuple[Any, ...] | RelRow) -> Relationship:
    start_label, start_key, rel_type, end_label, end_key, rkey, props = row
    # validating constructors: in pydantic 2 they cost less than model_construct, which is pure Python
    return Relationship(
        type=TYPE[rel_type],
        start=NodeRef(label=LABEL[start_label], key=start_key),
        end=NodeRef(label=LABEL[end_label], key=end_key),
        key=rkey,
        props=json.loads(props),
    )
