"""ClaimGraph's own page, Swagger UI and GraphiQL in a real browser, served by a real `kg serve`.

playwright-core (npm, ``tests/browser``) drives Debian's chromium through
``tests/browser/claimgraph_page.mjs``: search XNLI, narrow to ✓, open the claim, read its
reports, verdict, reason and evidence, see the neighbourhood graph drawn by cytoscape, draw a
benchmark's graph, then open /docs and /graphql (GraphiQL opens with the XNLI question and
runs it). Every answer is checked against the service; every request must stay on the server
(no CDN). ``CLAIMGRAPH_SCREENSHOTS=docs/img`` keeps the pictures (``make screenshots``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from api.routes.pages import assets_missing
from claimgraph.services import ClaimGraph
from kg.settings import Settings
from tests.integration.test_neo4j_browser import browser_tools_missing, run_browser
from tests.integration.test_serve import kg_serve

pytestmark = pytest.mark.slow
CLAIM = "c_9825856eff07430a"


def test_a_researcher_finds_reads_and_sees_a_claim(demo_dir: Path, tmp_path: Path) -> None:
    missing = browser_tools_missing() or assets_missing()
    if missing:
        pytest.skip(missing)
    shots = os.environ.get("CLAIMGRAPH_SCREENSHOTS")
    service = ClaimGraph(Settings(data_dir=demo_dir))
    expected = service.queries.claim(CLAIM)
    assert expected.verdict is not None
    with kg_serve(tmp_path / "serve.log", "--data-dir", str(demo_dir)) as base:
        seen = run_browser("claimgraph_page.mjs", {"base": base, "shots": shots or str(tmp_path)})

    assert seen["requests_outside"] == []  # every script, style and font comes from kg serve
    assert seen["all_claims"] == len(service.queries.claims())
    assert sorted(seen["xnli_claims"]) == sorted(c.key for c in service.queries.claims(benchmark="XNLI"))  # type: ignore[type-var]
    assert seen["xnli_verified"] == [CLAIM]  # "Reports marked: all ✓"
    # the status column: what the reports assert and what the verifier found, combined (docs/vocabulary.md)
    assert dict(seen["xnli_status"]) == {c.key: c.status for c in service.queries.claims(benchmark="XNLI")}  # type: ignore[arg-type]
    assert seen["address"] == "#/benchmark/XNLI"  # the search form follows the address

    claim: dict = seen["claim"]  # type: ignore[assignment]
    assert claim["hash"] == f"#/claim/{CLAIM}" and claim["text"] == expected.text
    assert [a.split(" — ")[0] for a in claim["assertions"]] == [
        f"✓ {a.confidence:.2f} {a.source_name}:{a.line}" for a in expected.assertions
    ]
    assert claim["verdict"].startswith(expected.verdict.verdict)
    assert claim["reason"] == expected.verdict.reason
    assert len(claim["evidence"]) == len(expected.verdict.evidence)
    for row, evidence in zip(claim["evidence"], expected.verdict.evidence, strict=True):
        assert row.startswith(f"{evidence.paper} #{evidence.index}") and evidence.sentence in row

    graph = claim["graph"]
    assert {n["id"] for n in graph["nodes"]} == {n.id for n in service.queries.claim_graph(CLAIM).nodes}
    assert graph["edges"] == len(service.queries.claim_graph(CLAIM).edges) and graph["drawn"] >= 1
    colours = {n["label"]: n["colour"] for n in graph["nodes"]}
    assert colours["Claim"] == "rgb(247,151,103)" and colours["Report"] == "rgb(76,142,218)"  # the GraSS colours

    labels = seen["benchmark_graph"]
    assert labels.count("Benchmark") >= 1 and labels.count("Claim") == len(service.queries.claims(benchmark="XNLI"))

    assert seen["docs_operations"] >= 15  # Swagger UI rendered the OpenAPI document from local assets
    assert "XNLI" in str(seen["graphiql_query"])  # GraphiQL opens with the XNLI question…
    assert CLAIM in str(seen["graphiql_response"])  # …and answers it


def test_a_researcher_reviews_a_claim_on_the_page(demo_dir: Path, tmp_path: Path) -> None:
    """The review page end to end: queue, claim with marks and evidence, one click to REFUTED with a note."""
    import shutil

    missing = browser_tools_missing() or assets_missing()
    if missing:
        pytest.skip(missing)
    data_dir = tmp_path / "store"
    shutil.copytree(demo_dir, data_dir, ignore=shutil.ignore_patterns(".lock"))
    service = ClaimGraph(Settings(data_dir=data_dir))
    expected_queue = [item.claim for item in service.reviews.queue(limit=20)]
    note = "[b]Table 2[/b] <i>reports</i> 71.2"  # shown literally, never as markup
    os.environ["CLAIMGRAPH_API_TOKEN"] = "review-token"
    try:
        with kg_serve(tmp_path / "serve.log", "--data-dir", str(data_dir)) as base:
            shots = os.environ.get("CLAIMGRAPH_SCREENSHOTS") or str(tmp_path)
            seen = run_browser("review_page.mjs", {"base": base, "token": "review-token", "note": note, "shots": shots})
    finally:
        del os.environ["CLAIMGRAPH_API_TOKEN"]
    assert seen["requests_outside"] == []
    assert seen["queue"] == expected_queue
    top = expected_queue[0]
    claim = service.queries.claim(top)
    assert seen["text"] == claim.text
    assert seen["evidence_rows"] == (len(claim.verdict.evidence) if claim.verdict else 0)
    assert seen["status"] == "recorded: REFUTED by Ada Reviewer"
    assert (
        seen["queue_after"] == [item.claim for item in service.reviews.queue(limit=20)]
        and top not in seen["queue_after"]
    )
    reviewed = service.queries.claim(top)
    assert reviewed.review is not None and (reviewed.review.verdict, reviewed.review.note) == ("REFUTED", note)
    assert note in str(seen["claim_review"]) and seen["claim_status"] == reviewed.status
    assert reviewed.status_by == "review"
