"""`kg nli train|eval`: the NLI cross-encoder on its own."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from claimgraph.cli import render
from claimgraph.cli.common import (
    emit_json,
    err,
    out,
    service_of,
)
from kg.errors import InputError

nli_app = typer.Typer(help="The NLI model: train it, evaluate it.", no_args_is_help=True)


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

    data = data or service_of(ctx).settings.nli_data
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

    settings = service_of(ctx).settings
    report = evaluate_model(
        model or settings.nli_model,
        data.value,
        data_dir or settings.nli_data,
        limit=limit,
        baseline=baseline,
        write_card=write_card,
    )
    if as_json:
        emit_json(report)
        return
    out.print(render.nli_table(report))
