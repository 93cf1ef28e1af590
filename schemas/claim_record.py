"""The input format for claims from other extraction pipelines (``.jsonl``, one per line).

Its JSON Schema is exported to ``schemas/json/claim_record.schema.json`` so producers can
validate before sending; ``kg ingest`` validates every line with the same model.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

ARXIV_ID_PATTERN = r"^(\d{4}\.\d{4,5}|[a-z-]{1,20}(\.[A-Z]{2})?/\d{7})(v\d{1,3})?$"
ArxivId = Annotated[str, StringConstraints(pattern=ARXIV_ID_PATTERN)]


class ExtractedEntities(BaseModel):
    """Entities an upstream extractor already found; merged with ClaimGraph's own extraction."""

    model_config = ConfigDict(extra="forbid")

    benchmarks: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    models: list[str] = Field(default_factory=list)


class ClaimRecord(BaseModel):
    """One extracted claim.

    ``report`` names the report that asserts it (an existing report key links to that
    report); without it the file itself is the asserting source. ``papers`` are arXiv ids
    (with or without version) the claim was extracted from. At least one of the two is
    required, so every claim can be traced to a source.
    """

    model_config = ConfigDict(
        extra="forbid",
        title="ClaimRecord",
        json_schema_extra={
            "anyOf": [
                {"required": ["report"]},
                {"required": ["papers"], "properties": {"papers": {"minItems": 1}}},
            ]
        },
    )

    text: str = Field(min_length=1, description="The claim as extracted.")
    verified: bool = Field(description="Whether the producing pipeline marked it verified.")
    confidence: float = Field(ge=0.0, le=1.0, description="Producer confidence in [0, 1].")
    report: str | None = Field(default=None, min_length=1, description="Asserting report id.")
    papers: list[ArxivId] = Field(
        default_factory=list, description="arXiv ids (optionally with version) the claim comes from."
    )
    entities: ExtractedEntities | None = None

    @model_validator(mode="after")
    def _has_source(self) -> ClaimRecord:
        if self.report is None and not self.papers:
            raise ValueError("a claim needs a source: set 'report' or 'papers'")
        return self
