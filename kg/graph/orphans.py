"""What a report's deletion leaves without a reason to exist.

A claim stays while another report asserts it, or it was extracted from a paper, or a person
reviewed it (reviews are never lost); otherwise its results and verdict go with it. A paper
stays while a report cites or examines it, or a remaining claim was extracted from it or is
supported/refuted by it. Benchmarks, languages and models stay while anything still points
at them.
"""

from __future__ import annotations

from kg.store.base import GraphStore
from schemas.graph import NodeLabel, NodeRef, RelType


def orphans_after_deleting(store: GraphStore, report: NodeRef) -> list[NodeRef]:
    doomed: set[NodeRef] = set()
    asserted = [claim.ref for _, claim in store.related([report], RelType.ASSERTS, "out")[report]]
    asserters = store.related(asserted, RelType.ASSERTS, "in")
    extracted = store.related(asserted, RelType.EXTRACTED_FROM, "out")
    reviewed = store.relationships_of(asserted, RelType.REVIEWS, "in")  # a person's review keeps its claim
    claims = [
        c for c in asserted if all(r.start == report for r, _ in asserters[c]) and not extracted[c] and not reviewed[c]
    ]
    doomed |= set(claims)
    for rel_type in (RelType.REPORTS, RelType.HAS_VERDICT):
        for rows in store.related(claims, rel_type, "out").values():
            doomed |= {node.ref for _, node in rows}
    papers = {
        node.ref
        for rel_type in (RelType.CITES, RelType.EXAMINES)
        for _, node in store.related([report], rel_type, "out")[report]
    }
    for rel_type in (RelType.SUPPORTED_BY, RelType.REFUTED_BY, RelType.EXTRACTED_FROM):
        for rows in store.related(claims, rel_type, "out").values():
            papers |= {node.ref for _, node in rows}
    gone = doomed | {report}
    for paper in sorted(papers, key=lambda r: r.key):
        still = [
            rel.start
            for rel_type in (
                RelType.CITES,
                RelType.EXAMINES,
                RelType.EXTRACTED_FROM,
                RelType.SUPPORTED_BY,
                RelType.REFUTED_BY,
            )
            for rel, _ in store.related([paper], rel_type, "in")[paper]
        ]
        if all(start in gone for start in still):
            doomed.add(paper)
    entities: set[NodeRef] = set()
    for source in [report, *claims]:
        for rel_type in (RelType.ABOUT, RelType.MENTIONS):
            entities |= {node.ref for _, node in store.related([source], rel_type, "out")[source]}
    for result in [r for r in doomed if r.label == NodeLabel.RESULT]:
        entities |= {node.ref for _, node in store.related([result], RelType.ON, "out")[result]}
    gone = doomed | {report}
    for entity in sorted(entities, key=lambda r: (r.label, r.key)):
        pointing = [
            rel.start
            for rel_type in (RelType.ABOUT, RelType.MENTIONS, RelType.ON)
            for rel, _ in store.related([entity], rel_type, "in")[entity]
        ]
        if all(start in gone for start in pointing):
            doomed.add(entity)
    return sorted(doomed, key=lambda r: (r.label, r.key))
