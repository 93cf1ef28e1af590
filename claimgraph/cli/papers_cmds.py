"""`kg papers …`: arXiv metadata and abstracts for the papers that reports cite."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from claimgraph.cli import render
from claimgraph.cli.common import (
    emit_json,
    err,
    out,
    service_of,
)
from kg.errors import InputError, SourceError
from schemas.paper import PapersOutcome

papers_app = typer.Typer(help="Papers: arXiv metadata and abstracts for the papers reports cite.", no_args_is_help=True)


def _papers_result(outcome: PapersOutcome, as_json: bool) -> None:
    if as_json:
        emit_json(outcome)
    else:
        out.print(Text(render.papers_line(outcome)))
        for examined in outcome.examined:
            target = Text(examined.paper) if examined.paper else Text("unresolved", style="yellow")
            out.print(
                Text.assemble(f"  examines {examined.title!r} -> ", target, f" ({examined.how})"), highlight=False
            )
    for error in outcome.errors:
        err.print(Text.assemble(("error", "red"), f" {error}"), highlight=False)
    if outcome.failed:
        raise SourceError(f"{len(outcome.failed)} paper(s) could not be fetched: {', '.join(outcome.failed[:10])}")


@papers_app.command("fetch")
def papers_fetch(
    ctx: typer.Context,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Fetch again even what is cached or already known.")
    ] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Use the cache only; make no request.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Fetch arXiv metadata and abstracts for every cited paper that lacks them.

    Requests go in batches of up to 100 ids, with a pause between requests, retries with
    back-off, and a timeout; results are cached in the data directory, so a second run
    makes no request. The API URL is CLAIMGRAPH_ARXIV_API_URL (default: the real export API).
    Also resolves "This paper examines: <title>" lines to arXiv papers by exact title.
    Exit code 6 if some paper could not be fetched (the rest is still written).
    """
    _papers_result(service_of(ctx).papers.fetch(refresh=refresh, offline=offline), as_json)


@papers_app.command("add")
def papers_add(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(help="arXiv ids, version optional: 2104.08645 2005.13013v2")],
    offline: Annotated[bool, typer.Option("--offline", help="Use the cache only; make no request.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Add papers by hand and fetch their metadata."""
    from schemas.claim_record import ARXIV_ID_PATTERN

    bad = [raw for raw in ids if not re.match(ARXIV_ID_PATTERN, raw)]
    if bad:
        raise InputError(f"not arXiv ids: {', '.join(bad)} (expected e.g. 2104.08645 or 2104.08645v2)")
    _papers_result(service_of(ctx).papers.add(ids, offline=offline), as_json)


@papers_app.command("import")
def papers_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A .jsonl file, one arXiv record per line (see examples/papers.jsonl).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Import paper metadata from a file instead of the arXiv API (air-gapped installs, reproducible demos).

    Each line is a record like those `kg papers fetch` caches: arxiv_id, version, title, authors,
    abstract, … A file with a bad line is reported as FILE:LINE: REASON and nothing from it is written.

    Example: `kg papers import examples/papers.jsonl`
    """
    _papers_result(service_of(ctx).papers.import_file(path), as_json)


@papers_app.command("list")
def papers_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """List papers with their metadata (abstract sentences are the verifier's evidence)."""
    papers = service_of(ctx).papers.nodes()
    if as_json:
        emit_json({"count": len(papers), "papers": [{"key": p.key, **p.props} for p in papers]})
    else:
        out.print(render.papers_table(papers))
