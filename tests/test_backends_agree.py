"""Every CLI question gets the same answer from every backend, on the five seeds.

Seeds go into FalkorDB through the same service the CLI uses (paraphrase linking included)
and every read is compared, as JSON, with the embedded store's answers.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from kg.service import ClaimGraph
from kg.settings import Settings
from kg.store.falkordb_server import FalkorServer
from schemas.graph import RelType


def answers(service: ClaimGraph) -> dict[str, object]:
    dump = lambda items: [i.model_dump(mode="json") for i in items]  # noqa: E731
    return {
        "stats": service.stats().model_dump(),
        "claims": dump(service.claims()),
        "xnli_verified": dump(service.claims(benchmark="XNLI", report_verdict="verified")),
        "xlmr": dump(service.claims(model="XLM-R")),
        "conflicting": dump(service.claims(report_verdict="conflicting")),
        "conflicts": dump(service.conflicts()),
        "paraphrases": dump(service.paraphrases()),
    }


@pytest.fixture(scope="module")
def falkor_service(falkordb_server: FalkorServer, tmp_path_factory: pytest.TempPathFactory) -> ClaimGraph:
    uri = falkordb_server.uri(f"agree_{uuid.uuid4().hex[:8]}")
    service = ClaimGraph(Settings(store=uri, data_dir=tmp_path_factory.mktemp("falkor-cache")))
    return service


def test_falkordb_answers_like_embedded(seeded_dir: Path, seeds_dir: Path, falkor_service: ClaimGraph) -> None:
    run = falkor_service.ingest([seeds_dir])
    assert run.files.ok and run.paraphrase_links is not None and run.paraphrase_links.relationships_created == 4
    embedded = answers(ClaimGraph(Settings(data_dir=seeded_dir)))
    falkor = answers(falkor_service)
    for question in embedded:
        assert json.dumps(falkor[question], sort_keys=True) == json.dumps(embedded[question], sort_keys=True), question


def test_falkordb_reingest_changes_nothing(seeds_dir: Path, falkor_service: ClaimGraph) -> None:
    falkor_service.ingest([seeds_dir], link_paraphrases=False)  # make sure it is loaded
    before = falkor_service.stats()
    run = falkor_service.ingest([seeds_dir])
    assert {o.status for o in run.files.outcomes} == {"unchanged"}
    assert run.paraphrase_links is not None and not run.paraphrase_links.changed
    assert falkor_service.stats() == before
    with falkor_service.store(read_only=True) as store:
        assert len(list(store.iter_relationships(RelType.PARAPHRASE_OF))) == 4
