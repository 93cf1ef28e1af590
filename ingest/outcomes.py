"""What ingesting a file came to: the record every caller (CLI, REST, tests) prints or returns.

Every file given, found or passed over gets one :class:`SourceOutcome`: nothing is dropped silently.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from schemas.graph import WriteSummary

Status = Literal["ingested", "unchanged", "skipped", "failed"]


def printable(text: str) -> str:
    """A file name as text that can be stored and printed: bytes that are not UTF-8 become U+FFFD.

    On Linux a file name is bytes; Python hands undecodable ones over as lone surrogates, which
    SQLite, JSON and the terminal refuse. One such name used to fail the whole write group of
    up to 1,024 valid files.
    """
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class SourceOutcome(BaseModel):
    path: str
    kind: Literal["report", "claims", "unknown"]
    status: Status
    report: str | None = None
    assertions: int = 0
    new_claims: int = 0
    written: WriteSummary = Field(default_factory=WriteSummary)
    warnings: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)


class IngestResult(BaseModel):
    outcomes: list[SourceOutcome]
    #: Why the run stopped early: the store failed (a server gone); the files after it were not attempted.
    store_failure: str | None = None

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def skipped(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "skipped"]

    @property
    def ok(self) -> bool:
        return not self.failed
