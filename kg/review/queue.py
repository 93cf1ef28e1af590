"""Which claims are worth a reviewer's hour first. Pure: claim views in, ranked queue items out.

A claim earns priority for each reason a person's look would change most:

* many reports assert it (its verdict reaches many readers): up to 2 points, log-scaled;
* the reports disagree with each other (some ✓, some ×): 2 points;
* the verifier contradicts the reports (SUPPORTED where they say ×, REFUTED where they say ✓): 2 points;
* the verdict is near the decision boundary (the calibrated probability within 0.15 of its threshold):
  up to 1.5 points, more the nearer;
* the verifier has not checked it: 0.5 points (a person can decide what the model could not reach).

Claims a person has reviewed (a review that is not stale) are not in the queue; a stale one is, with
that reason. Ties go by key, so the queue is the same every time.
"""

from __future__ import annotations

import math

from schemas.review import QueueItem
from schemas.views import ClaimView

#: a calibrated probability this close to its threshold counts as near the boundary
BOUNDARY = 0.15


def _boundary_margin(view: ClaimView) -> float | None:
    """How far the deciding probability is from its threshold (None without probabilities)."""
    verdict = view.verdict
    if verdict is None or verdict.probabilities is None:
        return None
    p_sup = verdict.probabilities.get("SUPPORTED", 0.0)
    p_ref = verdict.probabilities.get("REFUTED", 0.0)
    return min(abs(p_sup - verdict.threshold_support), abs(p_ref - verdict.threshold_refute))


def priority(view: ClaimView) -> tuple[float, list[str]]:
    """The claim's priority and the reasons for it, in the order they count."""
    score = 0.0
    reasons: list[str] = []
    reports = len({a.report for a in view.assertions})
    if reports > 1:
        score += min(2.0, math.log2(reports))
        reasons.append(f"asserted by {reports} reports")
    marks = {a.verified for a in view.assertions}
    if len(marks) > 1:
        score += 2.0
        reasons.append("the reports disagree (✓ and ×)")
    verdict = view.verdict.verdict if view.verdict is not None else None
    if (verdict == "SUPPORTED" and marks == {False}) or (verdict == "REFUTED" and marks == {True}):
        score += 2.0
        reasons.append(f"the verifier says {verdict} where the reports say {'✓' if True in marks else '×'}")
    margin = _boundary_margin(view)
    if margin is not None and margin < BOUNDARY:
        score += 1.5 * (1 - margin / BOUNDARY)
        reasons.append(f"near the decision boundary (a probability {margin:.2f} from its threshold)")
    if verdict is None:
        score += 0.5
        reasons.append("not checked by the verifier")
    if any(review.stale for review in view.reviews):
        reasons.append("its review is stale: the claim's text changed")
    return round(score, 3), reasons


def review_queue(views: list[ClaimView], limit: int) -> list[QueueItem]:
    """The claims without a current review, highest priority first."""
    items = []
    for view in views:
        if view.review is not None:
            continue
        score, reasons = priority(view)
        marks = [a.verified for a in view.assertions]
        items.append(
            QueueItem(
                claim=view.key,
                text=view.text,
                priority=score,
                reasons=reasons,
                reports=len({a.report for a in view.assertions}),
                marks=f"{marks.count(True)} ✓ / {marks.count(False)} ×",
                verifier_verdict=view.verdict.verdict if view.verdict is not None else None,
                probabilities=view.verdict.probabilities if view.verdict is not None else None,
                benchmarks=view.benchmarks,
            )
        )
    items.sort(key=lambda item: (-item.priority, item.claim))
    return items[:limit]
