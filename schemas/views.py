"""Read models: what queries return to the CLI (and later the API). Stable JSON shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

ReportVerdict = Literal["verified", "unverified", "conflicting"]
VerifierVerdict = Literal["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"]
#: ``kg claims --verdict``: a verifier label, or "unchecked" for claims not verified yet.
VerdictFilter = Literal["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO", "unchecked"]


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


class EvidenceView(BaseModel):
    """One evidence sentence: where it is (paper, index into its abstract sentences) and its scores."""

    model_config = ConfigDict(frozen=True)

    paper: str
    index: int
    sentence: str
    retrieval: float = Field(description="cosine similarity to the claim (sentence-transformers)")
    entailment: float
    neutral: float
    contradiction: float


class NumericCheckView(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: Literal["match", "mismatch", "none"]
    detail: str | None = None
    paper: str | None = None
    index: int | None = None


class VerdictView(BaseModel):
    """The verifier's verdict on a claim, with everything needed to audit it."""

    model_config = ConfigDict(frozen=True)

    verdict: VerifierVerdict
    score: float
    decided_by: Literal["nli", "numeric", "no-evidence"]
    scope: Literal["cited", "all"]
    model: str
    model_sha256: str
    backend: str
    threshold_support: float
    threshold_refute: float
    verified_at: str
    evidence: list[EvidenceView]
    numeric: NumericCheckView


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
    verdict: VerdictView | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def report_verdict(self) -> ReportVerdict:
        marks = {a.verified for a in self.assertions}
        if marks == {True}:
            return "verified"
        if marks == {False}:
            return "unverified"
        return "conflicting"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verifier_agreement(self) -> float | None:
        """Share of this claim's report assertions that agree with the verifier (✓ ⇔ SUPPORTED)."""
        if self.verdict is None or not self.assertions:
            return None
        agree = sum(a.verified == (self.verdict.verdict == "SUPPORTED") for a in self.assertions)
        return agree / len(self.assertions)


class ClaimQuery(BaseModel):
    """Filters of ``kg claims``; names are canonical (resolve aliases before querying)."""

    model_config = ConfigDict(frozen=True)

    benchmark: str | None = None
    language: str | None = None
    model: str | None = None  # matches a model name or a model family
    report_verdict: ReportVerdict | None = None
    verdict: VerdictFilter | None = None
    keys: list[str] | None = None


class GraphStats(BaseModel):
    """Counts per node label and relationship type; every label and type is always present."""

    model_config = ConfigDict(frozen=True)

    nodes: dict[str, int]
    relationships: dict[str, int]


class Conflict(BaseModel):
    """Reports that disagree on one claim, or on two claims that paraphrase each other."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["reports_disagree", "paraphrase_disagree", "verifier_disagrees"]
    claims: list[str]
    texts: list[str]
    verified_by: list[str] = Field(description="report keys that marked it ✓")
    rejected_by: list[str] = Field(description="report keys that marked it ×")
    verified_in: list[str] = Field(description="source files of the ✓ reports")
    rejected_in: list[str] = Field(description="source files of the × reports")
    verdict: VerifierVerdict | None = Field(default=None, description="the verifier's verdict (verifier_disagrees)")
    score: float | None = None


class AgreementView(BaseModel):
    """How the verifier's verdicts line up with the reports' ✓/× (✓ agrees with SUPPORTED only)."""

    model_config = ConfigDict(frozen=True)

    assertions: int
    agreeing: int
    rate: float | None
    matrix: dict[str, dict[str, int]] = Field(description="verdict -> {'✓': n, '×': m} over assertions")


class VerifySummary(BaseModel):
    """What one `kg verify` run did and where the selected claims now stand."""

    model_config = ConfigDict(frozen=True)

    model: str
    backend: str
    scope: Literal["cited", "all"]
    top_k: int
    threshold_support: float
    threshold_refute: float
    claims_selected: int
    claims_verified: int = Field(description="claims (re)scored in this run")
    claims_unchanged: int = Field(description="claims whose evidence set and model had not changed")
    pairs_scored: int
    verdicts: dict[str, int] = Field(description="label -> number of selected claims")
    agreement: AgreementView
