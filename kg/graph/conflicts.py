"""Where reports disagree. Pure functions over claim views.

Three kinds: reports that mark the *same* claim ✓ and ×; reports that mark two claims
linked as paraphrases with opposite verdicts (the disagreement hidden behind rewording);
and a *decided* verdict contradicting the reports (SUPPORTED where a report marked ×,
REFUTED where one marked ✓). NOT_ENOUGH_INFO is an abstention, not a disagreement: a claim
the evidence does not decide is "asserted-only", never a conflict.

Ranked by how many reports are involved, then by the highest confidence among their marks:
the disagreements that matter most come first.
"""

from __future__ import annotations

from typing import Any, Literal

from schemas.views import ClaimView, Conflict

ConflictKind = Literal["reports_disagree", "paraphrase_disagree", "verifier_disagrees"]


def _marks(view: ClaimView) -> tuple[set[str], set[str]]:
    yes = {a.report for a in view.assertions if a.verified}
    no = {a.report for a in view.assertions if not a.verified}
    return yes, no


def _sources(views: list[ClaimView], verified: bool) -> list[str]:
    return sorted({a.source_name for v in views for a in v.assertions if a.verified == verified})


def _conflict(kind: ConflictKind, views: list[ClaimView], **verifier: Any) -> Conflict:
    """A conflict over ``views`` (one claim, or a paraphrase pair), with every report's mark on them."""
    marks = [_marks(v) for v in views]
    confidences = [a.confidence for v in views for a in v.assertions]
    return Conflict(
        kind=kind,
        claims=[v.key for v in views],
        texts=[v.text for v in views],
        verified_by=sorted(set().union(*(yes for yes, _ in marks))),
        rejected_by=sorted(set().union(*(no for _, no in marks))),
        verified_in=_sources(views, True),
        rejected_in=_sources(views, False),
        reports=len({a.report for v in views for a in v.assertions}),
        confidence=max(confidences, default=0.0),
        **verifier,
    )


def find_conflicts(views: list[ClaimView]) -> list[Conflict]:
    by_key = {v.key: v for v in views}
    conflicts: list[Conflict] = []
    for view in views:
        yes, no = _marks(view)
        if yes and no:
            conflicts.append(_conflict("reports_disagree", [view]))
    seen: set[tuple[str, str]] = set()
    for view in views:
        for para in view.paraphrases:
            low, high = sorted((view.key, para.claim))
            other = by_key.get(para.claim)
            if other is None or (low, high) in seen:
                continue
            seen.add((low, high))
            first, second = (view, other) if view.key < other.key else (other, view)
            yes_a, no_a = _marks(first)
            yes_b, no_b = _marks(second)
            if (yes_a and no_b) or (no_a and yes_b):
                conflicts.append(_conflict("paraphrase_disagree", [first, second]))
    for view in views:
        if view.verdict is None or view.verdict.verdict == "NOT_ENOUGH_INFO":
            continue  # an abstention: the evidence does not decide, which contradicts no one
        label = view.verdict.verdict
        contradicted = any(a.verified != (label == "SUPPORTED") for a in view.assertions)
        if contradicted:
            conflicts.append(_conflict("verifier_disagrees", [view], verdict=label, score=view.verdict.score))
    return sorted(conflicts, key=lambda c: (-c.reports, -c.confidence, c.kind, c.claims))
