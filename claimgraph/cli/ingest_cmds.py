"""`kg ingest`: reports and claim files into the graph."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from claimgraph.cli import render
from claimgraph.cli.common import (
    counting_bar,
    emit_json,
    err,
    out,
    service_of,
    skip_teardown,
)
from kg.errors import ERROR_POLICY, ParseError


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
    Afterwards the arXiv papers these files cite are fetched unless --offline (`kg papers fetch`
    catches up on every paper of the store); if arXiv cannot be reached the ingest still succeeds
    and says so.

    Example: `kg ingest examples/reports`
    """
    service = service_of(ctx)
    with counting_bar("ingest", quiet=as_json, show_item=True) as progress:
        task = progress.add_task("", total=None)

        def advance(path: Path, _outcome: object) -> None:
            progress.update(task, advance=1, description=path.name)

        def sized(total: int) -> None:
            progress.update(task, total=total)

        if paraphrases:
            progress.console.print("[dim]linking paraphrases after ingest (loads the embedding model)…[/]")
        run = service.ingestion.ingest(
            paths, link_paraphrases=paraphrases, papers=True, offline=offline, on_file=advance, on_start=sized
        )
    result = run.files
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "files": [o.model_dump(mode="json") for o in result.outcomes],
                "paraphrase_links": run.paraphrase_links.model_dump(mode="json") if run.paraphrase_links else None,
                "paraphrase_pass": None
                if run.paraphrase is None
                else {
                    "claims_indexed": run.paraphrase.claims_indexed,
                    "seconds": round(run.paraphrase.seconds, 3),
                    "full": run.paraphrase.full,
                    "encoded_ahead": run.paraphrase.encoded_ahead,
                },
                "papers": run.papers.model_dump(mode="json") if run.papers else None,
            }
        )
    else:
        out.print(render.ingest_table(result))
        for note in render.ingest_notes(result):
            out.print(note, highlight=False)
        out.print(render.paraphrase_line(run.paraphrase_links))
        if run.paraphrase is not None:
            scope = "every claim of the store" if run.paraphrase.full else "the new and changed claims"
            out.print(
                f"[dim]paraphrase pass: {run.paraphrase.claims_indexed} claim(s) embedded and compared "
                f"({scope}) in {run.paraphrase.seconds:.1f} s[/]"
            )
        if run.papers is not None:
            out.print(render.papers_line(run.papers))
        ingested = sum(o.status == "ingested" for o in result.outcomes)
        unchanged = sum(o.status == "unchanged" for o in result.outcomes)
        skipped = f", {len(result.skipped)} skipped (not reports)" if result.skipped else ""
        out.print(f"{ingested} ingested, {unchanged} unchanged{skipped}, {len(result.failed)} failed")
    if run.papers is not None:
        for error in run.papers.errors:
            err.print(Text.assemble(("warning", "yellow"), " ", error), highlight=False)
    skip_teardown()  # the stores are closed and the output written; the heap is only to be freed
    if not result.ok:
        for outcome in result.failed:
            for error in outcome.errors:
                err.print(Text.assemble(("error", "red"), " ", error), highlight=False)
        raise typer.Exit(code=ERROR_POLICY[ParseError].exit_code)
