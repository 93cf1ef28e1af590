"""The ``kg`` command line. Thin: parse options, call :class:`claimgraph.services.ClaimGraph`, render.

Commands live in one module per concern (ingest, papers, queries, verify, nli, admin); this
module builds the app from them and maps ClaimGraph errors to exit codes in :func:`main`, the
one place that does so (the codes come from :data:`kg.errors.ERROR_POLICY`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.text import Text

from claimgraph.cli import (
    admin_cmds,
    ingest_cmds,
    neo4j_cmds,
    nli_cmds,
    papers_cmds,
    query_cmds,
    review_cmds,
    verify_cmds,
)
from claimgraph.cli.common import err, out, teardown_skipped
from claimgraph.services import ClaimGraph
from kg.errors import ClaimGraphError, InputError
from kg.settings import Settings

app = typer.Typer(
    name="kg",
    help=(
        "ClaimGraph: a knowledge graph of the claims in literature-synthesis reports.\n\n"
        "Typical session:\n\n"
        "  kg ingest examples/reports          # parse, extract, deduplicate, link paraphrases\n\n"
        "  kg claims --benchmark XNLI --verified\n\n"
        "  kg verify                           # check claims against the papers' abstracts\n\n"
        "  kg conflicts                        # where reports (and the verifier) disagree\n\n"
        "The graph lives in ./.claimgraph unless --data-dir or CLAIMGRAPH_DATA_DIR says otherwise."
    ),
    no_args_is_help=True,
    invoke_without_command=True,  # `kg --version` alone
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)


@app.callback()
def configure(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder of the embedded store. [env: CLAIMGRAPH_DATA_DIR]")
    ] = None,
    store: Annotated[
        str | None, typer.Option(help="Store URI, e.g. embedded://./.claimgraph. [env: CLAIMGRAPH_STORE]")
    ] = None,
    gazetteer: Annotated[Path | None, typer.Option(help="Extra gazetteer TOML merged over the built-in one.")] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, help="Print the version, the NLI model and the float precision, and exit."
        ),
    ] = False,
) -> None:
    if version:
        _print_version()
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        out.print(ctx.get_help())
        raise typer.Exit()
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if store is not None:
        overrides["store"] = store
    if gazetteer is not None:
        overrides["gazetteer"] = gazetteer
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise InputError(f"invalid settings: {exc}") from exc
    ctx.obj = ClaimGraph(settings)


def _print_version() -> None:
    """What runs here: the package version, the default models, and bf16 or fp32 (for both) with the reason."""
    from importlib.metadata import version as installed

    from kg.nli.model import DEFAULT_NLI_MODEL
    from kg.precision import runtime_precision
    from kg.settings import DEFAULT_EMBEDDING_MODEL

    precision, why = runtime_precision()
    out.print(Text(f"claimgraph {installed('claimgraph')}"))
    out.print(Text(f"NLI model: {DEFAULT_NLI_MODEL}"))
    out.print(Text(f"sentence encoder: {DEFAULT_EMBEDDING_MODEL}"))
    out.print(Text(f"precision of both: {precision} ({why}; CLAIMGRAPH_PRECISION overrides)"))


# Registration order is the order of `kg --help`.
app.command()(ingest_cmds.ingest)
app.add_typer(papers_cmds.papers_app, name="papers")
app.command()(query_cmds.stats)
app.command()(query_cmds.claims)
app.command()(verify_cmds.verify)
app.command()(query_cmds.explain)
app.command()(query_cmds.conflicts)
app.command()(query_cmds.paraphrases)
app.command()(admin_cmds.export)
app.command()(admin_cmds.migrate)
app.command(name="bulk-load")(admin_cmds.bulk_load)
app.command()(admin_cmds.serve)
app.add_typer(nli_cmds.nli_app, name="nli")
app.add_typer(verify_cmds.verifier_app, name="verifier")
app.add_typer(neo4j_cmds.neo4j_app, name="neo4j")
app.add_typer(review_cmds.review_app, name="review")


def main() -> None:
    """Entry point of the ``kg`` script: run the app, map ClaimGraph errors to exit codes."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        code = app(standalone_mode=False)  # returns the code of a typer.Exit in this mode
    except ClaimGraphError as exc:
        # messages quote data (no markup) and paths (no hard wrap: a path broken over lines cannot be copied)
        err.print(Text.assemble(("error:", "red"), f" {exc}"), highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        # typer vendors its own click (typer._click): match the class by name, not by identity
        if any(cls.__name__ == "ClickException" for cls in type(exc).__mro__):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        raise
    status = code if isinstance(code, int) else 0
    if teardown_skipped():  # the command is done and its stores are closed (see skip_teardown)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":
    main()
