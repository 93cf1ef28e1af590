"""Read models: what queries return to the CLI (and later the API). Stable JSON shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

ReportVerdict = Literal["verified", "unverified", "conflicting"]


class AssertionView(BaseModel):
    model_config = ConfigDict(frozen=True)

    report: str
    report_title: str
    source_name: str
    verified: bool
    confidence: float
    row: int
    line: int
    text_as_written: str


class ResultView(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: float
    unit: str | None
    metric: str | None
    kind: str
    benchmark: str | None
    text: str


class ParaphraseView(BaseModel):
    model_config = ConfigDict(frozen=True)

    claim: str
    text: str
    score: float
    method: str


class ClaimView(BaseModel):
    """One claim with everything the reports said about it."""

    model_config = ConfigDict(frozen=True)

    key: str
    text: str
    truncated: bool
    benchmarks: list[str]
    languages: list[str]
    models: list[str]
    results: list[ResultView]
    assertions: list[AssertionView]
    paraphrases: list[ParaphraseView]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def report_verdict(self) -> ReportVerdict:
        marks = {a.verified for a in self.assertions}
        if marks == {True}:
            return "verified"
        if marks == {False}:
            return "unverified"
        return "conflicting"


class ClaimQuery(BaseModel):
    """Filters of ``kg claims``; names are canonical (resolve aliases before querying)."""

    model_config = ConfigDict(frozen=True)

    benchmark: str | None = None
    language: str | None = None
    model: str | None = None  # matches a model name or a model family
    report_verdict: ReportVerdict | None = None
    keys: list[str] | None = None


class GraphStats(BaseModel):
    """Counts per node label and relationship type; every label and type is always present."""

    model_config = ConfigDict(frozen=True)

    nodes: dict[str, int]
    relationships: dict[str, int]


class Conflict(BaseModel):
    """Reports that disagree on one claim, or on two claims that paraphrase each other."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["reports_disagree", "paraphrase_disagree"]
    claims: list[str]
    texts: list[str]
    verified_by: list[str] = Field(description="report keys that marked it ✓")
    rejected_by: list[str] = Field(description="report keys that marked it ×")
    verified_in: list[str] = Field(description="source files of the ✓ reports")
    rejected_in: list[str] = Field(description="source files of the × reports")
