"""The one exception tree of ClaimGraph.

Every failure a user can cause or meet derives from :class:`ClaimGraphError`, so the CLI
(and later the API) can map errors to exit codes and status codes in one place instead of
catching library exceptions ad hoc.

    ClaimGraphError
    ├── InputError            bad user input (paths, filters, options)
    │   └── NotFoundError     an id (claim, report, paper) that is not in the graph
    ├── ParseError            a malformed report or claims file; carries every issue found
    ├── StoreError            the graph store failed or is unusable
    │   └── StoreLockedError  another process holds the embedded store
    ├── ModelError            a model could not be loaded
    └── SourceError           an outside service (the arXiv API) failed or could not be reached
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ClaimGraphError(Exception):
    """Root of every error ClaimGraph raises on purpose."""

    exit_code = 1


class InputError(ClaimGraphError):
    """The user asked for something that cannot be done as asked."""

    exit_code = 2


class NotFoundError(InputError):
    """The named claim, report or paper is not in the graph."""


@dataclass(frozen=True)
class SourceIssue:
    """One problem in one line of one input file."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


class ParseError(ClaimGraphError):
    """A file could not be parsed; nothing from it is written.

    All issues of the file are collected (not just the first) so a researcher fixes a file
    in one pass.
    """

    exit_code = 3

    def __init__(self, issues: Sequence[SourceIssue]) -> None:
        if not issues:
            raise ValueError("ParseError needs at least one issue")
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))

    @property
    def source(self) -> str:
        return self.issues[0].source


class StoreError(ClaimGraphError):
    """The graph store could not complete an operation."""

    exit_code = 4


class StoreLockedError(StoreError):
    """Another process has the embedded store open for writing."""


class ModelError(ClaimGraphError):
    """A model could not be found or loaded."""

    exit_code = 5


class SourceError(ClaimGraphError):
    """An outside service could not answer; nothing from the failed request was written."""

    exit_code = 6
