"""Reviewed claims as labelled examples: what `kg verifier fit --with-reviews` and `eval --on-reviews` learn from.

A claim a person reviewed (a review that is not stale) becomes a :class:`ClaimExample` with the person's
label and the evidence `kg verify` would rank for it: the abstract sentences of the papers its reports
cite or examine, or that it was extracted from. The verifier's own verdict is never the label.
"""

from __future__ import annotations

from kg.store.base import GraphStore
from kg.verify.evidence import candidates
from kg.verify.examples import ClaimExample
from kg.verify.planning import EvidenceSources
from schemas.views import ClaimQuery


def review_examples(store: GraphStore) -> list[ClaimExample]:
    """One example per reviewed claim, labelled by its deciding review, in key order."""
    sources = EvidenceSources.read(store)
    examples = []
    for view in store.find_claims(ClaimQuery()):
        if view.review is None:
            continue
        pool = candidates(sources.linked(view.key, [a.report for a in view.assertions]), sources.sentences)
        examples.append(
            ClaimExample(view.text, tuple(c.sentence for c in pool), view.review.verdict, f"review-{view.key}")
        )
    return examples
