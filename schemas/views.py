"""Read models: what queries return to the CLI (and later the API). Stable JSON shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from schemas.graph import DecidedBy, NumericStatus, VerifyScope
from schemas.graph import VerdictLabel as VerifierVerdict
from schemas.review import ReviewView

ReportVerdict = Literal["verified", "unverified", "conflicting"]
#: A claim's standing, derived from what the reports assert and what the verifier found (docs/vocabulary.md).
ClaimStatus = Literal["verified", "refuted", "disputed", "asserted-only", "unconfirmed"]
STATUS_MEANING: dict[str, str] = {
    "verified": "the verifier found the evidence SUPPORTS it, and no report marked it ×",
    "refuted": "the verifier found the evidence REFUTES it, and no report marked it ✓",
    "disputed": "reports disagree (✓ and ×), or the verifier's decided verdict contradicts the reports' marks",
    "asserted-only": "reports marked it ✓, but the evidence does not decide it (or it is not verified yet)",
    "unconfirmed": "reports marked it ×, and the evidence does not decide it (or it is not verified yet)",
}
#: ``kg claims --verdict``: a verifier label, or "unchecked" for claims not verified yet.
VerdictFilter = Literal[VerifierVerdict, "unchecked"]


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

    status: NumericStatus
    detail: str | None = None
    paper: str | None = None
    index: int | None = None


class VerdictView(BaseModel):
    """The verifier's verdict on a claim, with everything needed to audit it."""

    model_config = ConfigDict(frozen=True)

    verdict: VerifierVerdict
    score: float
    decided_by: DecidedBy
    scope: VerifyScope
    model: str
    model_sha256: str
    backend: str
    threshold_support: float = Field(description="P(supported) needed at the operating point")
    threshold_refute: float = Field(description="P(refuted) needed at the operating point")
    verified_at: str
    evidence: list[EvidenceView] = Field(description="the sentences the relevance gate admitted")
    numeric: NumericCheckView
    reason: str = Field(default="", description="why: the deciding sentence and check, or 'no relevant evidence'")
    probabilities: dict[str, float] | None = Field(
        default=None, description="calibrated P(SUPPORTED), P(NOT_ENOUGH_INFO), P(REFUTED) from the aggregator"
    )
    min_precision: float | None = Field(default=None, description="the operating point: SUPPORTED precision asked for")


def report_verdict_of(marks: set[bool]) -> ReportVerdict:
    """What the asserting reports say together, from the set of their ✓/× marks."""
    if marks == {True}:
        return "verified"
    if marks == {False}:
        return "unverified"
    return "conflicting"


def claim_status(marks: set[bool], verdict: VerifierVerdict | None) -> ClaimStatus:
    """The status a researcher filters on, from the reports' ✓/× marks and the verifier's verdict. Pure."""
    if len(marks) > 1:
        return "disputed"
    if verdict == "SUPPORTED":
        return "disputed" if marks == {False} else "verified"
    if verdict == "REFUTED":
        return "disputed" if marks == {True} else "refuted"
    return "asserted-only" if marks == {True} else "unconfirmed"


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
    reviews: list[ReviewView] = Field(default_factory=list, description="what people decided, newest first")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def review(self) -> ReviewView | None:
        """The review that decides: the newest one that is not stale (a person's label wins over the verifier's)."""
        return next((r for r in self.reviews if not r.stale), None)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_by(self) -> Literal["review", "verifier", "reports"]:
        """Whose word the status rests on: a person's review, else the verifier's verdict, else the marks alone."""
        if self.review is not None:
            return "review"
        return "verifier" if self.verdict is not None else "reports"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def report_verdict(self) -> ReportVerdict:
        return report_verdict_of({a.verified for a in self.assertions})

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> ClaimStatus:
        """verified / refuted / disputed / asserted-only / unconfirmed (see :data:`STATUS_MEANING`)."""
        label = self.review.verdict if self.review else (self.verdict.verdict if self.verdict else None)
        return claim_status({a.verified for a in self.assertions}, label)

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
    status: ClaimStatus | None = None
    text_contains: str | None = None  # case-insensitive substring of the claim text
    keys: list[str] | None = None
    after: str | None = None  # cursor: only claims whose key sorts after this one (before it, descending)
    limit: int | None = None  # stop after this many matches (pages are built without building every view)
    descending: bool = False


class ClaimFilter(BaseModel):
    """A composite claim filter: ``query``'s fields (AND), every ``all_of`` entry, and at least one ``any_of`` entry.

    GraphQL's ``where: {…, AND: [...], OR: [...]}`` arrives as one of these; the query service evaluates it.
    """

    query: ClaimQuery = Field(default_factory=ClaimQuery)
    all_of: list[ClaimFilter] = Field(default_factory=list)
    any_of: list[ClaimFilter] = Field(default_factory=list)


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
    verdict: VerifierVerdict | None = Field(
        default=None, description="the verifier's decided verdict that contradicts the reports (verifier_disagrees)"
    )
    score: float | None = None
    reports: int = Field(default=0, description="how many reports assert the claim(s): the ranking's first key")
    confidence: float = Field(default=0.0, description="the highest confidence among their marks: the second key")


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
    scope: VerifyScope
    top_k: int
    min_precision: float | None = Field(description="the precision promise asked for; null: the default point")
    precision_check: str | None = Field(
        default=None, description="what the promise achieved on held-apart calibration claims (null: default point)"
    )
    threshold_support: float
    threshold_refute: float
    claims_selected: int
    claims_verified: int = Field(description="claims (re)scored in this run")
    claims_unchanged: int = Field(description="claims whose evidence set and model had not changed")
    pairs_scored: int
    verdicts: dict[str, int] = Field(description="label -> number of selected claims")
    agreement: AgreementView


class ClaimPage(BaseModel):
    """One page of claims; pass ``next_cursor`` as ``cursor`` for the next page (null at the end)."""

    model_config = ConfigDict(frozen=True)

    items: list[ClaimView]
    next_cursor: str | None
    limit: int


class ReportHeader(BaseModel):
    """What a report node says about itself."""

    model_config = ConfigDict(frozen=True)

    key: str
    title: str
    source_name: str
    date: str | None = None
    layout: str | None = None


class ReportSummary(ReportHeader):
    """A report with how many claims it asserts and how many of them it marks ✓."""

    assertions: int
    verified: int


class AssertionOfReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    claim: str
    text: str
    verified: bool
    confidence: float
    line: int


class ReportDetail(ReportSummary):
    """A report with one page of its claims in row order; ``assertions`` and ``verified`` count all of them.

    Pass ``next_cursor`` as ``cursor`` for the next page (null at the end).
    """

    author: str | None = None
    examined_title: str | None = None
    research_question: str | None = None
    claims: list[AssertionOfReport]
    next_cursor: str | None = None
    limit: int
    cites: list[str]
    examines: list[str]


class PaperView(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    source: str
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    published: str | None = None
    abstract: str | None = None
    abstract_sentences: list[str] = Field(default_factory=list)
    url: str | None = None
    found_by: str | None = None
    cited_by: list[str] = Field(default_factory=list, description="report keys")


class BenchmarkSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    claims: int
    results: int


class ResultRow(BaseModel):
    """One number reported on a benchmark, with who reported it and on what grounds."""

    model_config = ConfigDict(frozen=True)

    value: float
    unit: str | None
    metric: str | None
    kind: str
    models: list[str]
    languages: list[str]
    claim: str
    claim_text: str
    report: str
    report_source: str
    verified: bool
    papers: list[str] = Field(description="papers the report cites")


class SearchHit(BaseModel):
    model_config = ConfigDict(frozen=True)

    claim: str
    text: str
    score: float


class GraphNodeView(BaseModel):
    """A node of a neighbourhood graph, as a graph library draws it."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="label:key, unique in the graph")
    label: str = Field(description="Claim, Report, Paper, Benchmark, Language, Model, Result or Verdict")
    caption: str


class GraphEdgeView(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str
    target: str
    type: str = Field(description="the relationship type (ASSERTS, ABOUT, MENTIONS, REPORTS, …)")
    caption: str = ""


class GraphView(BaseModel):
    """The neighbourhood of a claim or a benchmark: nodes and edges, ready for a graph view."""

    model_config = ConfigDict(frozen=True)

    centre: str
    nodes: list[GraphNodeView]
    edges: list[GraphEdgeView]
    truncated: bool = Field(default=False, description="more claims matched than are drawn")
