"""`kg neo4j start|stop|status`: explore the graph in Neo4j Browser, styled, with the saved queries."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from claimgraph.cli.common import emit_json, err, out, service_of

neo4j_app = typer.Typer(
    help="Neo4j Browser on your graph: a local Neo4j 5.26 (from Maven Central), styled, with ClaimGraph's queries.",
    no_args_is_help=True,
)


@neo4j_app.command("start")
def neo4j_start(
    ctx: typer.Context,
    http_port: Annotated[int, typer.Option(help="Neo4j Browser and HTTP.")] = 7474,
    bolt_port: Annotated[int, typer.Option(help="Bolt (drivers, `kg --store bolt://…`).")] = 7687,
    assets_port: Annotated[int, typer.Option(help="ClaimGraph's Browser style and guide.")] = 7475,
    load: Annotated[bool, typer.Option(help="Copy the current graph into Neo4j (re-running changes nothing).")] = True,
    benchmark: Annotated[str, typer.Option(help="The $benchmark the guide's queries start with.")] = "XNLI",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Start Neo4j with Neo4j Browser, load the graph, print the Browser's address.

    The server keeps its data in <data dir>/neo4j and listens on 127.0.0.1 only, without a
    password (it is your laptop's; do not open the ports to a network). When Browser connects it
    applies ClaimGraph's style (docker/neo4j/claimgraph.grass) and opens a guide with the saved
    queries (docker/neo4j/queries.cypher): click one, run it. Outgoing connections and usage
    reports are off. Needs Java 17+ and the jars of `make neo4j-jars`.

    Examples:

      kg neo4j start

      kg neo4j start --http-port 17474 --bolt-port 17687 --assets-port 17475

      kg neo4j status

      kg neo4j stop
    """
    from kg.store.neo4j_local import Ports, start

    service = service_of(ctx)
    home = service.settings.data_dir / "neo4j"
    state = start(home, Ports(http_port, bolt_port, assets_port), benchmark=benchmark)
    copied = None
    if load:
        written, _, after = service.admin.migrate(
            service.settings.store_uri(), f"bolt://neo4j:unused@127.0.0.1:{bolt_port}"
        )
        copied = {"written": written.model_dump(), "target": after.model_dump()}
    if as_json:
        emit_json({**state, "loaded": copied})
        return
    if copied is not None:
        nodes = sum(copied["target"]["nodes"].values())
        rels = sum(copied["target"]["relationships"].values())
        out.print(Text(f"graph loaded: {nodes} nodes, {rels} relationships"))
    # soft wrap: the address must stay one piece to be copied or clicked
    out.print(
        Text(f"Neo4j Browser: {state['browser']}  (Bolt {state['bolt']}, no password, 127.0.0.1 only)"),
        soft_wrap=True,
    )
    out.print(Text(f"data: {home}; stop it with `kg neo4j stop`"))


@neo4j_app.command("stop")
def neo4j_stop(ctx: typer.Context) -> None:
    """Stop the Neo4j (and its asset server) that `kg neo4j start` started for this data dir."""
    from kg.store.neo4j_local import stop

    home = service_of(ctx).settings.data_dir / "neo4j"
    if stop(home):
        out.print(Text(f"stopped Neo4j of {home}"))
    else:
        err.print(Text(f"no Neo4j was running for {home}"))


@neo4j_app.command("status")
def neo4j_status(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """Whether the local Neo4j runs, its ports and its Browser address; exit 1 when it does not run."""
    from kg.store.neo4j_local import status

    state = status(service_of(ctx).settings.data_dir / "neo4j")
    if as_json:
        emit_json(state)
    elif state["running"]:
        out.print(
            Text(f"running: Neo4j Browser {state['browser']}, Bolt {state['bolt']} (pid {state['neo4j_pid']})"),
            soft_wrap=True,
        )
    else:
        out.print(Text(f"not running (data dir {state['home']})"))
    if not state["running"]:
        raise typer.Exit(code=1)
