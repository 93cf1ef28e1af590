"""The ``kg`` command line. Thin: parse options, call :class:`kg.service.ClaimGraph`, render.

Errors derive from :class:`kg.errors.ClaimGraphError` and are mapped to stderr messages and
exit codes in :func:`main`, the one place that does so.
"""

from __future__ import annotations

import json
import os
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kg.cli import render
from kg.errors import ClaimGraphError, InputError, SourceError
from kg.service import ClaimGraph
from kg.settings import Settings
from schemas.paper import PapersOutcome
from schemas.views import ReportVerdict

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
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


class VerdictChoice(StrEnum):
    SUPPORTED = "SUPPORTED"
    REFUTED = "REFUTED"
    NOT_ENOUGH_INFO = "NOT_ENOUGH_INFO"
    unchecked = "unchecked"


class ScopeChoice(StrEnum):
    cited = "cited"
    all = "all"


class ExportFormat(StrEnum):
    graphml = "graphml"
    json = "json"


def _service(ctx: typer.Context) -> ClaimGraph:
    service: ClaimGraph = ctx.obj
    return service


def _emit_json(payload: Any) -> None:
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    elif isinstance(payload, list):
        payload = [p.model_dump(mode="json") if isinstance(p, BaseModel) else p for p in payload]
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def _counting_bar(verb: str, unit: str, *, quiet: bool = False) -> Progress:
    """The progress bar of a long command: "<verb> ━━━ 12/31 <unit> 0:00:04", on stderr, gone when done."""
    return Progress(
        TextColumn(f"[bold]{verb}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
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
) -> None:
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


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Report files (.txt/.md), claim files (.jsonl) or folders.")],
    paraphrases: Annotated[
        bool, typer.Option("--paraphrases/--no-paraphrases", help="Link paraphrased claims after ingesting.")
    ] = True,
    offline: Annotated[
        bool, typer.Option("--offline", help="Do not call the arXiv API; use cached paper metadata only.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome of every file as JSON.")] = False,
) -> None:
    """Ingest reports and claim files; each file is written whole or not at all.

    Re-ingesting the same files changes nothing. A malformed file is reported as
    FILE:LINE: REASON and skipped; the other files still go in, and the exit code is 3.
    Afterwards the cited arXiv papers are fetched (see `kg papers fetch`) unless --offline;
    if arXiv cannot be reached the ingest still succeeds and says so.

    Example: `kg ingest examples/reports`
    """
    service = _service(ctx)
    with Progress(
        TextColumn("[bold]ingest[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
        disable=as_json,
    ) as progress:
        task = progress.add_task("", total=None)

        def advance(path: Path, _outcome: object) -> None:
            progress.update(task, advance=1, description=path.name)

        def sized(total: int) -> None:
            progress.update(task, total=total)

        if paraphrases:
            progress.console.print("[dim]linking paraphrases after ingest (loads the embedding model)…[/]")
        run = service.ingest(
            paths, link_paraphrases=paraphrases, papers=True, offline=offline, on_file=advance, on_start=sized
        )
    result = run.files
    if as_json:
        _emit_json(
            {
                "ok": result.ok,
                "files": [o.model_dump(mode="json") for o in result.outcomes],
                "paraphrase_links": run.paraphrase_links.model_dump(mode="json") if run.paraphrase_links else None,
                "papers": run.papers.model_dump(mode="json") if run.papers else None,
            }
        )
    else:
        out.print(render.ingest_table(result))
        out.print(render.paraphrase_line(run.paraphrase_links))
        if run.papers is not None:
            out.print(render.papers_line(run.papers))
        ingested = sum(o.status == "ingested" for o in result.outcomes)
        unchanged = sum(o.status == "unchanged" for o in result.outcomes)
        out.print(f"{ingested} ingested, {unchanged} unchanged, {len(result.failed)} failed")
    if run.papers is not None:
        for error in run.papers.errors:
            err.print(f"[yellow]warning[/] {error}", highlight=False)
    if not result.ok:
        for outcome in result.failed:
            for error in outcome.errors:
                err.print(f"[red]error[/] {error}", highlight=False)
        raise typer.Exit(code=3)


papers_app = typer.Typer(help="Papers: arXiv metadata and abstracts for the papers reports cite.", no_args_is_help=True)
app.add_typer(papers_app, name="papers")


def _papers_result(outcome: PapersOutcome, as_json: bool) -> None:
    if as_json:
        _emit_json(outcome)
    else:
        out.print(render.papers_line(outcome))
        for examined in outcome.examined:
            target = examined.paper or "[yellow]unresolved[/]"
            out.print(f"  examines {examined.title!r} -> {target} ({examined.how})", highlight=False)
    for error in outcome.errors:
        err.print(f"[red]error[/] {error}", highlight=False)
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
    _papers_result(_service(ctx).fetch_papers(refresh=refresh, offline=offline), as_json)


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
    _papers_result(_service(ctx).add_papers(ids, offline=offline), as_json)


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
    _papers_result(_service(ctx).import_papers(path), as_json)


@papers_app.command("list")
def papers_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """List papers with their metadata (abstract sentences are the verifier's evidence)."""
    papers = _service(ctx).papers()
    if as_json:
        _emit_json({"count": len(papers), "papers": [{"key": p.key, **p.props} for p in papers]})
    else:
        out.print(render.papers_table(papers))


@app.command()
def stats(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Count nodes per label and relationships per type.

    `--json` prints `{"nodes": {label: n}, "relationships": {type: n}}` with every label and type.
    """
    result = _service(ctx).stats()
    if as_json:
        _emit_json(result)
    else:
        out.print(render.stats_table(result))


@app.command()
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
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: {count, claims: [...]}")] = False,
) -> None:
    """List claims with every report's assertion (✓/×, confidence, file:line).

    Examples: `kg claims --benchmark XNLI --verified`, `kg claims --verdict REFUTED`
    """
    if conflicting and verified is not None:
        raise InputError("--conflicting cannot be combined with --verified/--unverified")
    report_verdict: ReportVerdict | None = None
    if conflicting:
        report_verdict = "conflicting"
    elif verified is not None:
        report_verdict = "verified" if verified else "unverified"
    found = _service(ctx).claims(
        benchmark=benchmark,
        language=language,
        model=model,
        report_verdict=report_verdict,
        verdict=verdict.value if verdict is not None else None,
    )
    if as_json:
        _emit_json({"count": len(found), "claims": [c.model_dump(mode="json") for c in found]})
    else:
        out.print(render.claims_table(found))


@app.command()
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
            help="Operating point: SUPPORTED/REFUTED only where this precision was reached on calibration data; "
            "higher abstains more. [default: 0.85, env: CLAIMGRAPH_VERIFY_MIN_PRECISION]",
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
    against the numbers the evidence states for it, and a calibrated aggregator decides,
    abstaining below the --min-precision operating point. Verdicts are stored with their
    reason, evidence, scores, model and weights hash. Re-running scores only claims whose
    admitted evidence or model changed.

    Examples: `kg verify`, `kg verify --benchmark XNLI`, `kg verify --min-precision 0.95 --force`,
    then `kg claims --verdict REFUTED` and `kg explain <claim key>`.
    """
    from kg.verify.runner import Progress as VerifyProgress

    with _counting_bar("verify", "pairs", quiet=as_json) as bar:
        task = bar.add_task("", total=None)
        hooks = VerifyProgress(
            on_start=lambda total: bar.update(task, total=total),
            on_advance=lambda n: bar.update(task, advance=n),
        )
        summary = _service(ctx).verify(
            claim=claim,
            benchmark=benchmark,
            scope=scope.value if scope is not None else None,
            model=model,
            min_precision=min_precision,
            force=force,
            progress=hooks,
        )
    if as_json:
        _emit_json(summary)
    else:
        out.print(render.verify_table(summary))


@app.command()
def explain(
    ctx: typer.Context,
    claim: Annotated[str, typer.Argument(help="Claim key or a unique prefix of it (see `kg claims`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the claim view (with verdict) as JSON.")] = False,
) -> None:
    """Show a claim, each report's ✓/× on it, and the verifier's evidence chain with scores.

    Example: `kg explain c_1a2b`
    """
    view = _service(ctx).claim(claim)
    if as_json:
        _emit_json(view)
        return
    for line in render.explain_lines(view):
        out.print(line, highlight=False)


@app.command()
def conflicts(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Show where reports disagree (one claim, or across paraphrases) and where the verifier disagrees."""
    found = _service(ctx).conflicts()
    if as_json:
        _emit_json({"count": len(found), "conflicts": [c.model_dump(mode="json") for c in found]})
    else:
        out.print(render.conflicts_table(found))


@app.command()
def paraphrases(
    ctx: typer.Context,
    relink: Annotated[bool, typer.Option(help="Recompute the links before listing them.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List PARAPHRASE_OF links between claims, with their scores."""
    service = _service(ctx)
    if relink:
        err.print(render.paraphrase_line(service.link_paraphrases()))
    links = service.paraphrases()
    views = {c.key: c.text for c in service.claims()}
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
        _emit_json({"count": len(rows), "links": rows})
        return
    from rich.table import Table

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
    out.print(table)


@app.command()
def export(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Output file.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="graphml (Gephi, yEd, Cytoscape) or json.")] = (
        ExportFormat.json
    ),
) -> None:
    """Export the whole graph to GraphML or node-link JSON."""
    counts = _service(ctx).export(fmt.value, path)
    total_nodes = sum(counts.nodes.values())
    total_rels = sum(counts.relationships.values())
    out.print(f"wrote {path} ({total_nodes} nodes, {total_rels} relationships)")


@app.command()
def migrate(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", help="Store to copy from, e.g. embedded://.claimgraph")],
    target: Annotated[str, typer.Option("--to", help="Store to copy into, e.g. bolt://localhost:7687")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Copy a whole graph between two stores (embedded://DIR, falkordb://HOST:PORT/GRAPH, bolt://HOST:PORT).

    Safe to re-run: copying into a store that already holds the graph changes nothing.
    Neo4j credentials come from NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE.

    Example: `kg migrate --from embedded://.claimgraph --to falkordb://localhost:6379/claimgraph`
    """
    with Progress(
        TextColumn("[bold]migrate[/]"),
        TextColumn("{task.description}"),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=as_json,
    ) as progress:
        task = progress.add_task("", total=None)

        def advance(what: str, count: int) -> None:
            progress.update(task, advance=count, description=what)

        written, before, after = _service(ctx).migrate(source, target, on_progress=advance)
    if as_json:
        _emit_json({"written": written.model_dump(), "source": before.model_dump(), "target": after.model_dump()})
        return
    out.print(render.stats_table(after))
    out.print(
        f"copied into {target}: {written.nodes_created} nodes and {written.relationships_created} relationships "
        f"created, {written.nodes_updated + written.relationships_updated} updated"
    )
    if before != after:
        err.print("[yellow]note:[/] the target held other data too; its counts differ from the source's")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0 for every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="uvicorn worker processes (Neo4j or FalkorDB stores; the embedded store serves one).")
    ] = 1,
) -> None:
    """Serve the REST + GraphQL API (OpenAPI docs at /docs, GraphiQL at /graphql).

    The store is opened once and held while the server runs; with the embedded store, write through
    the API (POST /reports, POST /verify) rather than `kg ingest` meanwhile. Write routes need
    CLAIMGRAPH_API_TOKEN as a bearer token.

    Example: `CLAIMGRAPH_API_TOKEN=secret kg serve --port 8000`, then
    `curl 'http://127.0.0.1:8000/claims?benchmark=XNLI&verified=true'`
    """
    import uvicorn

    from api.main import create_app

    service = _service(ctx)
    if workers < 1:
        raise InputError("--workers must be at least 1")
    if workers == 1:
        uvicorn.run(create_app(service=service), host=host, port=port, log_level="info")
        return
    settings = service.settings
    if settings.store_uri().startswith("embedded://"):
        raise InputError(
            "the embedded store serves one worker (it is one process's memory); use a Neo4j or FalkorDB store for more"
        )
    # Worker processes build their own app from the environment, so hand them what the options chose.
    os.environ["CLAIMGRAPH_STORE"] = settings.store_uri()
    os.environ["CLAIMGRAPH_DATA_DIR"] = str(settings.data_dir)
    if settings.gazetteer is not None:
        os.environ["CLAIMGRAPH_GAZETTEER"] = str(settings.gazetteer)
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


nli_app = typer.Typer(help="The NLI model: train it, evaluate it.", no_args_is_help=True)
app.add_typer(nli_app, name="nli")


class NLIData(StrEnum):
    fever = "fever"
    snli = "snli"
    citint = "citint"
    healthver = "healthver"
    all = "all"


@nli_app.command("train")
def nli_train(
    ctx: typer.Context,
    config: Annotated[Path, typer.Option(help="Training recipe (TOML).")] = Path("kg/nli/recipe-cpu.toml"),
    output: Annotated[Path, typer.Option(help="Model folder to write.")] = Path("build/claimgraph-nli-minilm"),
    data: Annotated[
        Path | None, typer.Option(help="Folder with fever/, snli/, citint/. [env: CLAIMGRAPH_NLI_DATA]")
    ] = None,
) -> None:
    """Fine-tune the NLI cross-encoder from a recipe (seed, mixture, max length, epochs, time budget).

    Example: `kg nli train --config kg/nli/recipe-cpu.toml --output build/nli`
    """
    from kg.nli.train import TrainConfig, train

    data = data or _service(ctx).settings.nli_data
    if not data.is_dir():
        raise InputError(f"NLI data folder {data} does not exist (set --data or CLAIMGRAPH_NLI_DATA)")
    train(TrainConfig.from_toml(config), data, output, log=lambda line: err.print(line, highlight=False))


@nli_app.command("eval")
def nli_eval(
    ctx: typer.Context,
    model: Annotated[
        str | None, typer.Option(help="Hub id, local path, or claimgraph-nli-minilm (shipped, the default).")
    ] = None,
    data: Annotated[NLIData, typer.Option("--data", help="Evaluation set.")] = NLIData.all,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder with fever/, snli/, citint/. [env: CLAIMGRAPH_NLI_DATA]")
    ] = None,
    limit: Annotated[int, typer.Option(help="Evaluate on the first N pairs of each set (0 = all).")] = 0,
    baseline: Annotated[bool, typer.Option(help="Also score the untuned cosine baseline.")] = False,
    write_card: Annotated[bool, typer.Option(help="Write the scores into the model's README.md.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Accuracy, macro-F1 and confusion matrix on FEVER eval, SNLI test and Citation-Integrity dev.

    Example: `kg nli eval --data all --baseline`
    """
    from kg.nli.service import evaluate_model

    settings = _service(ctx).settings
    report = evaluate_model(
        model or settings.nli_model,
        data.value,
        data_dir or settings.nli_data,
        limit=limit,
        baseline=baseline,
        write_card=write_card,
    )
    if as_json:
        _emit_json(report)
        return
    out.print(render.nli_table(report))


verifier_app = typer.Typer(
    help="The whole verifier (retrieval + relevance gate + aggregator): fit it, evaluate it.", no_args_is_help=True
)
app.add_typer(verifier_app, name="verifier")


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
) -> None:
    """Choose the relevance-gate threshold and fit the calibrated aggregator on held-apart calibration claims.

    Calibration claims: FEVER train_14, 20 % of Citation-Integrity train, 20 % of HealthVer dev (by
    topic) — none of them trained on, none of them reported as an evaluation score. Writes
    verifier.json (weights, gate threshold, precision curves, provenance); the same inputs give
    the same file. About 2 minutes on 2 cores.

    Example: `kg verifier fit` (refits the shipped model's aggregator).
    """
    from kg.verify.evaluate import fit

    service = _service(ctx)
    settings = service.settings
    name = model or settings.nli_model
    with _counting_bar("fit", "claims") as bar:
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
        )
    out.print(render.fit_summary(report, aggregator, target))


class BackendChoice(StrEnum):
    torch = "torch"
    onnx = "onnx"
    onnx_int8 = "onnx-int8"


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
    min_precision: Annotated[float | None, typer.Option(min=0.5, max=1.0, help="Operating point.")] = None,
    baselines: Annotated[bool, typer.Option(help="Add the majority and cosine baselines.")] = True,
    data: Annotated[Path | None, typer.Option(help="Folder with fever/, citint/, healthver/.")] = None,
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

    service = _service(ctx)
    settings = service.settings
    name = model or settings.nli_model
    sets = {str(path): read_examples(path) for path in files or []}
    if public:
        sets |= public_examples(data or settings.nli_data, [p.value for p in public])
    if not sets:
        raise InputError("give claim files or --public sets to evaluate (see `kg verifier eval --help`)")
    aggregator, _ = load_aggregator(settings.verify_aggregator, name)
    scorer = load_scorer(name, settings.nli_backend, settings.data_dir)
    with _counting_bar("eval", "claims", quiet=as_json) as bar:
        task = bar.add_task("", total=sum(len(v) for v in sets.values()))
        prepared = prepare_sets(
            sets, scorer, settings.embedding_model, service.gazetteer, lambda n: bar.update(task, advance=n)
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
        _emit_json({"results": [r.model_dump() for r in rows]})
    else:
        out.print(render.verifier_scores(rows))


def main() -> None:
    """Entry point of the ``kg`` script: run the app, map ClaimGraph errors to exit codes."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        code = app(standalone_mode=False)  # returns the code of a typer.Exit in this mode
    except ClaimGraphError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
