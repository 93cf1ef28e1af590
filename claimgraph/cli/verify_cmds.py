"""`kg verify`, and `kg verifier fit|eval` for the whole verifier."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from claimgraph.cli import render
from claimgraph.cli.common import (
    BackendChoice,
    ScopeChoice,
    counting_bar,
    emit_json,
    out,
    service_of,
)
from kg.errors import InputError


def verify(
    ctx: typer.Context,
    claim: Annotated[str | None, typer.Option(help="Verify only this claim (key or unique key prefix).")] = None,
    benchmark: Annotated[str | None, typer.Option(help="Verify only claims about this benchmark.")] = None,
    scope: Annotated[
        ScopeChoice | None,
        typer.Option(help="Evidence from the papers linked to the claim (cited) or from every paper (all)."),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="NLI model: hub id or local path (default: the shipped claimgraph-nli-minilm).")
    ] = None,
    min_precision: Annotated[
        float | None,
        typer.Option(
            min=0.5,
            max=1.0,
            help="A precision promise: SUPPORTED/REFUTED only where this precision was reached on calibration "
            "data (checked on held-apart calibration claims and printed); higher abstains more. [default: none, "
            "the operating point with the best macro-F1 on calibration data; env: CLAIMGRAPH_VERIFY_MIN_PRECISION]",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Re-score claims even if nothing changed.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Verify claims against the abstracts of their papers: SUPPORTED, REFUTED or NOT_ENOUGH_INFO.

    For each claim, the abstract sentences of the papers its reports cite or examine are
    ranked by similarity (sentence-transformers); a relevance gate keeps only sentences about
    the claim (similar enough, naming no other benchmark/model/language instead of the
    claim's). None left: NOT_ENOUGH_INFO, "no relevant evidence". Otherwise the NLI model
    scores the top-k admitted sentences, a number the claim states for a benchmark is checked
    against the numbers the evidence states for it, and a calibrated aggregator decides at the
    operating point with the best macro-F1 on held-apart calibration data (or at a
    --min-precision promise). Verdicts are stored with their
    reason, evidence, scores, model and weights hash. Re-running scores only claims whose
    admitted evidence or model changed.

    Examples:

      kg verify

      kg verify --benchmark XNLI

      kg verify --min-precision 0.9 --force

    then `kg claims --verdict REFUTED` and `kg explain <claim key>`.
    """
    from kg.verify.runner import Progress as VerifyProgress

    with counting_bar("verify", "claims", quiet=as_json) as bar:
        task = bar.add_task("", total=None)
        hooks = VerifyProgress(
            on_start=lambda total: bar.update(task, total=total),
            on_advance=lambda n: bar.update(task, advance=n),
        )
        summary = service_of(ctx).verification.verify(
            claim=claim,
            benchmark=benchmark,
            scope=scope.value if scope is not None else None,
            model=model,
            min_precision=min_precision,
            force=force,
            progress=hooks,
        )
    if as_json:
        emit_json(summary)
    else:
        out.print(render.verify_table(summary))


verifier_app = typer.Typer(
    help="The whole verifier (retrieval + relevance gate + aggregator): fit it, evaluate it.", no_args_is_help=True
)


@verifier_app.command("fit")
def verifier_fit(
    ctx: typer.Context,
    model: Annotated[
        str | None, typer.Option(help="NLI model (hub id, path, or the shipped claimgraph-nli-minilm).")
    ] = None,
    data: Annotated[
        Path | None, typer.Option(help="Folder with fever/, citint/, healthver/. [env: CLAIMGRAPH_NLI_DATA]")
    ] = None,
    backend: Annotated[
        BackendChoice | None,
        typer.Option(help="NLI inference path the aggregator is fitted for. [default: CLAIMGRAPH_NLI_BACKEND]"),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Where to write verifier.json (default: beside the model).")
    ] = None,
    with_reviews: Annotated[
        bool,
        typer.Option(
            "--with-reviews", help="Also learn from the claims people reviewed in this store (a calibration set)."
        ),
    ] = False,
) -> None:
    """Choose the relevance-gate threshold and fit the calibrated aggregator on held-apart calibration claims.

    Calibration claims: half of SciFact dev, FEVER train_14, 20 % of Citation-Integrity train,
    20 % of HealthVer dev (by topic), and off-topic pairs — none of them trained on, none of them
    reported as an evaluation score. Chooses the default operating point (best mean macro-F1,
    NOT_ENOUGH_INFO at most 1.25x as often as the truth per set) and measures the precision
    curves for --min-precision on one half of the claims and checks them on the other. Writes
    verifier.json; the same inputs give the same file. About 5 minutes on 2 cores.

    Example: `kg verifier fit` (refits the shipped model's aggregator).
    """
    from kg.verify.evaluate import fit

    service = service_of(ctx)
    settings = service.settings
    name = model or settings.nli_model
    reviews = service.reviews.examples() if with_reviews else []
    with counting_bar("fit", "claims") as bar:
        task = bar.add_task("", total=None)
        aggregator, report, target = fit(
            name,
            backend.value if backend is not None else settings.nli_backend,
            data or settings.nli_data,
            settings.data_dir,
            settings.embedding_model,
            top_k=settings.verify_top_k,
            output=output,
            progress=lambda n: bar.update(task, advance=n),
            on_start=lambda total: bar.update(task, total=total),
            reviews=reviews,
        )
    out.print(render.fit_summary(report, aggregator, target))


class PublicSet(StrEnum):
    fever = "fever-eval"
    healthver = "healthver-eval"
    citint = "citint-dev"


@verifier_app.command("eval")
def verifier_eval(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Claim files (.jsonl or .csv with claim, evidence, label); see kg/verify/examples.py."),
    ] = None,
    public: Annotated[
        list[PublicSet] | None, typer.Option("--public", help="Also score a public evaluation set (needs --data).")
    ] = None,
    model: Annotated[str | None, typer.Option(help="NLI model (default: the shipped one).")] = None,
    min_precision: Annotated[
        float | None,
        typer.Option(min=0.5, max=1.0, help="A precision promise instead of the default (best macro-F1) point."),
    ] = None,
    baselines: Annotated[bool, typer.Option(help="Add the majority and cosine baselines.")] = True,
    data: Annotated[Path | None, typer.Option(help="Folder with fever/, citint/, healthver/.")] = None,
    on_reviews: Annotated[
        bool, typer.Option("--on-reviews", help="Also score the claims people reviewed in this store.")
    ] = False,
    write: Annotated[Path | None, typer.Option(help="Also write the table (Markdown) to this file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score the whole verifier on labelled claims: 3-way macro-F1, SUPPORTED precision/recall, ECE.

    Each claim's evidence sentences are ranked, gated, scored and aggregated exactly as `kg verify`
    does with a store. The file format: one JSON object per line,
    {"claim": "...", "evidence": ["sentence", ...] or "a text", "label": "SUPPORTED"|"REFUTED"|"NOT_ENOUGH_INFO"},
    or a CSV with the columns claim, evidence, label.

    Examples: `kg verifier eval my_claims.jsonl`,
    `kg verifier eval --public fever-eval --public citint-dev --write build/verifier.md`.
    """
    from kg.nli.scorer import load_scorer
    from kg.verify.evaluate import load_aggregator, markdown_table, prepare_sets, public_examples, score_sets
    from kg.verify.examples import read_examples

    service = service_of(ctx)
    settings = service.settings
    name = model or settings.nli_model
    sets = {str(path): read_examples(path) for path in files or []}
    if public:
        sets |= public_examples(data or settings.nli_data, [p.value for p in public])
    if on_reviews:
        sets["reviews in this store"] = service.reviews.examples()
    if not sets:
        raise InputError("give claim files, --public sets or --on-reviews to evaluate (see `kg verifier eval --help`)")
    aggregator, _ = load_aggregator(settings.verify_aggregator, name)
    scorer = load_scorer(name, settings.nli_backend, settings.data_dir)
    with counting_bar("eval", "claims", quiet=as_json) as bar:
        task = bar.add_task("", total=sum(len(v) for v in sets.values()))
        prepared = prepare_sets(
            sets,
            scorer,
            settings.embedding_model,
            service.workspace.gazetteer,
            lambda n: bar.update(task, advance=n),
            aggregator=aggregator,
            top_k=settings.verify_top_k,
        )
    rows = score_sets(
        prepared,
        aggregator,
        system=f"{Path(name).name} + gate + aggregator",
        min_precision=min_precision if min_precision is not None else settings.verify_min_precision,
        top_k=settings.verify_top_k,
        baselines=baselines,
    )
    table = markdown_table(rows)
    if write:
        write.parent.mkdir(parents=True, exist_ok=True)
        write.write_text(table, encoding="utf-8")
    if as_json:
        emit_json({"results": [r.model_dump() for r in rows]})
    else:
        out.print(render.verifier_scores(rows))
