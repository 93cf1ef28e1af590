"""The questions: `kg stats`, `kg claims`, `kg explain`, `kg conflicts`, `kg paraphrases`."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import typer
from rich.text import Text

from claimgraph.cli import render, render_claims
from claimgraph.cli.common import (
    emit_json,
    err,
    out,
    service_of,
)
from claimgraph.services.queries import QueryService
from kg.errors import InputError
from schemas.views import ClaimQuery, ReportVerdict


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
        bool, typer.Option("--verified", help="Only claims the verifier found SUPPORTED by the evidence.")
    ] = False,
    verdict: Annotated[
        str | None,
        typer.Option(
            help="Only claims with this verifier verdict: SUPPORTED, REFUTED, NOT_ENOUGH_INFO, or unchecked "
            "(not verified yet); any case."
        ),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(help="Only claims of this status: verified, refuted, disputed, asserted-only, unconfirmed."),
    ] = None,
    marked: Annotated[
        str | None,
        typer.Option(
            help="What the reports assert: verified (every asserting report marked ✓), unverified (every one ×), "
            "conflicting (both)."
        ),
    ] = None,
    conflicting: Annotated[bool, typer.Option(help="Short for --marked conflicting.")] = False,
    limit: Annotated[int, typer.Option(min=0, help="Show at most this many claims, by key (0: all of them).")] = 100,
    after: Annotated[str | None, typer.Option(help="Start after this claim key (the next page).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: {count, claims: [...], next}")] = False,
) -> None:
    """List claims: what the reports assert (✓/×, confidence, file:line), what the verifier found, and the status.

    Three things are kept apart. Reports *assert* a claim (✓ or ×, with a confidence: --marked).
    The *verifier* checks it against the papers' abstracts (SUPPORTED, REFUTED, NOT_ENOUGH_INFO,
    with P(supported) and P(refuted): --verdict; --verified is --verdict SUPPORTED). The *status*
    combines them: verified, refuted, disputed (reports disagree, or the verdict contradicts
    them), asserted-only (reports ✓, evidence silent), unconfirmed (reports ×, evidence silent).

    A page of --limit claims (100) at a time, in key order; the last line (or `next` in JSON)
    gives the --after value of the next page.

    Examples:

      kg claims --benchmark XNLI --verified

      kg claims --status disputed

      kg claims --marked unverified --language sw
    """
    from claimgraph.services.queries import status_filter, verdict_filter

    if conflicting and marked not in (None, "conflicting"):
        raise InputError(f"--conflicting cannot be combined with --marked {marked}")
    report_verdict = _marked(marked or ("conflicting" if conflicting else None))
    queries = service_of(ctx).queries
    if model is not None:
        err.print(Text(queries.model_match(model)[1]), style="dim", highlight=False)
    query = queries.query(
        benchmark=benchmark,
        language=language,
        model=model,
        report_verdict=report_verdict,
        verdict=verdict_filter(verdict, verified=verified, name="--verdict"),
        status=status_filter(status, name="--status"),
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
        out.print(render_claims.claims_table(found))
        if next_key is not None:
            err.print(f"[dim]first {limit} claims shown; next page: --after {next_key} (or --limit 0 for all)[/]")
        if not found:
            err.print(Text(_why_empty(queries, query)), highlight=False)


def _why_empty(queries: QueryService, query: ClaimQuery) -> str:
    """An empty answer says why: how many claims the entity filters find, and their status."""
    narrowing = {"verdict": query.verdict, "status": query.status, "report_verdict": query.report_verdict}
    asked = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in narrowing.items() if v is not None)
    if not asked:
        return "no claim matches these filters; `kg stats` shows what the store holds"
    wider = queries.find(query.model_copy(update=dict.fromkeys(narrowing)))
    if not wider:
        return "no claim matches even without the verdict, status and report filters"
    statuses = Counter(c.status for c in wider)
    found = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    return f"none of the {len(wider)} claim(s) the other filters select has {asked}; their status: {found}"


def _marked(value: str | None) -> ReportVerdict | None:
    if value is None:
        return None
    allowed: dict[str, ReportVerdict] = {
        "verified": "verified",
        "unverified": "unverified",
        "conflicting": "conflicting",
    }
    found = allowed.get(value.strip().casefold())
    if found is None:
        raise InputError(f"--marked must be verified, unverified or conflicting, not {value!r}")
    return found


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
    for line in render_claims.explain_lines(view):
        out.print(line, highlight=False)


def conflicts(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=0, help="Show the first N, most reports first (0: all).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Where reports disagree, and where a decided verdict contradicts the reports, most reports first.

    Three kinds: reports disagree (✓ and × on one claim), paraphrase disagree (✓ and × on two
    claims that say the same thing), verifier disagrees (SUPPORTED against a ×, REFUTED against a
    ✓). NOT_ENOUGH_INFO is the evidence abstaining, never a disagreement.

    Examples:

      kg conflicts --limit 5

      kg conflicts --json
    """
    found = service_of(ctx).queries.conflicts()
    shown = found[:limit] if limit else found
    if as_json:
        emit_json({"count": len(found), "conflicts": [c.model_dump(mode="json") for c in shown]})
    else:
        out.print(render_claims.conflicts_table(shown, total=len(found)))


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
