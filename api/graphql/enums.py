"""GraphQL enums for the three things ClaimGraph keeps apart: report marks, verifier verdicts, claim status.

Enum values are the canonical spellings of :mod:`schemas.views`; GraphQL validates them (and lists them in
introspection), so a misspelt value is an error before any resolver runs.
"""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="What the verifier found in the papers; UNCHECKED: not verified yet (filters only).")
class VerdictEnum(Enum):
    SUPPORTED = "SUPPORTED"
    REFUTED = "REFUTED"
    NOT_ENOUGH_INFO = "NOT_ENOUGH_INFO"
    UNCHECKED = "unchecked"


@strawberry.enum(description="A claim's standing from the reports' marks and the verifier's verdict.")
class StatusEnum(Enum):
    VERIFIED = "verified"
    REFUTED = "refuted"
    DISPUTED = "disputed"
    ASSERTED_ONLY = "asserted-only"
    UNCONFIRMED = "unconfirmed"


@strawberry.enum(description="What the asserting reports marked: all ✓, all ×, or both.")
class MarkedEnum(Enum):
    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    CONFLICTING = "conflicting"
