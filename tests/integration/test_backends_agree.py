"""Every CLI question gets the same answer from every backend, on the five seeds.

Seeds go into FalkorDB and into Neo4j through the same service the CLI uses (paraphrase linking included)
and every read is compared, as JSON, with the embedded store's answers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimgraph.services import ClaimGraph
from kg.settings import Settings
from schemas.graph import RelType
from tests.conftest import empty_server_graph


def answers(service: ClaimGraph) -> dict[str, object]:
    dump = lambda items: [i.model_dump(mode="json") for i in items]  # noqa: E731
    return {
        "stats": service.queries.stats().model_dump(),
        "claims": dump(service.queries.claims()),
        "xnli_verified": dump(service.queries.claims(benchmark="XNLI", report_verdict="verified")),
        "xlmr": dump(service.queries.claims(model="XLM-R")),
        "conflicting": dump(service.queries.claims(report_verdict="conflicting")),
        "conflicts": dump(service.queries.conflicts()),
        "paraphrases": dump(service.queries.paraphrases()),
    }


@pytest.fixture(scope="module", params=["falkordb", "neo4j"])
def server_service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ClaimGraph:
    """The seeds' service on a real FalkorDB or a real Neo4j (emptied first: one Neo4j database per server)."""
    uri = empty_server_graph(request, request.param, "agree")
    return ClaimGraph(Settings(store=uri, data_dir=tmp_path_factory.mktemp(f"{request.param}-cache")))


def test_server_answers_like_embedded(seeded_dir: Path, seeds_dir: Path, server_service: ClaimGraph) -> None:
    run = server_service.ingestion.ingest([seeds_dir])
    assert run.files.ok and run.paraphrase_links is not None and run.paraphrase_links.relationships_created == 4
    embedded = answers(ClaimGraph(Settings(data_dir=seeded_dir)))
    served = answers(server_service)
    for question in embedded:
        assert json.dumps(served[question], sort_keys=True) == json.dumps(embedded[question], sort_keys=True), question


def test_server_reingest_changes_nothing(seeds_dir: Path, server_service: ClaimGraph) -> None:
    server_service.ingestion.ingest([seeds_dir])  # loaded and linked, whichever test ran first
    before = server_service.queries.stats()
    run = server_service.ingestion.ingest([seeds_dir])
    assert {o.status for o in run.files.outcomes} == {"unchanged"}
    assert run.paraphrase_links is not None and not run.paraphrase_links.changed
    assert server_service.queries.stats() == before
    with server_service.workspace.store(read_only=True) as store:
        assert len(list(store.iter_relationships(RelType.PARAPHRASE_OF))) == 4
