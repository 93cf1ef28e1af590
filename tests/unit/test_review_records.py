"""Reviews as data (pure): a decision, its audit log, staleness, and which claims the queue puts first."""

from __future__ import annotations

import json

from kg.review.queue import priority, review_queue
from kg.review.records import decide, events_of, review_view
from schemas.review import ReviewInput
from schemas.views import AssertionView, ClaimView

NOW = "2026-12-07T10:00:00+00:00"


def _given(verdict: str = "REFUTED", note: str = "Table 3 says 71.2", reviewer: str = "ana") -> ReviewInput:
    return ReviewInput(claim="c_1", verdict=verdict, reviewer=reviewer, note=note)  # type: ignore[arg-type]


def test_a_first_decision_creates_a_review_with_one_event() -> None:
    review = decide(None, _given(), claim_text="A claim.", verdict=None, now=NOW)
    assert review is not None and review.verdict == "REFUTED" and review.claim_text == "A claim."
    [event] = events_of(review)
    assert (event.action, event.by, event.at, event.before) == ("created", "ana", NOW, None)
    assert event.after["verdict"] == "REFUTED" and event.after["note"] == "Table 3 says 71.2"


def test_the_same_decision_again_changes_nothing_and_a_new_one_appends_before_and_after() -> None:
    first = decide(None, _given(), claim_text="A claim.", verdict=None, now=NOW)
    assert first is not None
    assert decide(first, _given(), claim_text="A claim.", verdict=None, now="later") is None
    second = decide(first, _given("SUPPORTED", "misread it"), claim_text="A claim.", verdict=None, now="later")
    assert second is not None and second.key == first.key  # one review per (claim, reviewer)
    events = events_of(second)
    assert [e.action for e in events] == ["created", "changed"]
    assert events[1].before is not None and events[1].before["verdict"] == "REFUTED"
    assert events[1].after["verdict"] == "SUPPORTED"
    assert second.history[0] == first.history[0]  # append-only: the first event is kept as it was
    assert json.loads(second.history[1])["at"] == "later"


def test_a_review_of_a_text_that_changed_is_stale() -> None:
    review = decide(None, _given(), claim_text="Old text.", verdict=None, now=NOW)
    assert review is not None
    node = review.to_node()
    assert not review_view(node, "Old text.").stale
    assert review_view(node, "New, longer text.").stale


def _claim(key: str, marks: list[bool], reviews: list[object] | None = None) -> ClaimView:
    assertions = [
        AssertionView(
            report=f"r{i}",
            report_title="",
            source_name=f"r{i}.txt",
            verified=mark,
            confidence=0.5,
            row=i,
            line=i,
            text_as_written="t",
        )
        for i, mark in enumerate(marks)
    ]
    return ClaimView(
        key=key,
        text="A claim.",
        truncated=False,
        benchmarks=[],
        languages=[],
        models=[],
        results=[],
        assertions=assertions,
        paraphrases=[],
        reviews=reviews or [],  # type: ignore[arg-type]
    )


def test_the_queue_puts_disagreeing_and_widely_asserted_claims_first_and_says_why() -> None:
    disputed = _claim("c_b", [True, False])
    widely = _claim("c_a", [True, True, True, True])
    alone = _claim("c_c", [True])
    queue = review_queue([alone, widely, disputed], limit=10)
    assert [item.claim for item in queue] == ["c_b", "c_a", "c_c"]
    assert "the reports disagree (✓ and ×)" in queue[0].reasons
    assert "asserted by 4 reports" in queue[1].reasons
    assert priority(alone) == (0.5, ["not checked by the verifier"])


def test_reviewed_claims_leave_the_queue_and_stale_ones_come_back() -> None:
    review = decide(None, _given(), claim_text="A claim.", verdict=None, now=NOW)
    assert review is not None
    current = review_view(review.to_node(), "A claim.")
    stale = review_view(review.to_node(), "Another text.")
    queue = review_queue([_claim("c_1", [True, False], [current]), _claim("c_2", [True], [stale])], limit=10)
    assert [item.claim for item in queue] == ["c_2"]
    assert "its review is stale: the claim's text changed" in queue[0].reasons


def test_a_current_review_decides_the_status_and_a_stale_one_does_not() -> None:
    review = decide(None, _given("REFUTED"), claim_text="A claim.", verdict=None, now=NOW)
    assert review is not None
    reviewed = _claim("c_1", [False], [review_view(review.to_node(), "A claim.")])
    assert (reviewed.status, reviewed.status_by) == ("refuted", "review")
    stale = _claim("c_1", [False], [review_view(review.to_node(), "Changed.")])
    assert (stale.status, stale.status_by, stale.review) == ("unconfirmed", "reports", None)
