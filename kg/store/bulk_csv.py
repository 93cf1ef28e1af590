"""The graph as CSV for the databases' own bulk importers: ``neo4j-admin database import`` and ``falkordb-bulk-loader``.

Those tools build a graph from files many times faster than any client can write it, but only
into an empty database and only with scalar columns of one type each. So the export splits
every property in two:

* a column in the CSV when every value of it (per label or relationship type) is a string, a
  bool, an int or a number: the importers carry those exactly;
* everything else (lists, such as a verdict's evidence; a property whose type varies; empty strings,
  which falkordb-bulk-loader loads as no property) goes to
  ``rest.jsonl`` and is written afterwards by ClaimGraph's own batched writer (``kg bulk-load``),
  together with the one thing the importers cannot say: an empty relationship key (``""``)
  that they load as null.

``manifest.json`` records what was exported, and ``kg bulk-load`` checks the loaded graph
against it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from schemas.graph import Node, NodeLabel, PropValue, Relationship, RelType

ColumnType = Literal["string", "bool", "int", "float"]
NEO4J_TYPES: dict[ColumnType, str] = {"string": "", "bool": ":boolean", "int": ":long", "float": ":double"}
FALKOR_TYPES: dict[ColumnType, str] = {"string": ":STRING", "bool": ":BOOL", "int": ":INT", "float": ":DOUBLE"}
RelGroup = tuple[RelType, NodeLabel, NodeLabel]


class BulkManifest(BaseModel):
    nodes: dict[str, int]
    relationships: dict[str, int]
    neo4j_nodes: dict[str, str]  # label -> file
    neo4j_relationships: dict[str, list[str]]  # type -> files
    falkordb_nodes: dict[str, str]
    falkordb_relationships: dict[str, list[str]]
    rest: int  # entries in rest.jsonl


def _kind(value: PropValue) -> ColumnType | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return None  # a list, or None


def column_types(rows: Iterable[dict[str, PropValue]]) -> dict[str, ColumnType | None]:
    """Pure: the one CSV type of each property over ``rows``; None where no single type carries it exactly."""
    seen: dict[str, set[ColumnType | None]] = defaultdict(set)
    for props in rows:
        for name, value in props.items():
            if value is not None:
                seen[name].add(_kind(value))
    types: dict[str, ColumnType | None] = {}
    for name, kinds in seen.items():
        if kinds == {"int", "float"}:
            types[name] = "float"  # 2 == 2.0: the writer's change detection sees no difference
        elif len(kinds) == 1:
            types[name] = next(iter(kinds))
        else:
            types[name] = None
    return types


def _for_writer(props: dict[str, PropValue], types: dict[str, ColumnType | None]) -> dict[str, PropValue]:
    """The properties a CSV column cannot carry exactly: no single type, or a string falkordb-bulk-loader
    would change (see :func:`loader_changes`)."""
    return {k: v for k, v in props.items() if v is not None and (types.get(k) is None or loader_changes(v))}


def loader_changes(value: PropValue) -> bool:
    """A string falkordb-bulk-loader does not load as written: empty (loaded as no property), with a carriage
    return (it reads its files with universal newlines: CR and CR LF arrive as LF), or with leading or
    trailing whitespace (stripped). The writer sets these exactly after the load, on either database."""
    return isinstance(value, str) and (value == "" or "\r" in value or value != value.strip())


def _cell(value: PropValue) -> str | int | float | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | None):
        return value
    return str(value)


def _field(value: str | int | float | None) -> str:
    """A CSV field: strings always quoted (so "" is an empty string), numbers bare, None an empty field
    (no property: neo4j-admin keeps a quoted "" as an empty string but loads an empty field as null)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return repr(value)


@dataclass
class _Table:
    """Rows of one label or relationship group, held until their column types are known."""

    rows: list[tuple[str, str, str, dict[str, PropValue]]] = field(default_factory=list)  # start, end, rkey, props


def write_bulk_csv(nodes: Iterable[Node], relationships: Iterable[Relationship], folder: Path) -> BulkManifest:
    """Write ``neo4j/``, ``falkordb/``, ``rest.jsonl`` and ``manifest.json`` into ``folder``."""
    node_tables: dict[NodeLabel, _Table] = defaultdict(_Table)
    for node in nodes:
        node_tables[node.label].rows.append((node.key, "", "", node.props))
    rel_tables: dict[RelGroup, _Table] = defaultdict(_Table)
    for rel in relationships:
        rel_tables[(rel.type, rel.start.label, rel.end.label)].rows.append(
            (rel.start.key, rel.end.key, rel.key, rel.props)
        )
    for sub in ("neo4j", "falkordb"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    rest: list[dict[str, object]] = []
    neo4j_nodes: dict[str, str] = {}
    falkor_nodes: dict[str, str] = {}
    for label, table in sorted(node_tables.items()):
        types = column_types(props for *_, props in table.rows)
        columns = sorted(name for name, kind in types.items() if kind is not None and name != "key")
        for key, _, _, props in table.rows:
            leftover = _for_writer(props, types)
            if leftover:
                rest.append({"node": {"label": label, "key": key, "props": leftover}})
        neo4j_nodes[label] = f"neo4j/nodes_{label}.csv"
        falkor_nodes[label] = f"falkordb/{label}.csv"
        header_neo = [f"key:ID({label})", *(f"{c}{NEO4J_TYPES[types[c]]}" for c in columns), ":LABEL"]  # type: ignore[index]
        header_falkor = [f"key:ID({label})", *(f"{c}{FALKOR_TYPES[types[c]]}" for c in columns)]  # type: ignore[index]
        body = [[key, *(_cell(props.get(c)) for c in columns)] for key, _, _, props in table.rows]
        _write(folder / neo4j_nodes[label], header_neo, [[*row, label] for row in body])
        _write(folder / falkor_nodes[label], header_falkor, body)
    neo4j_rels: dict[str, list[str]] = defaultdict(list)
    falkor_rels: dict[str, list[str]] = defaultdict(list)
    for (rel_type, start, end), table in sorted(rel_tables.items()):
        types = column_types(props for *_, props in table.rows)
        columns = sorted(name for name, kind in types.items() if kind is not None and name != "rkey")
        for start_key, end_key, rkey, props in table.rows:
            leftover = _for_writer(props, types)
            if leftover:
                rest.append(
                    {
                        "relationship": {
                            "type": rel_type,
                            "start": {"label": start, "key": start_key},
                            "end": {"label": end, "key": end_key},
                            "key": rkey,
                            "props": leftover,
                        }
                    }
                )
        name = f"{rel_type}__{start}__{end}.csv"
        neo4j_rels[rel_type].append(f"neo4j/rels_{name}")
        falkor_rels[rel_type].append(f"falkordb/{name}")
        typed = [f"{c}{NEO4J_TYPES[types[c]]}" for c in columns]  # type: ignore[index]
        falkor_typed = [f"{c}{FALKOR_TYPES[types[c]]}" for c in columns]  # type: ignore[index]
        body = [
            [start_key, end_key, rkey, *(_cell(props.get(c)) for c in columns)]
            for start_key, end_key, rkey, props in table.rows
        ]
        _write(
            folder / neo4j_rels[rel_type][-1],
            [f":START_ID({start})", f":END_ID({end})", "rkey", *typed, ":TYPE"],
            [[*row, rel_type] for row in body],
        )
        _write(
            folder / falkor_rels[rel_type][-1],
            [f":START_ID({start})", f":END_ID({end})", "rkey:STRING", *falkor_typed],
            body,
        )
    with (folder / "rest.jsonl").open("w", encoding="utf-8") as handle:
        for entry in rest:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    manifest = BulkManifest(
        nodes={label: len(t.rows) for label, t in sorted(node_tables.items())},
        relationships={
            rel_type: sum(len(t.rows) for (kind, _, _), t in rel_tables.items() if kind == rel_type)
            for rel_type in sorted({kind for kind, _, _ in rel_tables})
        },
        neo4j_nodes=neo4j_nodes,
        neo4j_relationships=dict(neo4j_rels),
        falkordb_nodes=falkor_nodes,
        falkordb_relationships=dict(falkor_rels),
        rest=len(rest),
    )
    (folder / "manifest.json").write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return manifest


def _write(path: Path, header: list[str], rows: list[list[str | int | float | None]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(_field(h) for h in header) + "\n")
        for row in rows:
            handle.write(",".join(_field(cell) for cell in row) + "\n")


def neo4j_admin_args(manifest: BulkManifest, folder: Path, database: str = "neo4j") -> list[str]:
    """The arguments of ``neo4j-admin`` that import the export into an empty (or overwritten) database."""
    args = ["database", "import", "full", database, "--overwrite-destination=true", "--multiline-fields=true"]
    args.append(f"--report-file={folder / 'import.report'}")  # beside the CSV, not in whatever folder we run from
    args += [f"--nodes={folder / f}" for f in manifest.neo4j_nodes.values()]
    args += [f"--relationships={folder / f}" for files in manifest.neo4j_relationships.values() for f in files]
    return args


def falkordb_loader_args(manifest: BulkManifest, folder: Path, graph: str, url: str) -> list[str]:
    """The arguments of ``falkordb-bulk-insert`` (a new graph; it refuses to load into an existing one)."""
    # no escape character: the CSV doubles its quotes, and a backslash is text ("C:\\new\\table" loaded as
    # "C:newtable" with the loader's default escape character)
    args = [graph, "--server-url", url, "--enforce-schema", "--escapechar", "none"]
    for label, f in manifest.falkordb_nodes.items():
        args += ["--nodes-with-label", label, str(folder / f)]
    for rel_type, files in manifest.falkordb_relationships.items():
        for f in files:
            args += ["--relations-with-type", rel_type, str(folder / f)]
    return args
