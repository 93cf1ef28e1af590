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
    unsendable: dict[str, int] = {}
    problems: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED:
            continue
        exercise_operation(operation, api_client, sent, unsendable, problems)
    print(
        f"schemathesis: {sum(sent.values())} requests over {len(sent)} operations, {len(problems)} failures, "
        f"{sum(unsendable.values())} generated requests the HTTP client could not encode ({unsendable})"
    )
    assert len(sent) >= 10
    assert problems == []


def _error_shaped(response: Any) -> bool:
    try:
        return set(response.json()) == {"error"}
    except ValueError:
        return False


def exercise_operation(
    operation: Any, api_client: TestClient, sent: dict[str, int], unsendable: dict[str, int], problems: list[str]
) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,  # the same requests on every run: CI is reproducible
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def exercise(case: schemathesis.Case) -> None:
        for headers in (None, {"Authorization": f"Bearer {TOKEN}"}):
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
            kwargs.pop("cookies", None)  # the API reads no cookies; per-request cookies are deprecated in httpx
            with warnings.catch_warnings():  # schemathesis passes raw bodies as data=, which httpx deprecates
                warnings.simplefilter("ignore", DeprecationWarning)
                try:  # built and read here, so that a body the client cannot encode is told apart from a server fault
                    request = api_client.build_request(**kwargs)
                    request.read()
                except (TypeError, AttributeError, ValueError):
                    unsendable[label] = unsendable.get(label, 0) + 1  # e.g. a multipart "file" that is the int 0
                    continue
                response = api_client.send(request)
            sent[label] = sent.get(label, 0) + 1
            if response.status_code >= 500:
                problems.append(f"{label} -> {response.status_code}: {response.text[:200]}")
            elif response.status_code >= 400 and operation.path != "/graphql" and not _error_shaped(response):
                problems.append(f"{label} -> {response.status_code} without the error shape: {response.text[:200]}")

    exercise()


def test_no_server_errors_from_generated_graphql(api_client: TestClient) -> None:
    """Queries generated from the GraphQL schema itself (every root field, random arguments and selections)."""
    from graphql import get_introspection_query

    introspection = api_client.post("/graphql", json={"query": get_introspection_query()}).json()
    schema = schemathesis.graphql.from_dict(introspection)
    sent: dict[str, int] = {}
    problems: list[str] = []
    for result in schema.get_all_operations():
        exercise_graphql(result.ok(), api_client, sent, problems)
    print(f"schemathesis GraphQL: {sum(sent.values())} queries over {len(sent)} root fields, {len(problems)} failures")
    assert len(sent) >= 5 and problems == [], problems


def exercise_graphql(operation: Any, api_client: TestClient, sent: dict[str, int], problems: list[str]) -> None:
    label = str(operation.label)

    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy())
    def exercise(case: schemathesis.Case) -> None:
        kwargs = case.as_transport_kwargs(base_url="http://testserver/graphql")
        kwargs.pop("cookies", None)
        response = api_client.request(**kwargs)
        sent[label] = sent.get(label, 0) + 1
        if response.status_code >= 500:
            problems.append(f"{label} -> {response.status_code}: {response.text[:200]}")
            return
        for error in response.json().get("errors") or []:
            if (error.get("extensions") or {}).get("code") == "internal_error":
                problems.append(f"{label} -> {error['message'][:200]}")

    exercise()
