"""The one error-policy table: every ClaimGraph error has an HTTP status, an error code and an exit code."""

from __future__ import annotations

import inspect

import pytest

import kg.errors as errors
from api.errors import status_of
from kg.errors import ERROR_POLICY, ClaimGraphError, InputError, NotFoundError, ParseError, SourceIssue, policy_of


def _error_classes() -> list[type[ClaimGraphError]]:
    return [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, ClaimGraphError) and cls.__module__ == errors.__name__
    ]


def _instance(cls: type[ClaimGraphError]) -> ClaimGraphError:
    if issubclass(cls, ParseError):
        return cls([SourceIssue("r.txt", 3, "bad")])
    return cls("boom")


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_every_error_class_has_its_own_row(cls: type[ClaimGraphError]) -> None:
    assert cls in ERROR_POLICY, f"{cls.__name__} has no row in ERROR_POLICY"
    exc = _instance(cls)
    policy = policy_of(exc)
    assert exc.exit_code == policy.exit_code and status_of(exc) == (policy.http_status, policy.code)


def test_the_most_specific_row_wins() -> None:
    assert policy_of(NotFoundError("x")).http_status == 404
    assert policy_of(InputError("x")).http_status == 422
    assert policy_of(ParseError([SourceIssue("a", 1, "b")])).exit_code == 3

    class UnlistedError(NotFoundError):
        pass

    assert policy_of(UnlistedError("x")) == ERROR_POLICY[NotFoundError]  # a new subclass inherits its parent's row


def test_codes_are_distinct_per_status_family() -> None:
    codes = {p.code: p.http_status for p in ERROR_POLICY.values()}
    assert all(code.islower() and " " not in code for code in codes)
    assert codes["internal_error"] == 500 and codes["not_found"] == 404
