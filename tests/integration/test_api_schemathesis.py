"""Property-based requests generated from the OpenAPI schema (schemathesis): no input may cause a server error.

Bounded (a few examples per operation) so CI stays fast. Every generated request is sent
twice, without and with the bearer token, on a private copy of the seed graph; any 4xx must
carry the one error shape (GraphQL answers in the GraphQL spec's own error format).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from api import create_app
from claimgraph.services import ClaimGraph
from kg.settings import Settings
from tests.conftest import REPO, SEEDS

TOKEN = "schemathesis-token"
EXAMPLES_PER_OPERATION = 20
SKIPPED = {"/verify", "/search"}  # they load models; covered by their own tests, not by generated traffic


@pytest.fixture(scope="module")
def api_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir = tmp_path_factory.mktemp("schemathesis") / "store"
    service = ClaimGraph(Settings(data_dir=data_dir))
    service.ingestion.ingest([SEEDS], offline=True, link_paraphrases=False)
    service.papers.import_file(REPO / "examples" / "papers.jsonl")
    with TestClient(create_app(Settings(data_dir=data_dir, api_token=TOKEN))) as client:  # type: ignore[arg-type]
        yield client


def test_no_server_errors(api_client: TestClient) -> None:
    schema = schemathesis.openapi.from_dict(api_client.get("/openapi.json").json())
    sent: dict[str, int] = {}
    problems: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED:
            continue
        exercise_operation(operation, api_client, sent, problems)
    print(f"schemathesis: {sum(sent.values())} requests over {len(sent)} operations, {len(problems)} failures")
    assert len(sent) >= 10
    assert problems == []


def _error_shaped(response: Any) -> bool:
    try:
        return set(response.json()) == {"error"}
    except ValueError:
        return False


def exercise_operation(operation: Any, api_client: TestClient, sent: dict[str, int], problems: list[str]) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy())
    def exercise(case: schemathesis.Case) -> None:
        for headers in (None, {"Authorization": f"Bearer {TOKEN}"}):
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
            kwargs.pop("cookies", None)  # the API reads no cookies; per-request cookies are deprecated in httpx
            with warnings.catch_warnings():  # schemathesis passes raw bodies as data=, which httpx deprecates
                warnings.simplefilter("ignore", DeprecationWarning)
                response = api_client.request(**kwargs)
            sent[label] = sent.get(label, 0) + 1
            if response.status_code >= 500:
                problems.append(f"{label} -> {response.status_code}: {response.text[:200]}")
            elif response.status_code >= 400 and operation.path != "/graphql" and not _error_shaped(response):
                problems.append(f"{label} -> {response.status_code} without the error shape: {response.text[:200]}")

    exercise()
