"""Reviews on every backend: a person's label survives re-ingest and re-verify, and decides the status."""

from __future__ import annotations

from pathlib import Path

from ingest.pipeline import Ingestor
from kg.extraction.gazetteer import Gazetteer
from kg.review.records import decide, review_batch
from kg.store.base import GraphStore
from schemas.graph import NodeLabel, NodeRef, RelType
from schemas.review import ReviewInput
from schemas.views import ClaimQuery
from tests.contract.batches import verdict_batch

NOW = "2026-12-07T10:00:00+00:00"


def _review(store: GraphStore, claim: str, verdict: str, *, paper: str | None = None) -> None:
    [view] = store.find_claims(ClaimQuery(keys=[claim]))
    given = ReviewInput(claim=claim, verdict=verdict, reviewer="ana", note="read §4", evidence_paper=paper)  # type: ignore[arg-type]
    review = decide(None, given, claim_text=view.text, verdict=view.verdict, now=NOW)
    assert review is not None
    paper_exists = paper is not None and store.get_node(NodeRef(label=NodeLabel.PAPER, key=paper)) is not None
    store.apply(review_batch(review, paper_exists=paper_exists))


def test_a_review_decides_the_status_and_links_its_evidence(seeded: GraphStore) -> None:
    claim = next(c for c in seeded.find_claims(ClaimQuery()) if {a.verified for a in c.assertions} == {True})
    paper = seeded.iter_nodes(NodeLabel.PAPER).__next__().key
    _review(seeded, claim.key, "REFUTED", paper=paper)
    [view] = seeded.find_claims(ClaimQuery(keys=[claim.key]))
    assert view.review is not None and (view.review.verdict, view.review.reviewer) == ("REFUTED", "ana")
    assert (view.status, view.status_by) == ("disputed", "review")  # the reports say ✓, a person says REFUTED
    review = NodeRef(label=NodeLabel.REVIEW, key=view.review.key)
    evidence = seeded.related([review], RelType.REVIEW_EVIDENCE, "out")[review]
    assert [node.key for _, node in evidence] == [paper]
    assert [c.key for c in seeded.find_claims(ClaimQuery(status="disputed")) if c.key == claim.key] == [claim.key]


def test_reviews_survive_reingest_and_reverify(seeded: GraphStore, seeds_dir: Path, gazetteer: Gazetteer) -> None:
    claims = seeded.find_claims(ClaimQuery())
    _review(seeded, claims[0].key, "SUPPORTED")
    _review(seeded, claims[1].key, "NOT_ENOUGH_INFO")
    before = {c.key: c.reviews for c in seeded.find_claims(ClaimQuery(keys=[claims[0].key, claims[1].key]))}
    assert Ingestor(seeded, gazetteer).ingest([seeds_dir]).ok  # re-ingest: unchanged files, nothing lost
    seeded.apply(verdict_batch(claims[0].key, "REFUTED"))  # re-verify: the verifier now disagrees with the person
    after = {c.key: c for c in seeded.find_claims(ClaimQuery(keys=[claims[0].key, claims[1].key]))}
    assert {key: view.reviews for key, view in after.items()} == before
    first = after[claims[0].key]
    assert first.verdict is not None and first.verdict.verdict == "REFUTED"  # both kept, apart
    assert first.review is not None and first.review.verdict == "SUPPORTED" and first.status_by == "review"
    assert seeded.count_nodes(NodeLabel.REVIEW) == 2
