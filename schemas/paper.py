"""A paper's metadata as fetched from arXiv, before it becomes a ``Paper`` node."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.graph import WriteSummary


class PaperRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    arxiv_id: str = Field(description="arXiv id without version, the Paper key")
    version: str | None = Field(description="latest version known, e.g. 'v2'")
    title: str
    authors: list[str]
    abstract: str
    primary_category: str | None = None
    categories: list[str] = Field(default_factory=list)
    published: str | None = None  # ISO 8601
    updated: str | None = None
    comment: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    pdf_url: str | None = None
    fetched_at: str = Field(description="when this record was fetched (ISO 8601, UTC)")


class EvidenceSentence(BaseModel):
    """One addressable sentence of a paper's abstract: the unit of evidence for the verifier."""

    model_config = ConfigDict(frozen=True)

    paper: str
    index: int
    text: str


class ExaminedOutcome(BaseModel):
    title: str
    reports: list[str]
    paper: str | None
    how: str  # known-paper | arxiv-title-search | unresolved


class PapersOutcome(BaseModel):
    """What one `kg papers fetch` did: every requested id lands in exactly one list."""

    requested: int
    fetched: list[str]
    from_cache: list[str]
    imported: list[str] = Field(default_factory=list, description="read from a file by `kg papers import`")
    missing: list[str] = Field(description="arXiv answered but does not know these ids")
    failed: list[str] = Field(description="not fetched: the request failed")
    not_fetched: list[str] = Field(
        default_factory=list, description="--offline and not in the cache: left for `kg papers fetch`"
    )
    errors: list[str]
    http_requests: int
    written: WriteSummary
    examined: list[ExaminedOutcome]
