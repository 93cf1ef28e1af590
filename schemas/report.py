"""What the report parser produces: a validated, store-independent picture of one report."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ClaimRow(BaseModel):
    """One row of a report's claims table, with where it came from."""

    model_config = ConfigDict(frozen=True)

    text: str  # markup removed, whitespace collapsed
    text_as_written: str
    verified: bool
    confidence: float = Field(ge=0.0, le=1.0)
    row: int = Field(ge=1, description="1-based row number in the claims table")
    line: int = Field(ge=1, description="1-based line number in the source file")
    truncated: bool


class Reference(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["arxiv", "doi", "url", "text"]
    raw: str
    line: int
    url: str | None = None
    arxiv_id: str | None = None  # without version
    version: str | None = None  # "v2"
    doi: str | None = None


class ParsedReport(BaseModel):
    """A report as parsed, before any graph decision is made."""

    model_config = ConfigDict(frozen=True)

    source_name: str
    layout: Literal["markdown", "plain"]
    title: str
    author: str | None = None
    date: str | None = None
    abstract: str | None = None
    examined_title: str | None = None
    research_question: str | None = None
    papers_retrieved: int | None = None
    claims_extracted: int | None = None
    claims_verified: int | None = None
    quality_score: float | None = None
    rows: list[ClaimRow]
    references: list[Reference]
    warnings: list[str] = Field(default_factory=list)
