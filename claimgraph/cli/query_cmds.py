"""The questions: `kg stats`, `kg claims`, `kg explain`, `kg conflicts`, `kg paraphrases`."""

from __future__ import annotations

from typing import Annotated

import typer

from claimgraph.cli import render
from claimgraph.cli.common import (
    VerdictChoice,
    emit_json,
    err,
    out,
    service_of,
)
from claimgraph.services.queries import report_verdict_filter


def stats(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Count nodes per label and relationships per type.

    `--json` prints `{"nodes": {label: n}, "relationships": {type: n}}` with every label and type.
    """
    result = service_of(ctx).queries.stats()
    if as_json:
        emit_json(result)
    else:
        out.print(render.stats_table(result))


def claims(
    ctx: typer.Context,
    benchmark: Annotated[str | None, typer.Option(help="Benchmark name or alias, e.g. XNLI, pawsx.")] = None,
    language: Annotated[str | None, typer.Option(help="Language name or ISO code, e.g. Swahili, sw.")] = None,
    model: Annotated[str | None, typer.Option(help="Model or model family, e.g. XLM-R, 'XLM-R Large'.")] = None,
    verified: Annotated[
        bool | None,
        typer.Option(
            "--verified/--unverified",
            help="Only claims every asserting report marked ✓ (--verified) or × (--unverified).",
        ),
    ] = None,
    conflicting: Annotated[bool, typer.Option(help="Only claims marked ✓ by some reports and × by others.")] = False,
    verdict: Annotated[
        VerdictChoice | None,
        typer.Option(help="Only claims with this verifier verdict (`unchecked`: not verified yet)."),
    ] = None,
    limit: Annotated[int, typer.Option(min=0, help="Show at most this many claims, by key (0: all of them).")] = 100,
    after: Annotated[str | None, typer.Option(help="Start after this claim key (the next page).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: {count, claims: [...], next}")] = False,
) -> None:
    """List claims with every report's assertion (✓/×, confidence, file:line).

    A page of --limit claims (100) at a time, in key order; the last line (or `next` in JSON)
    gives the --after value of the next page.

    Examples: `kg claims --benchmark XNLI --verified`, `kg claims --verdict REFUTED`
    """
    report_verdict = report_verdict_filter(verified, conflicting, names=("--verified/--unverified", "--conflicting"))
    queries = service_of(ctx).queries
    query = queries.query(
        benchmark=benchmark,
        language=language,
        model=model,
        report_verdict=report_verdict,
        verdict=verdict.value if verdict is not None else None,
        after=after,
    )
    if limit == 0:
        found, next_key = queries.find(query), None
    else:
        page = queries.claims_page(query, limit)
        found, next_key = page.items, page.next_cursor
    if as_json:
        emit_json({"count": len(found), "claims": [c.model_dump(mode="json") for c in found], "next": next_key})
    else:
        out.print(render.claims_table(found))
        if next_key is not None:
            err.print(f"[dim]first {limit} claims shown; next page: --after {next_key} (or --limit 0 for all)[/]")


def explain(
    ctx: typer.Context,
    claim: Annotated[str, typer.Argument(help="Claim key or a unique prefix of it (see `kg claims`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the claim view (with verdict) as JSON.")] = False,
) -> None:
    """Show a claim, each report's ✓/× on it, and the verifier's evidence chain with scores.

    Example: `kg explain c_1a2b`
    """
    view = service_of(ctx).queries.claim(claim)
    if as_json:
        emit_json(view)
        return
    for line in render.explain_lines(view):
        out.print(line, highlight=False)


def conflicts(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Show where reports disagree (one claim, or across paraphrases) and where the verifier disagrees."""
    found = service_of(ctx).queries.conflicts()
    if as_json:
        emit_json({"count": len(found), "conflicts": [c.model_dump(mode="json") for c in found]})
    else:
        out.print(render.conflicts_table(found))


def paraphrases(
    ctx: typer.Context,
    relink: Annotated[bool, typer.Option(help="Recompute the links before listing them.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List PARAPHRASE_OF links between claims, with their scores."""
    service = service_of(ctx)
    if relink:
        err.print(render.paraphrase_line(service.ingestion.link_paraphrases()))
    links = service.queries.paraphrases()
    views = {c.key: c.text for c in service.queries.claims()}
    rows = [
        {
            "a": r.start.key,
            "b": r.end.key,
            "a_text": views.get(r.start.key, ""),
            "b_text": views.get(r.end.key, ""),
            **r.props,
        }
        for r in links
    ]
    if as_json:
        emit_json({"count": len(rows), "links": rows})
        return
    out.print(render.paraphrases_table(rows))
