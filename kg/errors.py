"""The one exception tree of ClaimGraph.

Every failure a user can cause or meet derives from :class:`ClaimGraphError`, so the CLI, REST
and GraphQL map errors to exit codes, HTTP statuses and error codes from one table,
:data:`ERROR_POLICY`, instead of catching library exceptions ad hoc.

    ClaimGraphError
    ├── InputError            bad user input (paths, filters, options)
    │   ├── NotFoundError     an id (claim, report, paper) that is not in the graph
    │   ├── NoStoreError      a read where no store exists (the wrong --data-dir)
    │   └── LimitExceededError  a request over a limit (filter terms, time budget)
    ├── ParseError            a malformed report or claims file; carries every issue found
    │   └── NotAReportError   a file with no claims section (a README beside reports): skipped, not failed
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

    @property
    def policy(self) -> ErrorPolicy:
        return policy_of(self)

    @property
    def exit_code(self) -> int:
        return self.policy.exit_code


class InputError(ClaimGraphError):
    """The user asked for something that cannot be done as asked."""


class NotFoundError(InputError):
    """The named claim, report or paper is not in the graph."""


class NoStoreError(InputError):
    """A read found no store at the data dir: say where it looked and how to make one."""


class LimitExceededError(InputError):
    """A request asked for more than a limit allows: too many filter terms, too long to answer."""


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

    def __init__(self, issues: Sequence[SourceIssue]) -> None:
        if not issues:
            raise ValueError("ParseError needs at least one issue")
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))

    @property
    def source(self) -> str:
        return self.issues[0].source


class NotAReportError(ParseError):
    """The file is not a report at all (it has no claims section): it is skipped with a notice, not failed.

    A folder of reports often holds a README or notes beside them; one such file must not fail
    the run.
    """


class StoreError(ClaimGraphError):
    """The graph store could not complete an operation."""


class StoreLockedError(StoreError):
    """Another process has the embedded store open for writing."""


class StoreFullError(StoreError):
    """The disk under the store is full: the write was rolled back; free space and run it again."""


class ModelError(ClaimGraphError):
    """A model could not be found or loaded."""


class SourceError(ClaimGraphError):
    """An outside service could not answer; nothing from the failed request was written."""


@dataclass(frozen=True)
class ErrorPolicy:
    """How one kind of error reaches a user: HTTP status, error code (REST body and GraphQL
    ``extensions.code``) and the CLI's exit code."""

    http_status: int
    code: str
    exit_code: int


# The one error-policy table. The most specific class wins (see :func:`policy_of`).
ERROR_POLICY: dict[type[ClaimGraphError], ErrorPolicy] = {
    ClaimGraphError: ErrorPolicy(500, "internal_error", 1),
    InputError: ErrorPolicy(422, "invalid_input", 2),
    NotFoundError: ErrorPolicy(404, "not_found", 2),
    NoStoreError: ErrorPolicy(404, "no_store", 2),
    LimitExceededError: ErrorPolicy(422, "limit_exceeded", 2),
    ParseError: ErrorPolicy(422, "parse_error", 3),
    NotAReportError: ErrorPolicy(422, "not_a_report", 3),
    StoreError: ErrorPolicy(503, "store_unavailable", 4),
    StoreLockedError: ErrorPolicy(503, "store_unavailable", 4),
    StoreFullError: ErrorPolicy(507, "store_full", 4),
    ModelError: ErrorPolicy(503, "model_unavailable", 5),
    SourceError: ErrorPolicy(502, "source_unavailable", 6),
}


def policy_of(exc: ClaimGraphError) -> ErrorPolicy:
    for cls in type(exc).__mro__:
        if cls in ERROR_POLICY:
            return ERROR_POLICY[cls]
    raise AssertionError("unreachable: ClaimGraphError is in the table")
