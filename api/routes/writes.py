"""Writes: upload reports, run the verifier, delete a report. Every route needs the bearer token."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import Service, Writer
from api.errors import ERROR_RESPONSES, error_response
from ingest.pipeline import SourceOutcome
from kg.errors import InputError
from schemas.graph import VerifyScope, WriteSummary
from schemas.views import VerifySummary

router = APIRouter(dependencies=[Writer], responses=ERROR_RESPONSES, tags=["writes"])
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


class IngestResponse(BaseModel):
    ok: bool
    files: list[SourceOutcome]


class VerifyRequest(BaseModel):
    claim: str | None = Field(default=None, max_length=200)
    benchmark: str | None = Field(default=None, max_length=200)
    scope: VerifyScope | None = None
    force: bool = False


@router.post("/reports", response_model=IngestResponse)
def upload_reports(
    service: Service, files: Annotated[list[UploadFile], File(description=".txt/.md/.jsonl")]
) -> IngestResponse | JSONResponse:
    """Ingest uploaded report files, each whole or not at all. A malformed file gives 422; the others still go in."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for index, upload in enumerate(files):
            name = _SAFE_NAME.sub("_", Path(upload.filename or f"upload-{index}.txt").name)
            if not name.endswith((".txt", ".md", ".jsonl")):
                raise InputError(f"{upload.filename}: expected a .txt, .md or .jsonl file")
            folder = Path(tmp) / str(index)  # one folder per upload: the report keeps its own file name
            folder.mkdir()
            path = folder / name
            path.write_bytes(upload.file.read())
            paths.append(path)
        run = service.ingestion.ingest(paths, link_paraphrases=True, papers=False)
        # the server's temporary folder is nobody's business: answers name the uploaded file only
        hide = re.compile(re.escape(tmp) + r"/\d+/")
        outcomes = [
            o.model_copy(update={"path": hide.sub("", o.path), "errors": [hide.sub("", e) for e in o.errors]})
            for o in run.files.outcomes
        ]
    if not run.files.ok:  # say per file what was committed: a committed file is never reported as failed
        failed = [o for o in outcomes if o.status == "failed"]
        committed = [f"{Path(o.path).name}: {o.status}, committed" for o in outcomes if o.status != "failed"]
        message = f"{len(failed)} of {len(paths)} file(s) could not be ingested and nothing of them was written"
        if committed:
            message += f"; {len(committed)} committed"
        return error_response(422, "parse_error", message, [e for o in failed for e in o.errors] + committed)
    return IngestResponse(ok=True, files=outcomes)


@router.post("/verify", response_model=VerifySummary)
def verify(service: Service, request: VerifyRequest) -> VerifySummary:
    return service.verification.verify(
        claim=request.claim, benchmark=request.benchmark, scope=request.scope, force=request.force
    )


@router.delete("/reports/{key}", response_model=WriteSummary)
def delete_report(service: Service, key: str) -> WriteSummary:
    """Remove the report, its assertions, and the claims, results, papers and entities only it kept."""
    return service.admin.delete_report(key)
