"""Rich tables for the CLI. Presentation only: every value comes from the service layer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from schemas.graph import Node, WriteSummary
from schemas.paper import PapersOutcome
from schemas.views import ClaimView, Conflict, GraphStats, VerdictView, VerifySummary

if TYPE_CHECKING:  # for annotations only: `kg claims` should not import the ingest and NLI stacks
    from ingest.pipeline import IngestResult
    from kg.nli.service import EvalReport
    from kg.verify.aggregate import Aggregator
    from kg.verify.metrics import VerdictScores

MARK = {True: "[green]✓[/]", False: "[red]×[/]"}
VERDICT_STYLE = {"SUPPORTED": "green", "REFUTED": "red", "NOT_ENOUGH_INFO": "yellow"}


def verdict_cell(verdict: VerdictView | None) -> str:
    if verdict is None:
        return "[dim]not verified[/]"
    style = VERDICT_STYLE[verdict.verdict]
    how = f" ({verdict.decided_by})" if verdict.decided_by != "nli" else ""
    return f"[{style}]{verdict.verdict}[/] {verdict.score:.2f}{how}"


#: above this many files the table lists only the files with something to say (failures, warnings)
INGEST_TABLE_ROWS = 50


def ingest_table(result: IngestResult) -> Table:
    outcomes = result.outcomes
    title = "Ingest summary"
    if len(outcomes) > INGEST_TABLE_ROWS:
        outcomes = [o for o in outcomes if o.errors or o.warnings]
        title = (
            f"Ingest summary: the {len(outcomes)} of {len(result.outcomes)} files with errors or warnings (--json: all)"
        )
    table = Table(title=title, show_lines=False)
    table.add_column("file", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for column in ("rows", "new claims", "nodes +", "rels +"):
        table.add_column(column, justify="right")
    table.add_column("warnings / errors", overflow="fold", ratio=1)
    style = {"ingested": "green", "unchanged": "dim", "failed": "bold red"}
    for o in outcomes:
        notes = o.errors or o.warnings
        table.add_row(
            o.path.rsplit("/", 1)[-1],
            f"[{style[o.status]}]{o.status}[/]",
            str(o.assertions),
            str(o.new_claims),
            str(o.written.nodes_created),
            str(o.written.relationships_created),
            "\n".join(notes),
        )
    return table


def paraphrase_line(summary: WriteSummary | None) -> str:
    if summary is None:
        return "paraphrase linking skipped (--no-paraphrases)"
    return (
        f"paraphrase links: {summary.relationships_created} added, "
        f"{summary.relationships_deleted} removed, {summary.relationships_updated} rescored"
    )


def stats_table(stats: GraphStats) -> Table:
    table = Table(title="Graph contents")
    table.add_column("kind")
    table.add_column("name")
    table.add_column("count", justify="right")
    for name, count in stats.nodes.items():
        table.add_row("node", name, str(count))
    for name, count in stats.relationships.items():
        table.add_row("relationship", name, str(count))
    return table


def claims_table(claims: list[ClaimView]) -> Table:
    table = Table(title=f"{len(claims)} claim(s)", show_lines=True)
    table.add_column("claim", ratio=3, overflow="fold")
    table.add_column("entities", ratio=1, overflow="fold")
    table.add_column("reports (✓/×, confidence, file:line)", ratio=2, overflow="fold")
    table.add_column("verifier", ratio=1, overflow="fold")
    for claim in claims:
        text = claim.text + (" [dim](truncated)[/]" if claim.truncated else "")
        text += f"\n[dim]{claim.key}[/]"
        entities = ", ".join(claim.benchmarks + claim.models + claim.languages)
        if claim.results:
            entities += "\n" + "; ".join(
                f"{r.value:g} {r.unit or ''} {r.kind} on {r.benchmark or '?'}".replace("  ", " ") for r in claim.results
            )
        asserted = "\n".join(
            f"{MARK[a.verified]} {a.confidence:.2f}  {a.source_name}:{a.line}" for a in claim.assertions
        )
        if claim.paraphrases:
            asserted += "\n" + "\n".join(f"[dim]≈ {p.claim} ({p.score:.2f})[/]" for p in claim.paraphrases)
        table.add_row(text, entities, asserted, verdict_cell(claim.verdict))
    return table


def conflicts_table(conflicts: list[Conflict]) -> Table:
    table = Table(title=f"{len(conflicts)} disagreement(s)", show_lines=True)
    table.add_column("kind")
    table.add_column("claim(s)", overflow="fold", ratio=1)
    table.add_column("✓ by", no_wrap=True)
    table.add_column("× by", no_wrap=True)
    table.add_column("verifier", no_wrap=True)
    for c in conflicts:
        verifier = f"[{VERDICT_STYLE[c.verdict]}]{c.verdict}[/] {c.score or 0:.2f}" if c.verdict else ""
        table.add_row(
            c.kind.replace("_", " "),
            "\n≈ ".join(c.texts),
            "\n".join(c.verified_in),
            "\n".join(c.rejected_in),
            verifier,
        )
    return table


def verify_table(summary: VerifySummary) -> Table:
    table = Table(
        title=f"Verification ({summary.model}, {summary.backend}, scope {summary.scope}, top {summary.top_k})"
    )
    table.add_column("verdict")
    table.add_column("claims", justify="right")
    table.add_column("reports ✓", justify="right")
    table.add_column("reports ×", justify="right")
    for label, count in summary.verdicts.items():
        marks = summary.agreement.matrix.get(label, {})
        table.add_row(f"[{VERDICT_STYLE[label]}]{label}[/]", str(count), str(marks.get("✓", 0)), str(marks.get("×", 0)))
    rate = summary.agreement.rate
    table.caption = (
        f"{summary.claims_verified} claim(s) verified, {summary.claims_unchanged} unchanged, "
        f"{summary.pairs_scored} pair(s) scored; agreement with reports (✓ ⇔ SUPPORTED): "
        + (f"{summary.agreement.agreeing}/{summary.agreement.assertions} = {rate:.0%}" if rate is not None else "n/a")
        + f"; operating point: precision ≥ {summary.min_precision} (P(supported) ≥ {summary.threshold_support:.2f}, "
        f"P(refuted) ≥ {summary.threshold_refute:.2f})"
    )
    return table


def explain_lines(claim: ClaimView) -> list[str]:
    """The claim, what each report said, and the verifier's evidence chain with its scores."""
    lines = [f"[bold]{claim.text}[/]" + (" [dim](truncated)[/]" if claim.truncated else ""), f"[dim]{claim.key}[/]"]
    entities = ", ".join(claim.benchmarks + claim.models + claim.languages)
    if entities:
        lines.append(f"entities: {entities}")
    for r in claim.results:
        lines.append(f"result: {r.value:g} {r.unit or ''} {r.kind} on {r.benchmark or '?'}".replace("  ", " "))
    lines.append("")
    lines.append(f"[bold]reports[/] ({claim.report_verdict})")
    for a in claim.assertions:
        lines.append(f"  {MARK[a.verified]} {a.confidence:.2f}  {a.source_name}:{a.line}  {a.report_title}")
    for p in claim.paraphrases:
        lines.append(f"  [dim]≈ paraphrase {p.claim} ({p.score:.2f}): {p.text}[/]")
    lines.append("")
    v = claim.verdict
    if v is None:
        lines.append("[bold]verifier[/]: not verified yet (run `kg verify`)")
        return lines
    lines.append(f"[bold]verifier[/]: {verdict_cell(v)}")
    lines.append(
        f"  why: {v.reason}" if v.reason else "  why: (verified before reasons were recorded; `kg verify --force`)"
    )
    if v.probabilities:
        lines.append(
            "  calibrated probabilities: "
            + ", ".join(f"{label} {value:.2f}" for label, value in v.probabilities.items())
        )
    lines.append(
        f"  model {v.model} (weights sha256 {v.model_sha256}, {v.backend}), scope {v.scope}, "
        f"operating point precision ≥ {v.min_precision} (P(supported) ≥ {v.threshold_support:.2f}, "
        f"P(refuted) ≥ {v.threshold_refute:.2f}), at {v.verified_at}"
    )
    if v.numeric.status != "none":
        lines.append(f"  numeric check: [bold]{v.numeric.status}[/] — {v.numeric.detail}")
    if not v.evidence:
        lines.append("  no evidence sentence passed the relevance gate")
        return lines
    lines.append("  admitted evidence (retrieval cosine; entailment / neutral / contradiction):")
    ranked = sorted(v.evidence, key=lambda e: -max(e.entailment, e.contradiction))
    for e in ranked:
        lines.append(
            f"  • {e.paper} #{e.index} (cos {e.retrieval:.2f}; E {e.entailment:.2f} / N {e.neutral:.2f} / "
            f"C {e.contradiction:.2f}) {e.sentence}"
        )
    return lines


def papers_line(outcome: PapersOutcome) -> str:
    parts = [
        f"papers: {len(outcome.fetched)} fetched, {len(outcome.from_cache)} from cache"
        + (f", {len(outcome.imported)} imported" if outcome.imported else ""),
        f"{len(outcome.missing)} unknown to arXiv",
        f"{len(outcome.failed)} failed",
        f"{outcome.http_requests} HTTP request(s)",
    ]
    resolved = sum(e.paper is not None for e in outcome.examined)
    if outcome.examined:
        parts.append(f"{resolved}/{len(outcome.examined)} examined title(s) resolved")
    return ", ".join(parts)


def papers_table(papers: list[Node]) -> Table:
    table = Table(title=f"{len(papers)} paper(s)", show_lines=True)
    table.add_column("paper", no_wrap=True)
    table.add_column("title", overflow="fold", ratio=2)
    table.add_column("authors", overflow="fold", ratio=1)
    table.add_column("published", no_wrap=True)
    table.add_column("sentences", justify="right")
    for paper in papers:
        authors = paper.props.get("authors") or []
        names = [str(a) for a in authors] if isinstance(authors, list) else []
        shown = ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")
        sentences = paper.props.get("abstract_sentences")
        table.add_row(
            paper.key + (f" {paper.props['latest_version']}" if paper.props.get("latest_version") else ""),
            str(paper.props.get("title") or "[dim](metadata not fetched)[/]"),
            shown,
            str(paper.props.get("published") or ""),
            str(len(sentences)) if isinstance(sentences, list) else "",
        )
    return table


def nli_table(report: EvalReport) -> Table:
    table = Table(title=f"NLI evaluation of {report.model}")
    for column in ("dataset", "model", "pairs", "accuracy", "macro-F1", "confusion (rows gold E/N/C, cols predicted)"):
        table.add_column(column)
    for result in [*report.results, *report.baseline]:
        table.add_row(
            result.dataset,
            result.model,
            f"{result.pairs:,}",
            f"{result.accuracy:.3f}",
            f"{result.macro_f1:.3f}",
            "\n".join(" ".join(f"{n:5d}" for n in row) for row in result.confusion),
        )
    return table


def fit_summary(report: dict[str, Any], aggregator: Aggregator, target: Path) -> str:
    from kg.verify.aggregate import OperatingPoint

    point = OperatingPoint.of(aggregator)
    search = ", ".join(f"{t}: {f1:.3f}" for t, f1 in report["gate_search_out_of_fold_macro_f1"].items())
    return (
        f"wrote {target}\n"
        f"calibration claims: {report['claims']} {report['labels']}, "
        f"{report['claims_with_admitted_evidence']} with admitted evidence\n"
        f"gate: similarity ≥ {aggregator.min_similarity:.2f} (out-of-fold macro-F1 by threshold: {search})\n"
        f"out-of-fold macro-F1 {report['out_of_fold_macro_f1']:.3f}; default operating point precision ≥ "
        f"{point.min_precision}: P(supported) ≥ {point.support:.2f}, P(refuted) ≥ {point.refute:.2f}"
    )


def verifier_scores(rows: list[VerdictScores]) -> Table:
    table = Table(title="Verifier on labelled claims (retrieval + gate + aggregator)")
    for column in ("dataset", "claims", "system", "macro-F1", "SUPPORTED P", "SUPPORTED R", "NEI rate", "ECE"):
        table.add_column(column, justify="left" if column in ("dataset", "system") else "right")

    def f(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    for r in rows:
        table.add_row(
            r.dataset,
            str(r.claims),
            r.system,
            f(r.macro_f1),
            f(r.supported_precision),
            f(r.supported_recall),
            f(r.nei_rate),
            f(r.ece),
        )
    return table


def paraphrases_table(rows: list[dict[str, Any]]) -> Table:
    """PARAPHRASE_OF links as rows of {a_text, b_text, score, overlap}."""
    table = Table(title=f"{len(rows)} paraphrase link(s)", show_lines=True)
    for column in ("claim", "paraphrase", "cosine", "overlap"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["a_text"]),
            str(row["b_text"]),
            f"{row.get('score', 0):.3f}",
            f"{row.get('overlap', 0):.2f}",
        )
    return table
