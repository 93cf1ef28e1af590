"""Whole-graph commands: `kg export`, `kg migrate`, `kg serve`."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from claimgraph.cli import render
from claimgraph.cli.common import (
    counting_bar,
    emit_json,
    err,
    out,
    service_of,
)
from kg.errors import InputError


class ExportFormat(StrEnum):
    graphml = "graphml"
    json = "json"
    csv = "csv"


def without_password(uri: str) -> str:
    """A store URI as it may be printed: ``bolt://neo4j:***@host:7687`` (a password never reaches a log)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    user = f"{parts.username}:***@" if parts.username else ":***@"
    host = parts.hostname or ""
    netloc = user + host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def export_format_of(path: Path) -> ExportFormat:
    """The format a file name asks for: .graphml, .json, or (no extension, or a folder) csv."""
    suffix = path.suffix.lower()
    if suffix in (".graphml", ".xml"):
        return ExportFormat.graphml
    if suffix == ".json":
        return ExportFormat.json
    if suffix == "" or path.is_dir():
        return ExportFormat.csv
    raise InputError(f"{path}: cannot tell the export format from {suffix!r}; use .graphml, .json, or --format")


def export(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Output file.")],
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            help="graphml (Gephi, yEd, Cytoscape), json (node-link), or csv: a folder for neo4j-admin database "
            "import and falkordb-bulk-loader (then `kg bulk-load`). [default: from the extension: .graphml, "
            ".json; a path without one is a csv folder]",
        ),
    ] = None,
) -> None:
    """Export the whole graph to GraphML, node-link JSON, or bulk-import CSV.

    The format follows the file name unless --format says otherwise:

      kg export graph.graphml

      kg export graph.json

    For a first load of a large corpus into a server, CSV plus the database's own importer is many
    times faster than `kg migrate`:

      kg export --format csv bulk/
      kg bulk-load bulk/ --to falkordb://localhost:6379/claimgraph
    """
    fmt = fmt or export_format_of(path)
    if fmt == ExportFormat.csv:
        manifest = service_of(ctx).admin.export_bulk_csv(path)
        from kg.store.bulk_csv import neo4j_admin_args

        out.print(
            f"wrote {path}: {sum(manifest.nodes.values())} nodes, {sum(manifest.relationships.values())} "
            f"relationships, {manifest.rest} property sets for the writer (rest.jsonl)"
        )
        out.print("FalkorDB (a new graph):  kg bulk-load " + f"{path} --to falkordb://HOST:6379/GRAPH")
        out.print(
            "Neo4j (server stopped):  neo4j-admin " + " ".join(neo4j_admin_args(manifest, path.resolve())),
            soft_wrap=True,
        )
        out.print("             then, started:  kg bulk-load " + f"{path} --to bolt://HOST:7687")
        return
    counts = service_of(ctx).admin.export("graphml" if fmt == ExportFormat.graphml else "json", path)
    total_nodes = sum(counts.nodes.values())
    total_rels = sum(counts.relationships.values())
    out.print(f"wrote {path} ({total_nodes} nodes, {total_rels} relationships)")


def bulk_load(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A folder written by `kg export --format csv`.")],
    target: Annotated[str, typer.Option("--to", help="falkordb://HOST:PORT/GRAPH (new) or bolt://HOST:7687")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Load an exported CSV folder into a server with its own bulk importer, then finish it with the writer.

    FalkorDB: runs falkordb-bulk-loader into a graph that must not exist yet. Neo4j: run the
    `neo4j-admin database import` command `kg export --format csv` printed first, start the server,
    then this. Either way it writes what CSV cannot carry (lists, empty relationship keys) and checks
    the counts against the export's manifest.

    Example: `kg bulk-load bulk/ --to falkordb://localhost:6379/claimgraph`
    """
    done = service_of(ctx).admin.bulk_load(folder, target)
    if as_json:
        emit_json(
            {
                "importer_seconds": round(done.importer_seconds, 3),
                "total_seconds": round(done.total_seconds, 3),
                "keys_filled": done.keys_filled,
                "rest": done.rest.model_dump(),
            }
        )
    else:
        out.print(
            f"loaded {folder} into {without_password(target)} in {done.total_seconds:.1f} s "
            f"(importer {done.importer_seconds:.1f} s; {done.rest.nodes_updated} nodes and "
            f"{done.rest.relationships_updated} relationships finished by the writer)"
        )


def migrate(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", help="Store to copy from, e.g. embedded://.claimgraph")],
    target: Annotated[str, typer.Option("--to", help="Store to copy into, e.g. bolt://localhost:7687")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Copy a whole graph between two stores (embedded://DIR, falkordb://HOST:PORT/GRAPH, bolt://HOST:PORT).

    Safe to re-run: copying into a store that already holds the graph changes nothing.
    Neo4j credentials come from NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE.

    Example: `kg migrate --from embedded://.claimgraph --to falkordb://localhost:6379/claimgraph`
    """
    with counting_bar("migrate", quiet=as_json, show_item=True) as progress:
        task = progress.add_task("", total=None)

        def advance(what: str, count: int) -> None:
            progress.update(task, advance=count, description=what)

        written, before, after = service_of(ctx).admin.migrate(source, target, on_progress=advance)
    if as_json:
        emit_json({"written": written.model_dump(), "source": before.model_dump(), "target": after.model_dump()})
        return
    out.print(render.stats_table(after))
    out.print(
        Text(
            f"copied into {without_password(target)}: {written.nodes_created} nodes and "
            f"{written.relationships_created} relationships created, "
            f"{written.nodes_updated + written.relationships_updated} updated"
        )
    )
    if before != after:
        err.print("[yellow]note:[/] the target held other data too; its counts differ from the source's")


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0 for every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="uvicorn worker processes (Neo4j or FalkorDB stores; the embedded store serves one).")
    ] = 1,
) -> None:
    """Serve the REST + GraphQL API (OpenAPI docs at /docs, GraphiQL at /graphql).

    The store is opened once and held while the server runs; with the embedded store, write through
    the API (POST /reports, POST /verify) rather than `kg ingest` meanwhile. Write routes need
    CLAIMGRAPH_API_TOKEN as a bearer token.

    Example: `CLAIMGRAPH_API_TOKEN=secret kg serve --port 8000`, then
    `curl 'http://127.0.0.1:8000/claims?benchmark=XNLI&verified=true'`
    """
    import uvicorn

    from api.main import create_app

    service = service_of(ctx)
    if workers < 1:
        raise InputError("--workers must be at least 1")
    if workers == 1:
        # open the store once before the server starts: a store another process writes is one line and exit 4,
        # not uvicorn's startup traceback and exit 3
        with service.workspace.store():
            pass
        uvicorn.run(create_app(service=service, freeze_heap=True), host=host, port=port, log_level="info")
        return
    settings = service.settings
    if settings.store_uri().startswith("embedded://"):
        raise InputError(
            "the embedded store serves one worker (it is one process's memory); use a Neo4j or FalkorDB store for more"
        )
    # Worker processes build their own app from the environment, so hand them what the options chose.
    os.environ["CLAIMGRAPH_STORE"] = settings.store_uri()
    os.environ["CLAIMGRAPH_DATA_DIR"] = str(settings.data_dir)
    if settings.gazetteer is not None:
        os.environ["CLAIMGRAPH_GAZETTEER"] = str(settings.gazetteer)
    uvicorn.run("api.main:serving_app", factory=True, host=host, port=port, workers=workers, log_level="info")
