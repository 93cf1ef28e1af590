"""The graph model: node labels, relationship types, and the typed nodes built by ingest.

Stores speak the generic :class:`Node` / :class:`Relationship` (label, key, scalar
properties) so one interface serves networkx and Cypher backends alike; the typed
``*Node`` models are how the rest of the code builds them, so a misspelt property is a
validation error instead of a silent new column. Labels and types come from fixed enums:
they are the only parts of a Cypher query that can never be parameters.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

Scalar = str | int | float | bool | None
PropValue = Scalar | list[str] | list[int] | list[float]


class NodeLabel(StrEnum):
    REPORT = "Report"
    CLAIM = "Claim"
    PAPER = "Paper"
    BENCHMARK = "Benchmark"
    LANGUAGE = "Language"
    MODEL = "Model"
    RESULT = "Result"
    VERDICT = "Verdict"
    REVIEW = "Review"


class RelType(StrEnum):
    ASSERTS = "ASSERTS"  # (Report)->(Claim) {verified, confidence, text_as_written, row, line}
    CITES = "CITES"  # (Report)->(Paper) {version, url}
    EXAMINES = "EXAMINES"  # (Report)->(Paper) {title_as_written}
    ABOUT = "ABOUT"  # (Claim|Report)->(Benchmark)
    MENTIONS = "MENTIONS"  # (Claim|Report)->(Language|Model)
    REPORTS = "REPORTS"  # (Claim)->(Result)
    ON = "ON"  # (Result)->(Benchmark)
    PARAPHRASE_OF = "PARAPHRASE_OF"  # (Claim)->(Claim) {score, method}
    EXTRACTED_FROM = "EXTRACTED_FROM"  # (Claim)->(Paper), claims from extraction pipelines
    HAS_VERDICT = "HAS_VERDICT"  # (Claim)->(Verdict), the verifier's current verdict
    SUPPORTED_BY = "SUPPORTED_BY"  # (Claim)->(Paper) {sentence index, sentence, probabilities}
    REFUTED_BY = "REFUTED_BY"  # (Claim)->(Paper) {sentence index, sentence, probabilities}
    REVIEWS = "REVIEWS"  # (Review)->(Claim), a person's label for the claim
    REVIEW_EVIDENCE = "REVIEW_EVIDENCE"  # (Review)->(Paper) {sentence}, the evidence the reviewer named


#: Which labels each relationship type may connect; the stores enforce it.
REL_ENDPOINTS: dict[RelType, tuple[frozenset[NodeLabel], frozenset[NodeLabel]]] = {
    RelType.ASSERTS: (frozenset({NodeLabel.REPORT}), frozenset({NodeLabel.CLAIM})),
    RelType.CITES: (frozenset({NodeLabel.REPORT}), frozenset({NodeLabel.PAPER})),
    RelType.EXAMINES: (frozenset({NodeLabel.REPORT}), frozenset({NodeLabel.PAPER})),
    RelType.ABOUT: (frozenset({NodeLabel.CLAIM, NodeLabel.REPORT}), frozenset({NodeLabel.BENCHMARK})),
    RelType.MENTIONS: (
        frozenset({NodeLabel.CLAIM, NodeLabel.REPORT}),
        frozenset({NodeLabel.LANGUAGE, NodeLabel.MODEL}),
    ),
    RelType.REPORTS: (frozenset({NodeLabel.CLAIM}), frozenset({NodeLabel.RESULT})),
    RelType.ON: (frozenset({NodeLabel.RESULT}), frozenset({NodeLabel.BENCHMARK})),
    RelType.PARAPHRASE_OF: (frozenset({NodeLabel.CLAIM}), frozenset({NodeLabel.CLAIM})),
    RelType.EXTRACTED_FROM: (frozenset({NodeLabel.CLAIM}), frozenset({NodeLabel.PAPER})),
    RelType.HAS_VERDICT: (frozenset({NodeLabel.CLAIM}), frozenset({NodeLabel.VERDICT})),
    RelType.SUPPORTED_BY: (frozenset({NodeLabel.CLAIM}), frozenset({NodeLabel.PAPER})),
    RelType.REFUTED_BY: (frozenset({NodeLabel.CLAIM}), frozenset({NodeLabel.PAPER})),
    RelType.REVIEWS: (frozenset({NodeLabel.REVIEW}), frozenset({NodeLabel.CLAIM})),
    RelType.REVIEW_EVIDENCE: (frozenset({NodeLabel.REVIEW}), frozenset({NodeLabel.PAPER})),
}


class NodeRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: NodeLabel
    key: str

    # Refs are the keys of every dict a batch is built and diffed with; pydantic's generic
    # hash and equality cost three times these (measured in the writer's profile).
    def __hash__(self) -> int:
        return hash((self.label, self.key))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NodeRef):
            return NotImplemented
        return self.label == other.label and self.key == other.key


class Node(BaseModel):
    """A node as every store stores it: label, unique key within the label, scalar props."""

    model_config = ConfigDict(frozen=True)

    label: NodeLabel
    key: str = Field(min_length=1)
    props: dict[str, PropValue] = Field(default_factory=dict)

    @cached_property
    def ref(self) -> NodeRef:
        # the node is frozen, so its ref never changes; a batch asks for it several times per node
        return NodeRef(label=self.label, key=self.key)


class Relationship(BaseModel):
    """A relationship, unique per (type, start, end, key).

    ``key`` tells apart parallel relationships of one type between the same two nodes: a
    report that lists the same claim in two rows asserts it twice (key = row number), and
    neither row may be dropped.
    """

    model_config = ConfigDict(frozen=True)

    type: RelType
    start: NodeRef
    end: NodeRef
    key: str = ""
    props: dict[str, PropValue] = Field(default_factory=dict)

    @property
    def identity(self) -> tuple[RelType, NodeRef, NodeRef, str]:
        return (self.type, self.start, self.end, self.key)


class GraphBatch(BaseModel):
    """Everything one source (a report, a claims file) writes, applied in one transaction.

    ``replace_outgoing`` lists nodes whose outgoing relationships of the given types are
    deleted before the batch is merged, so a re-ingested report ends up saying exactly
    what its file says, not the union of every version ever ingested.
    """

    model_config = ConfigDict(frozen=True)

    source: str
    nodes: list[Node] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    replace_outgoing: list[NodeRef] = Field(default_factory=list)
    replace_types: list[RelType] = Field(default_factory=list)
    delete_nodes: list[NodeRef] = Field(default_factory=list)  # with their relationships


class WriteSummary(BaseModel):
    """What a write changed; re-ingesting the same input must report all zeros."""

    nodes_created: int = 0
    nodes_updated: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    relationships_deleted: int = 0
    nodes_deleted: int = 0

    def __add__(self, other: WriteSummary) -> WriteSummary:
        return WriteSummary(**{f: getattr(self, f) + getattr(other, f) for f in type(self).model_fields})

    @property
    def changed(self) -> bool:
        return any(getattr(self, f) for f in type(self).model_fields)


class _TypedNode(BaseModel):
    """Base of the typed node models: ``key`` plus label-specific properties."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: ClassVar[NodeLabel]

    key: str

    def to_node(self) -> Node:
        # validated again on purpose: pydantic's model_construct is pure Python and costs more than validating
        props: dict[str, Any] = self.model_dump(exclude={"key"})
        return Node(label=self.label, key=self.key, props=props)

    @property
    def ref(self) -> NodeRef:
        return NodeRef(label=self.label, key=self.key)


class ReportNode(_TypedNode):
    label: ClassVar[NodeLabel] = NodeLabel.REPORT

    kind: Literal["report", "extraction"] = "report"
    title: str
    author: str | None = None
    date: str | None = None  # ISO 8601 when the report's date parses, else as written
    abstract: str | None = None
    examined_title: str | None = None
    research_question: str | None = None
    papers_retrieved: int | None = None
    claims_extracted: int | None = None
    claims_verified: int | None = None
    quality_score: float | None = None
    layout: Literal["markdown", "plain", "jsonl"] = "plain"
    source_name: str
    links: list[str] = Field(default_factory=list)  # references that are neither arXiv nor DOI
    warnings: list[str] = Field(default_factory=list)


class ClaimNode(_TypedNode):
    label: ClassVar[NodeLabel] = NodeLabel.CLAIM

    text: str  # the longest full text seen, markup removed
    truncated: bool


class PaperNode(_TypedNode):
    label: ClassVar[NodeLabel] = NodeLabel.PAPER

    source: Literal["arxiv", "doi", "title"]
    arxiv_id: str | None = None
    doi: str | None = None
    title: str | None = None
    url: str | None = None


class PaperMetadata(BaseModel):
    """Properties a Paper gains once its arXiv metadata is fetched (merged onto the node)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    latest_version: str | None
    authors: list[str]
    abstract: str
    abstract_sentences: list[str]  # evidence addresses: (paper key, index into this list)
    primary_category: str | None
    categories: list[str]
    published: str | None
    updated: str | None
    comment: str | None
    doi: str | None
    journal_ref: str | None
    pdf_url: str | None
    fetched_at: str
    found_by: Literal["cited", "title-search", "added"]


class BenchmarkNode(_TypedNode):
    label: ClassVar[NodeLabel] = NodeLabel.BENCHMARK

    name: str
    task: str | None = None
    candidate: bool = False  # found by context ("the GLUECoS benchmark"), not in the gazetteer


class LanguageNode(_TypedNode):
    label: ClassVar[NodeLabel] = NodeLabel.LANGUAGE

    name: str
    code: str


class ModelNode(_TypedNode):
    label: ClassVar[NodeLabel] = NodeLabel.MODEL

    name: str
    family: str
    size: str | None = None


class ResultNode(_TypedNode):
    label: ClassVar[NodeLabel] = NodeLabel.RESULT

    value: float
    unit: str | None
    metric: str | None = None
    kind: Literal["absolute", "improvement", "gap"]
    benchmark: str | None
    text: str  # the span the number was read from


VerdictLabel = Literal["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"]
NumericStatus = Literal["match", "mismatch", "none"]
DecidedBy = Literal["nli", "numeric", "no-evidence", "gate"]
#: the verifier's evidence pool: papers linked to the claim's reports, or every paper
VerifyScope = Literal["cited", "all"]


class VerdictNode(_TypedNode):
    """The verifier's current verdict on one claim (key = the claim's key), with its provenance.

    Evidence is stored as parallel lists (one entry per sentence) because every backend
    stores homogeneous lists of scalars natively, and a verdict must be readable whole
    from the node alone: which sentences, their three probabilities, the numeric check,
    which model (and the hash of its weights) and when.
    """

    label: ClassVar[NodeLabel] = NodeLabel.VERDICT

    verdict: VerdictLabel
    score: float
    decided_by: DecidedBy
    scope: VerifyScope
    model: str
    model_sha256: str
    backend: str
    threshold_support: float
    threshold_refute: float
    evidence_hash: str
    inputs_hash: str | None = None  # the claim, its pool, retrieval, model and settings: see kg.verify.evidence
    verified_at: str
    evidence_papers: list[str]
    evidence_indices: list[int]
    evidence_sentences: list[str]
    evidence_retrieval: list[float]
    evidence_entailment: list[float]
    evidence_neutral: list[float]
    evidence_contradiction: list[float]
    numeric_status: NumericStatus = "none"
    numeric_detail: str | None = None
    numeric_paper: str | None = None
    numeric_index: int | None = None
    reason: str = ""  # why this verdict: the deciding sentence and check, or why there is no relevant evidence
    probability_supported: float | None = None  # the aggregator's calibrated probabilities
    probability_nei: float | None = None
    probability_refuted: float | None = None
    min_precision: float | None = None  # the operating point asked for (threshold_* are its probabilities)
    gate_min_similarity: float | None = None
    aggregator_sha256: str = ""


class ReviewNode(_TypedNode):
    """One person's current review of one claim (key: claim + reviewer), with every change it went through.

    What a person decided is kept apart from what the reports assert and what the verifier found: the
    label, who and when, the verifier's verdict and model it reviewed, and the claim's text as it was
    then (a review of a text that has since changed is stale). ``history`` is the append-only audit
    log: one JSON event per change (who, when, before, after); nothing is ever removed from it.
    """

    label: ClassVar[NodeLabel] = NodeLabel.REVIEW

    claim: str
    verdict: VerdictLabel
    reviewer: str
    reviewed_at: str
    note: str = ""
    claim_text: str
    evidence_paper: str | None = None
    evidence_sentence: str | None = None
    evidence_text: str | None = None  # free-text evidence (a table, a figure, another source)
    verifier_verdict: VerdictLabel | None = None
    verifier_model: str | None = None
    verifier_score: float | None = None
    history: list[str] = Field(default_factory=list)
