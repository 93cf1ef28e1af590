"""What every command shares: the consoles, the service from the context, JSON output, progress bars."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from claimgraph.services import ClaimGraph

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


class BackendChoice(StrEnum):
    torch = "torch"
    onnx = "onnx"
    onnx_int8 = "onnx-int8"


def service_of(ctx: typer.Context) -> ClaimGraph:
    """The ClaimGraph that the app's callback built from the global options."""
    service: ClaimGraph = ctx.obj
    return service


_teardown_skipped = False


def skip_teardown() -> None:
    """Ask :func:`claimgraph.cli.app.main` to end the process without the interpreter's teardown.

    For a command that is done with everything and leaves a large heap behind: after a 100k-report ingest,
    freeing its tens of millions of objects one by one took about 6 s of the run's wall time, on one core,
    for nothing the OS would not do at once. Only ``main`` (the ``kg`` script) acts on it, after flushing
    stdout and stderr, as mypy's fast exit does; an in-process caller (typer's test runner) is not affected.
    """
    global _teardown_skipped
    _teardown_skipped = True


def teardown_skipped() -> bool:
    return _teardown_skipped


def emit_json(payload: Any) -> None:
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    elif isinstance(payload, list):
        payload = [p.model_dump(mode="json") if isinstance(p, BaseModel) else p for p in payload]
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def counting_bar(verb: str, unit: str = "", *, quiet: bool = False, show_item: bool = False) -> Progress:
    """The progress bar of a long command, on stderr, gone when done.

    "<verb> ━━━ 12/31 <unit> 0:00:04 eta 0:00:06" (the estimate once a total is known), and with
    ``show_item`` the item at hand after it (set as the task's description: a file name, a node label).
    """
    columns: list[ProgressColumn] = [TextColumn(f"[bold]{verb}[/]"), BarColumn(), MofNCompleteColumn()]
    if unit:
        columns.append(TextColumn(unit))
    columns += [TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn()]
    if show_item:
        columns.append(TextColumn("{task.description}"))
    return Progress(*columns, console=err, transient=True, disable=quiet)
