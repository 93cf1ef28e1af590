"""Rich tables for the CLI. Presentation only: every value comes from the service layer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from claimgraph.cli.render_claims import VERDICT_STYLE, point_name
from schemas.graph import Node, WriteSummary
from schemas.paper import PapersOutcome
from schemas.views import GraphStats, VerifySummary

if TYPE_CHECKING:  # for annotations only: `kg claims` should not import the ingest and NLI stacks
    from ingest.pipeline import IngestResult
    from kg.nli.service import EvalReport
    from kg.verify.aggregate import Aggregator
    from kg.verify.metrics import VerdictScores

#: above this many files the table lists only the files with something to say (failures, warnings)
INGEST_TABLE_ROWS = 50


def ingest_table(result: IngestResult) -> Table:
    """One row per file; warnings and errors follow as lines (:func:`ingest_notes`), so 80 columns suffice."""
    outcomes = result.outcomes
    title = "Ingest summary"
    if len(outcomes) > INGEST_TABLE_ROWS:
        outcomes = [o for o in outcomes if o.errors or o.warnings]
        title = (
            f"Ingest summary: the {len(outcomes)} of {len(result.outcomes)} files with errors or warnings (--json: all)"
        )
    table = Table(title=title, show_lines=False)
    table.add_column("file", overflow="fold")
    table.add_column("status", no_wrap=True)
    for column in ("rows", "new claims", "nodes +", "rels +"):
        table.add_column(column, justify="right")
    style = {"ingested": "green", "unchanged": "dim", "skipped": "yellow", "failed": "bold red"}
    for o in outcomes:
        table.add_row(
            Text(o.path.rsplit("/", 1)[-1]),  # file names are data: never markup
            Text(o.status, style=style[o.status]),
            str(o.assertions),
            str(o.new_claims),
            str(o.written.nodes_created),
            str(o.written.relationships_created),
        )
    return table


def ingest_notes(result: IngestResult) -> list[Text]:
    """Each file's warnings (errors are printed on stderr by the command), one line each, literally."""
    notes = []
    for o in result.outcomes:
        for warning in o.warnings:
            if o.status == "skipped":  # the notice names the file and line itself
                notes.append(Text.assemble(("notice", "yellow"), f" {warning}"))
            else:
                notes.append(Text.assemble(("warning", "yellow"), f" {o.path.rsplit('/', 1)[-1]}: {warning}"))
    return notes


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


def verify_table(summary: VerifySummary) -> Table:
    table = Table(
        title=Text(f"Verification ({summary.model}, {summary.backend}, scope {summary.scope}, top {summary.top_k})")
    )
    table.add_column("verdict")
    table.add_column("claims", justify="right")
    table.add_column("reports ✓", justify="right")
    table.add_column("reports ×", justify="right")
    for label, count in summary.verdicts.items():
        marks = summary.agreement.matrix.get(label, {})
        table.add_row(Text(label, VERDICT_STYLE[label]), str(count), str(marks.get("✓", 0)), str(marks.get("×", 0)))
    rate = summary.agreement.rate
    table.caption = Text(
        f"{summary.claims_verified} claim(s) verified, {summary.claims_unchanged} unchanged, "
        f"{summary.pairs_scored} pair(s) scored; agreement with reports (✓ ⇔ SUPPORTED): "
        + (f"{summary.agreement.agreeing}/{summary.agreement.assertions} = {rate:.0%}" if rate is not None else "n/a")
        + f"; operating point: {point_name(summary.min_precision)} (P(supported) ≥ {summary.threshold_support:.2f}, "
        f"P(refuted) ≥ {summary.threshold_refute:.2f})"
        + (f"; checked: {summary.precision_check}" if summary.precision_check else "")
    )
    return table


def papers_line(outcome: PapersOutcome) -> str:
    parts = [
        f"papers: {len(outcome.fetched)} fetched, {len(outcome.from_cache)} from cache"
        + (f", {len(outcome.imported)} imported" if outcome.imported else ""),
        f"{len(outcome.missing)} unknown to arXiv",
        f"{len(outcome.failed)} failed",
        f"{outcome.http_requests} HTTP request(s)",
    ]
    if outcome.not_fetched:
        parts.insert(3, f"{len(outcome.not_fetched)} not fetched (--offline; `kg papers fetch` gets them)")
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
            Text(str(paper.props["title"])) if paper.props.get("title") else Text("(metadata not fetched)", "dim"),
            Text(shown),
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
    chosen = report["default_point"]
    nei = ", ".join(
        f"{name} {rate:.2f} (truth {chosen['nei_truth'][name]:.2f})" for name, rate in chosen["nei_rate"].items()
    )
    search = ", ".join(f"{t}: {f1:.3f}" for t, f1 in report["gate_search_out_of_fold_macro_f1"].items())
    return (
        f"wrote {target}\n"
        f"calibration claims: {report['claims']} {report['labels']}, "
        f"{report['claims_with_admitted_evidence']} with admitted evidence\n"
        f"gate: similarity ≥ {aggregator.min_similarity:.2f} (out-of-fold macro-F1 by threshold: {search})\n"
        f"default operating point (best mean macro-F1 {chosen['mean_macro_f1']:.3f} on the calibration sets, "
        f"out of fold): P(supported) ≥ {point.support:.2f}, P(refuted) ≥ {point.refute:.2f}\n"
        f"NOT_ENOUGH_INFO rate at it: {nei}"
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
            Text(str(row["a_text"])),
            Text(str(row["b_text"])),
            f"{row.get('score', 0):.3f}",
            f"{row.get('overlap', 0):.2f}",
        )
    return table
