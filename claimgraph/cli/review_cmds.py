"""`kg review …`: people confirm or correct the verifier; the decisions are data (see docs/review.md)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table
from rich.text import Text

from claimgraph.cli.common import emit_json, out, service_of
from kg.errors import InputError, ParseError, SourceIssue
from schemas.graph import VerdictLabel
from schemas.review import ReviewInput

review_app = typer.Typer(
    help="Reviews: a person's label for a claim, beside the reports' marks and the verifier's verdict.",
    no_args_is_help=True,
)

LABELS: dict[str, VerdictLabel] = {
    "supported": "SUPPORTED",
    "refuted": "REFUTED",
    "nei": "NOT_ENOUGH_INFO",
    "not_enough_info": "NOT_ENOUGH_INFO",
}


def _label(value: str) -> VerdictLabel:
    label = LABELS.get(value.strip().casefold().replace("-", "_"))
    if label is None:
        raise InputError(f"LABEL must be SUPPORTED, REFUTED or NOT_ENOUGH_INFO (or NEI), not {value!r}")
    return label


@review_app.command("add")
def review_add(
    ctx: typer.Context,
    claim: Annotated[str, typer.Argument(help="The claim's key, or a unique prefix of it.")],
    label: Annotated[str, typer.Argument(help="SUPPORTED, REFUTED or NOT_ENOUGH_INFO (NEI).")],
    note: Annotated[str, typer.Option("--note", help="Why: what you read, where.")] = "",
    by: Annotated[
        str | None, typer.Option("--by", help="Who decides (default: CLAIMGRAPH_REVIEWER, else your login).")
    ] = None,
    paper: Annotated[str | None, typer.Option("--paper", help="arXiv id of the paper holding the evidence.")] = None,
    sentence: Annotated[str | None, typer.Option("--sentence", help="The evidence sentence, as in the paper.")] = None,
    evidence: Annotated[str | None, typer.Option("--evidence", help="Free-text evidence (a table, a figure).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the review as JSON.")] = False,
) -> None:
    """Record your label for a claim. Deciding again changes your review; the change is logged.

    The claim's status then rests on your label, not the verifier's (`kg claims` shows both); a later
    `kg verify` never overwrites it. Example: kg review add c_9825 REFUTED --note "Table 3 says 71.2, not 75"
    """
    reviewer = by or service_of(ctx).settings.reviewer or getpass.getuser()
    try:
        given = ReviewInput(
            claim=claim,
            verdict=_label(label),
            reviewer=reviewer,
            note=note,
            evidence_paper=paper,
            evidence_sentence=sentence,
            evidence_text=evidence,
        )
    except ValidationError as exc:
        raise InputError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from exc
    view, changed = service_of(ctx).reviews.add(given)
    if as_json:
        emit_json(view)
        return
    verb = "recorded" if changed else "unchanged (the same decision is already recorded)"
    out.print(Text(f"review {view.key} of {view.claim}: {view.verdict} by {view.reviewer} — {verb}"), highlight=False)


@review_app.command("queue")
def review_queue(
    ctx: typer.Context,
    benchmark: Annotated[str | None, typer.Option(help="Benchmark name or alias, e.g. XNLI.")] = None,
    language: Annotated[str | None, typer.Option(help="Language name or ISO code.")] = None,
    model: Annotated[str | None, typer.Option(help="Model or model family.")] = None,
    limit: Annotated[int, typer.Option(help="How many claims.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The claims whose review is worth most, first: asserted by many reports, reports in conflict,
    verdicts that contradict the reports or sit near the decision boundary, unchecked claims.

    Claims with a current review are left out. Each line says why it is there.
    """
    items = service_of(ctx).reviews.queue(benchmark=benchmark, language=language, model=model, limit=limit)
    if as_json:
        emit_json(items)
        return
    if not items:
        out.print("nothing to review: every claim that matches has a current review", highlight=False)
        return
    table = Table("priority", "claim", "marks", "verifier", "why", show_lines=False)
    for item in items:
        table.add_row(
            f"{item.priority:.2f}",
            Text(f"{item.claim}\n{item.text}"),
            Text(item.marks),
            Text(item.verifier_verdict or "unchecked"),
            Text("; ".join(item.reasons) or "—"),
        )
    out.print(table)


@review_app.command("export")
def review_export(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="JSONL file to write (one review a line).")]
) -> None:
    """Write every review as JSONL, to share with another group (`kg review import` reads it)."""
    reviews = service_of(ctx).reviews.reviews()
    with file.open("w", encoding="utf-8") as handle:
        for review in reviews:
            handle.write(review.model_dump_json(exclude_none=True) + "\n")
    out.print(f"{len(reviews)} review(s) written to {file}", highlight=False)


@review_app.command("import")
def review_import(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="JSONL file from `kg review export`.")]
) -> None:
    """Read reviews from JSONL. All or nothing: a bad line is named FILE:LINE and nothing is written.

    A review that is already here, the same, changes nothing; a different one is recorded as a change.
    """
    reviews: list[ReviewInput] = []
    issues: list[SourceIssue] = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            reviews.append(ReviewInput.model_validate(json.loads(line)))
        except (ValueError, ValidationError) as exc:
            issues.append(SourceIssue(file.name, number, str(exc).splitlines()[0]))
    if issues:
        raise ParseError(issues)
    summary = service_of(ctx).reviews.import_reviews(reviews)
    out.print(
        f"{len(reviews)} review(s) read; {summary.nodes_created} new, {summary.nodes_updated} changed",
        highlight=False,
    )


@review_app.command("log")
def review_log(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every change of every review, oldest first: who, when, what it was before and after."""
    events = service_of(ctx).reviews.log()
    if as_json:
        emit_json(events)
        return
    for event in events:
        before = event.before["verdict"] if event.before else "—"
        line = f"{event.at}  {event.by}  {event.action}  {event.claim}  {before} -> {event.after['verdict']}"
        note = event.after.get("note")
        out.print(Text(line + (f"  ({note})" if note else "")), highlight=False)
