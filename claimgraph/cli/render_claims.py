"""Rich renderings of claims: the claims table, one claim's explanation, the conflicts table.

Everything that comes from data (claim texts, file names, report titles, evidence sentences,
reasons) goes into :class:`rich.text.Text` pieces, never into a markup string: a claim that
contains ``[/x]`` or ``[bold red]`` prints literally instead of crashing or restyling the output.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from schemas.views import STATUS_MEANING, ClaimView, Conflict, VerdictView

MARK = {True: ("✓", "green"), False: ("×", "red")}
VERDICT_STYLE = {"SUPPORTED": "green", "REFUTED": "red", "NOT_ENOUGH_INFO": "yellow"}
STATUS_STYLE = {
    "verified": "bold green",
    "refuted": "bold red",
    "disputed": "bold yellow",
    "asserted-only": "",
    "unconfirmed": "dim",
}


def point_name(min_precision: float | None) -> str:
    """How an operating point was chosen, in words."""
    return "default, best macro-F1" if min_precision is None else f"precision ≥ {min_precision}"


def verdict_cell(verdict: VerdictView | None) -> Text:
    """What the verifier found, with P(supported) and P(refuted): the verdict's own probability hides them."""
    if verdict is None:
        return Text("not verified", style="dim")
    cell = Text(verdict.verdict, style=VERDICT_STYLE[verdict.verdict])
    if verdict.probabilities:
        p = verdict.probabilities
        cell.append(f"\nP(sup) {p['SUPPORTED']:.2f} P(ref) {p['REFUTED']:.2f}")
    else:
        cell.append(f" ({verdict.decided_by})", style="dim")
    return cell


def status_cell(claim: ClaimView) -> Text:
    cell = Text(claim.status, style=STATUS_STYLE[claim.status])
    if claim.review is not None:  # a person's label decides: say whose
        cell.append(f"\nreviewed {claim.review.verdict} by {claim.review.reviewer}", style="dim")
    elif claim.reviews:
        cell.append("\nreview stale (text changed)", style="dim")
    return cell


def review_lines(claim: ClaimView) -> list[Text]:
    """What people reviewed: each review with who, when, the note, and whether it still decides."""
    if not claim.reviews:
        return [Text.assemble(("what people reviewed", "bold"), f": nothing yet (kg review add {claim.key} LABEL)")]
    lines = [Text.assemble(("what people reviewed", "bold"), f" (status rests on: {claim.status_by})")]
    for r in claim.reviews:
        state = "stale: the claim's text changed since" if r.stale else ("decides" if r is claim.review else "older")
        lines.append(Text(f"  {r.verdict} by {r.reviewer} at {r.reviewed_at} ({state}; {r.changes} change(s))"))
        if r.note:
            lines.append(Text(f"    note: {r.note}"))
        if r.evidence_paper or r.evidence_sentence or r.evidence_text:
            where = " ".join(x for x in (r.evidence_paper, r.evidence_sentence, r.evidence_text) if x)
            lines.append(Text(f"    evidence: {where}"))
        if r.verifier_verdict:
            lines.append(Text(f"    the verifier said {r.verifier_verdict} then ({r.verifier_model})", style="dim"))
    return lines


def _assertions(claim: ClaimView) -> Text:
    cell = Text()
    for i, a in enumerate(claim.assertions):
        mark, style = MARK[a.verified]
        cell.append("\n" if i else "").append(mark, style=style).append(
            f" {a.confidence:.2f}  {a.source_name}:{a.line}"
        )
    for p in claim.paraphrases:
        cell.append(f"\n≈ {p.claim} ({p.score:.2f})", style="dim")
    return cell


def claims_table(claims: list[ClaimView]) -> Table:
    table = Table(title=f"{len(claims)} claim(s)", show_lines=True)
    table.add_column("claim", ratio=3, overflow="fold")
    table.add_column("entities", ratio=1, overflow="fold")
    table.add_column("reports assert (✓/×, confidence, file:line)", ratio=2, overflow="fold")
    table.add_column("verifier found", ratio=1, overflow="fold")
    table.add_column("status", ratio=1, overflow="fold")
    for claim in claims:
        text = Text(claim.text)
        if claim.truncated:
            text.append(" (truncated)", style="dim")
        text.append(f"\n{claim.key}", style="dim")
        entities = ", ".join(claim.benchmarks + claim.models + claim.languages)
        if claim.results:
            entities += "\n" + "; ".join(
                f"{r.value:g} {r.unit or ''} {r.kind} on {r.benchmark or '?'}".replace("  ", " ") for r in claim.results
            )
        table.add_row(text, Text(entities), _assertions(claim), verdict_cell(claim.verdict), status_cell(claim))
    return table


def conflicts_table(conflicts: list[Conflict], total: int | None = None) -> Table:
    shown = (
        f"{len(conflicts)} disagreement(s)"
        if total in (None, len(conflicts))
        else f"{len(conflicts)} of {total} disagreements"
    )
    table = Table(title=f"{shown}, most reports first", show_lines=True)
    table.add_column("kind", max_width=12)
    table.add_column("claim(s)", overflow="fold", ratio=3, min_width=30)
    table.add_column("✓ by", overflow="fold", ratio=1, min_width=14)
    table.add_column("× by", overflow="fold", ratio=1, min_width=14)
    table.add_column("verifier found", max_width=10, overflow="fold")
    for c in conflicts:
        verifier = Text(c.verdict, style=VERDICT_STYLE[c.verdict]) if c.verdict else Text("")
        table.add_row(
            c.kind.replace("_", " "),
            Text("\n≈ ".join(c.texts)),
            Text("\n".join(c.verified_in)),
            Text("\n".join(c.rejected_in)),
            verifier,
        )
    return table


def explain_lines(claim: ClaimView) -> list[Text]:
    """The claim, what each report asserts, what the verifier found with its evidence, and the status."""
    title = Text(claim.text, style="bold")
    if claim.truncated:
        title.append(" (truncated)", style="dim")
    lines = [title, Text(claim.key, style="dim")]
    entities = ", ".join(claim.benchmarks + claim.models + claim.languages)
    if entities:
        lines.append(Text(f"entities: {entities}"))
    for r in claim.results:
        lines.append(Text(f"result: {r.value:g} {r.unit or ''} {r.kind} on {r.benchmark or '?'}".replace("  ", " ")))
    lines.append(
        Text.assemble("status: ", (claim.status, STATUS_STYLE[claim.status]), f" — {STATUS_MEANING[claim.status]}")
    )
    lines.append(Text())
    lines.append(Text.assemble(("what the reports assert", "bold"), f" ({claim.report_verdict})"))
    for a in claim.assertions:
        mark, style = MARK[a.verified]
        lines.append(
            Text.assemble("  ", (mark, style), f" {a.confidence:.2f}  {a.source_name}:{a.line}  {a.report_title}")
        )
    for p in claim.paraphrases:
        lines.append(Text(f"  ≈ paraphrase {p.claim} ({p.score:.2f}): {p.text}", style="dim"))
    lines.append(Text())
    lines += review_lines(claim)
    lines.append(Text())
    v = claim.verdict
    if v is None:
        lines.append(Text.assemble(("what the verifier found", "bold"), ": not verified yet (run `kg verify`)"))
        return lines
    lines.append(Text.assemble(("what the verifier found", "bold"), ": ", verdict_cell(v)))
    lines.append(Text(f"  why: {v.reason}" if v.reason else "  why: (verified before reasons were recorded)"))
    if v.probabilities:
        probabilities = ", ".join(f"{label} {value:.3f}" for label, value in v.probabilities.items())
        lines.append(Text(f"  calibrated probabilities: {probabilities}"))
    lines.append(
        Text(
            f"  model {v.model} (weights sha256 {v.model_sha256}, {v.backend}), scope {v.scope}, "
            f"operating point: {point_name(v.min_precision)} (P(supported) ≥ {v.threshold_support:.2f}, "
            f"P(refuted) ≥ {v.threshold_refute:.2f}), at {v.verified_at}"
        )
    )
    if v.numeric.status != "none":
        lines.append(Text.assemble("  numeric check: ", (v.numeric.status, "bold"), f" — {v.numeric.detail}"))
    if not v.evidence:
        lines.append(Text("  no evidence sentence passed the relevance gate"))
        return lines
    lines.append(Text("  admitted evidence (retrieval cosine; entailment / neutral / contradiction):"))
    for e in sorted(v.evidence, key=lambda e: -max(e.entailment, e.contradiction)):
        lines.append(
            Text(
                f"  • {e.paper} #{e.index} (cos {e.retrieval:.2f}; E {e.entailment:.2f} / N {e.neutral:.2f} / "
                f"C {e.contradiction:.2f}) {e.sentence}"
            )
        )
    return lines
