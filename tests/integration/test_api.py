"""The HTTP API over the seed graph (verified), on the embedded store and on a real FalkorDB server."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from api import create_app
from claimgraph.services import AdminService, ClaimGraph
from kg.settings import Settings
from tests.conftest import SEEDS

if TYPE_CHECKING:
    from kg.store.falkordb_server import FalkorServer

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
XNLI_QUERY = """
query { claims(where: {benchmark: {name: "XNLI"}, marked: VERIFIED}) {
  edges { node { key text reportVerdict assertions { verified report { sourceName } } } }
  pageInfo { hasNextPage endCursor } } }
"""


@pytest.fixture(scope="module")
def verified_dir(demo_dir: Path) -> Path:
    """The demo store (samples, papers, verdicts); tests that write use `writable`, a copy."""
    return demo_dir


def settings_for(data_dir: Path, **extra: Any) -> Settings:
    return Settings(data_dir=data_dir, api_token=TOKEN, **extra)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=["embedded", "falkordb"])
def client(request: pytest.FixtureRequest, verified_dir: Path) -> Iterator[TestClient]:
    """A read-only client per backend (tests that write use `writable`)."""
    settings = settings_for(verified_dir)
    if request.param == "falkordb":
        server: FalkorServer = request.getfixturevalue("falkordb_server")
        uri = server.uri(f"api_{uuid.uuid4().hex[:8]}")
        AdminService.migrate(settings.store_uri(), uri)
        settings = settings.model_copy(update={"store": uri})
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def writable(verified_dir: Path, tmp_path: Path) -> Iterator[TestClient]:
    target = tmp_path / "store"
    shutil.copytree(verified_dir, target, ignore=shutil.ignore_patterns(".lock"))
    with TestClient(create_app(settings_for(target))) as test_client:
        yield test_client


def expected_xnli_verified(verified_dir: Path) -> list[str]:
    service = ClaimGraph(Settings(data_dir=verified_dir))
    return [c.key for c in service.queries.claims(benchmark="XNLI", report_verdict="verified")]


def test_xnli_question_over_rest(client: TestClient, verified_dir: Path) -> None:
    response = client.get("/claims", params={"benchmark": "XNLI", "marked": "verified"})
    assert response.status_code == 200
    body = response.json()
    assert [c["key"] for c in body["items"]] == expected_xnli_verified(verified_dir) == ["c_9825856eff07430a"]
    claim = body["items"][0]
    assert claim["text"].startswith("TyDiQA shows consistent improvements")
    assert sorted(a["source_name"] for a in claim["assertions"]) == [
        "002_b846e99610621fe0.txt",
        "004_001725a0628bc8b7.txt",
    ]
    assert claim["report_verdict"] == "verified" and claim["verdict"]["verdict"] in (
        "SUPPORTED",
        "REFUTED",
        "NOT_ENOUGH_INFO",
    )
    assert body["next_cursor"] is None
    assert client.get("/claims", params={"benchmark": "xnli", "marked": "verified"}).json() == body  # aliases resolve


def test_xnli_question_over_graphql(client: TestClient, verified_dir: Path) -> None:
    response = client.post("/graphql", json={"query": XNLI_QUERY})
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    data = response.json()["data"]["claims"]
    assert [e["node"]["key"] for e in data["edges"]] == expected_xnli_verified(verified_dir)
    node = data["edges"][0]["node"]
    assert node["reportVerdict"] == "VERIFIED" and all(a["verified"] for a in node["assertions"])
    assert {a["report"]["sourceName"] for a in node["assertions"]} == {
        "002_b846e99610621fe0.txt",
        "004_001725a0628bc8b7.txt",
    }
    assert data["pageInfo"] == {"hasNextPage": False, "endCursor": "c_9825856eff07430a"}


def test_cursor_pagination_walks_every_claim_once(client: TestClient) -> None:
    keys: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/claims", params=params).json()
        keys += [c["key"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(keys) == len(set(keys)) == 31 and keys == sorted(keys)
    descending = client.get("/claims", params={"limit": 200, "sort": "-key"}).json()["items"]
    assert [c["key"] for c in descending] == sorted(keys, reverse=True)


def test_graphql_and_or_filters(client: TestClient) -> None:
    query = """query { claims(first: 100, where: {OR: [{benchmark: {name: "XNLI"}}, {benchmark: {name: "PAWS-X"}}],
      AND: [{marked: UNVERIFIED}]}) { edges { node { key benchmarks reportVerdict } } } }"""
    edges = client.post("/graphql", json={"query": query}).json()["data"]["claims"]["edges"]
    rest = {
        c["key"]
        for b in ("XNLI", "PAWS-X")
        for c in client.get("/claims", params={"benchmark": b, "marked": "unverified", "limit": 200}).json()["items"]
    }
    assert {e["node"]["key"] for e in edges} == rest and rest
    assert all(e["node"]["reportVerdict"] == "UNVERIFIED" for e in edges)


def test_detail_routes(client: TestClient) -> None:
    claim = client.get("/claims/c_9825856eff07430a").json()
    assert claim["key"] == "c_9825856eff07430a" and claim["verdict"]["reason"]  # the API says why
    assert claim["verdict"]["min_precision"] is None  # the default point, not a precision promise
    assert set(claim["verdict"]["probabilities"]) == {"SUPPORTED", "NOT_ENOUGH_INFO", "REFUTED"}
    assert claim["status"] == "asserted-only"
    reports = client.get("/reports").json()
    assert len(reports) == 5 and sum(r["assertions"] for r in reports) == 54
    detail = client.get(f"/reports/{reports[0]['key']}").json()
    assert len(detail["claims"]) == reports[0]["assertions"] and detail["cites"]
    papers = client.get("/papers").json()
    assert len(papers) == 9 and all(p["abstract_sentences"] for p in papers)
    assert client.get("/papers/2005.13013").json()["cited_by"]
    benchmarks = {b["name"]: b for b in client.get("/benchmarks").json()}
    assert benchmarks["XNLI"]["claims"] == 2
    rows = client.get("/benchmarks/XTREME/results").json()
    assert rows and all(r["value"] == 5.4 for r in rows) and {r["report_source"][:3] for r in rows} == {"002", "004"}
    stats = client.get("/stats").json()
    assert stats["nodes"]["Claim"] == 31 and stats["nodes"]["Verdict"] == 31
    conflicts = client.get("/conflicts").json()
    assert {c["kind"] for c in conflicts} >= {"reports_disagree", "paraphrase_disagree"}


def test_a_report_of_many_rows_comes_in_pages_and_the_pages_walk_it_once(client: TestClient) -> None:
    """GET /reports/{key} returned every row at once (a 50,000-row report: 7.8 MB in 3.3 s); now a page each."""
    report = max(client.get("/reports").json(), key=lambda r: r["assertions"])
    whole = client.get(f"/reports/{report['key']}").json()
    assert len(whole["claims"]) == report["assertions"] > 5 and whole["next_cursor"] is None
    walked, cursor = [], None
    while True:
        page = client.get(f"/reports/{report['key']}", params={"limit": 5, **({"cursor": cursor} if cursor else {})})
        body = page.json()
        assert (body["assertions"], body["verified"], body["limit"]) == (report["assertions"], report["verified"], 5)
        walked += body["claims"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert len(body["claims"]) == 5
    assert walked == whole["claims"]
    assert [c["line"] for c in walked] == sorted(c["line"] for c in walked)  # the report's own order


def test_errors_have_one_shape(client: TestClient) -> None:
    for path, status, code in [
        ("/claims/c_nope", 404, "not_found"),
        ("/reports/r_nope", 404, "not_found"),
        ("/reports/r_nope?cursor=nonsense", 422, "invalid_input"),
        ("/reports/r_nope?limit=100000", 422, "invalid_input"),
        ("/papers/9999.99999", 404, "not_found"),
        ("/claims?benchmark=NoSuchBench", 422, "invalid_input"),
        ("/claims?limit=100000", 422, "invalid_input"),
        ("/claims?limit=0", 422, "invalid_input"),
        ("/claims?verdict=MAYBE", 422, "invalid_input"),
        ("/claims?marked=verified&conflicting=true", 422, "invalid_input"),
        ("/claims?verified=true&verdict=refuted", 422, "invalid_input"),
        ("/claims?status=maybe", 422, "invalid_input"),
        ("/benchmarks/NoSuchBench/results", 422, "invalid_input"),
        ("/search", 422, "invalid_input"),
    ]:
        response = client.get(path)
        assert response.status_code == status, (path, response.text)
        assert response.json()["error"]["code"] == code and response.json()["error"]["message"], path


def test_semantic_search(client: TestClient) -> None:
    hits = client.get("/search", params={"q": "gains on the XNLI benchmark", "limit": 3}).json()
    assert len(hits) == 3 and hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]
    assert "XNLI" in hits[0]["text"]


def test_every_write_route_needs_the_token(writable: TestClient) -> None:
    seed = SEEDS / "000_9d9b0186167b53ff.txt"
    report = writable.get("/reports").json()[0]["key"]
    calls = [
        ("post", "/reports", {"files": [("files", (seed.name, seed.read_bytes(), "text/plain"))]}),
        ("post", "/verify", {"json": {"benchmark": "XNLI"}}),
        ("delete", f"/reports/{report}", {}),
    ]
    for method, path, kwargs in calls:
        missing = getattr(writable, method)(path, **kwargs)
        assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized", path
        wrong = getattr(writable, method)(path, headers={"Authorization": "Bearer nope"}, **kwargs)
        assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden", path
    assert writable.get("/stats").json()["nodes"]["Report"] == 5  # nothing was written
    for method, path, kwargs in calls:
        ok = getattr(writable, method)(path, headers=AUTH, **kwargs)
        assert ok.status_code == 200, (path, ok.text)


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_token_setting_disables_writes(verified_dir: Path, tmp_path: Path, blank: str) -> None:
    assert settings_for(verified_dir).api_token is not None
    target = tmp_path / "store"
    shutil.copytree(verified_dir, target, ignore=shutil.ignore_patterns(".lock"))
    settings = Settings(data_dir=target, api_token=blank)  # type: ignore[arg-type]
    assert settings.api_token is None
    with TestClient(create_app(settings)) as client:
        for header in ("Bearer ", f"Bearer {blank}", "Bearer x"):
            refused = client.post("/verify", json={}, headers={"Authorization": header})
            assert refused.status_code in (401, 403), header
        assert client.post("/verify", json={}, headers={"Authorization": "Bearer x"}).json()["error"]["message"] == (
            "writes are disabled: no token is set"
        )


def test_delete_report_removes_what_only_it_held_and_upload_restores_it(writable: TestClient) -> None:
    before = writable.get("/stats").json()
    reports = {r["source_name"]: r["key"] for r in writable.get("/reports").json()}
    key = reports["000_9d9b0186167b53ff.txt"]
    own = {c["claim"] for c in writable.get(f"/reports/{key}").json()["claims"]}
    shared = {c["claim"] for k in reports.values() if k != key for c in writable.get(f"/reports/{k}").json()["claims"]}
    deleted = writable.delete(f"/reports/{key}", headers=AUTH)
    assert deleted.status_code == 200 and deleted.json()["nodes_deleted"] > 1
    for claim in own:
        status = writable.get(f"/claims/{claim}").status_code
        assert status == (200 if claim in shared else 404), claim
    after = writable.get("/stats").json()
    assert after["nodes"]["Report"] == 4 and after["nodes"]["Claim"] == 31 - len(own - shared)
    assert after["nodes"]["Verdict"] == after["nodes"]["Claim"]
    assert writable.delete(f"/reports/{key}", headers=AUTH).status_code == 404
    seed = SEEDS / "000_9d9b0186167b53ff.txt"
    uploaded = writable.post("/reports", headers=AUTH, files=[("files", (seed.name, seed.read_bytes(), "text/plain"))])
    assert uploaded.status_code == 200 and uploaded.json()["files"][0]["status"] == "ingested"
    restored = writable.get("/stats").json()
    graph_only = {"Verdict", "Paper"}  # verdicts of re-added claims wait for the next /verify; papers for a fetch
    assert {k: v for k, v in restored["nodes"].items() if k not in graph_only} == {
        k: v for k, v in before["nodes"].items() if k not in graph_only
    }


def test_malformed_upload_is_422_with_file_and_line(writable: TestClient) -> None:
    good = SEEDS / "000_9d9b0186167b53ff.txt"
    bad = good.read_text(encoding="utf-8").replace("\t0.13", "\tabc", 1)
    response = writable.post(
        "/reports",
        headers=AUTH,
        files=[
            ("files", ("zz_bad.txt", bad.encode(), "text/plain")),
            ("files", (good.name, good.read_bytes(), "text/plain")),
        ],
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "parse_error" and "1 of 2" in error["message"]
    assert any(d.startswith("zz_bad.txt:") and "confidence" in d for d in error["details"])
    # and it says which files were committed: a committed file is never reported as failed
    assert "1 committed" in error["message"] and f"{good.name}: unchanged, committed" in error["details"]


def test_graphql_limits_reject_abusive_queries(client: TestClient) -> None:
    deep = 'query { claim(key: "c_9825856eff07430a") { ' + "paraphrases { " * 9 + "key" + " }" * 9 + " } }"
    wide = """query { claims(first: 200) { edges { node { assertions { report { claims { assertions {
      report { key } } } } } } } } }"""
    many = "query { " + " ".join(f"a{i}: claims(first: 1) {{ pageInfo {{ hasNextPage }} }}" for i in range(30)) + " }"
    long = "query { claims(first: 1) { edges { node { " + "key " * 2100 + "} } } }"
    for attempt in range(2):  # parsing and validation are cached per query text: the second try must fail too
        messages = [e["message"] for e in client.post("/graphql", json={"query": deep}).json()["errors"]]
        assert any("exceeds maximum operation depth" in m for m in messages), (attempt, messages)
        error = client.post("/graphql", json={"query": wide}).json()["errors"][0]["message"]
        assert "query too complex" in error, attempt
        messages = [e["message"] for e in client.post("/graphql", json={"query": many}).json()["errors"]]
        assert any("aliases" in m for m in messages), (attempt, messages)
        messages = [e["message"] for e in client.post("/graphql", json={"query": long}).json()["errors"]]
        assert any("more than 2000 tokens" in m for m in messages), (attempt, messages)
        fine = client.post("/graphql", json={"query": "query { claims(first: 2) { edges { node { key } } } }"}).json()
        assert "errors" not in fine and len(fine["data"]["claims"]["edges"]) == 2
    # a page size passed as a variable is read from the request: it cannot slip past the budget
    wide_var = (
        wide.replace("query {", "query($n: Int!) {", 1)
        .replace("first: 200", "first: $n")
        .replace("assertions {", "assertions(first: 10) {")
        .replace("claims {", "claims(first: 10) {")
    )
    for n, allowed in ((200, False), (1, True), (200, False)):
        body = client.post("/graphql", json={"query": wide_var, "variables": {"n": n}}).json()
        if allowed:
            assert "errors" not in body and len(body["data"]["claims"]["edges"]) == 1, body
        else:
            assert "query too complex" in body["errors"][0]["message"] and body["data"] is None, (n, body)


def test_dataloaders_bound_store_calls(writable: TestClient) -> None:
    service: ClaimGraph = writable.app.state.service  # type: ignore[attr-defined]
    nested = """query($n: Int!) { claims(first: $n) { edges { node { key paraphrases { key }
      assertions(first: 20) { report { key claims(first: 20) { key } papers(first: 20) { key } } } } } } }"""

    def calls(n: int) -> int:
        start = service.workspace.store_opens
        response = writable.post("/graphql", json={"query": nested, "variables": {"n": n}})
        assert "errors" not in response.json(), response.text
        return service.workspace.store_opens - start

    few, many = calls(3), calls(31)
    assert many == few <= 8  # one call per loader round, however many claims are on the page


NESTED = """query($n: Int!) { claims(first: $n) { edges { node { key paraphrases { key }
  assertions(first: 20) { report { key claims(first: 20) { key } papers(first: 20) { key } } } } } } }"""


@pytest.mark.parametrize("backend", ["falkordb", "neo4j"])
def test_nested_graphql_is_a_bounded_number_of_database_round_trips(
    request: pytest.FixtureRequest, backend: str, verified_dir: Path
) -> None:
    """Counted at the database driver, not at the service: an N+1 anywhere below the loaders would show here."""
    from tests.conftest import empty_server_graph
    from tests.contract.conftest import count_round_trips

    uri = empty_server_graph(request, backend, "trips")
    AdminService.migrate(Settings(data_dir=verified_dir).store_uri(), uri)
    with TestClient(create_app(settings_for(verified_dir, store=uri))) as test_client:
        service: ClaimGraph = test_client.app.state.service  # type: ignore[attr-defined]
        held = service.workspace._held
        assert held is not None
        counter = count_round_trips(held.inner)
        assert counter is not None

        def trips(n: int) -> int:
            counter.reads = 0
            body = test_client.post("/graphql", json={"query": NESTED, "variables": {"n": n}}).json()
            assert "errors" not in body and len(body["data"]["claims"]["edges"]) == n, body
            return counter.reads

        few, many = trips(3), trips(31)
    print(f"\n{backend}: nested GraphQL query, 3 claims: {few} round trips; 31 claims: {many}")
    assert many == few <= 30


def test_one_error_policy_for_rest_graphql_and_the_cli(client: TestClient, verified_dir: Path) -> None:
    """The same mistake gets the same code everywhere: REST body, GraphQL extensions.code, CLI exit code."""
    from kg.errors import ERROR_POLICY, InputError, NotFoundError
    from tests.integration.test_cli import kg

    rest = client.get("/claims", params={"benchmark": "NOPE"})
    graphql = client.post(
        "/graphql", json={"query": '{ claims(where: {benchmark: {name: "NOPE"}}) { edges { node { key } } } }'}
    )
    cli = kg("claims", "--benchmark", "NOPE", data_dir=verified_dir, check=False)
    policy = ERROR_POLICY[InputError]
    assert (rest.status_code, rest.json()["error"]["code"]) == (policy.http_status, policy.code)
    assert graphql.json()["errors"][0]["extensions"]["code"] == policy.code
    assert cli.returncode == policy.exit_code
    missing = client.get("/claims/c_nope")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, ERROR_POLICY[NotFoundError].code)


def test_deleting_a_report_keeps_a_claim_a_person_reviewed_with_its_review(writable: TestClient) -> None:
    reports = {r["source_name"]: r["key"] for r in writable.get("/reports").json()}
    key = reports["000_9d9b0186167b53ff.txt"]
    shared = {c["claim"] for k in reports.values() if k != key for c in writable.get(f"/reports/{k}").json()["claims"]}
    own = sorted({c["claim"] for c in writable.get(f"/reports/{key}").json()["claims"]} - shared)
    reviewed, gone = own[0], own[1]
    body = {"verdict": "REFUTED", "reviewer": "ana", "note": "checked"}
    assert writable.post(f"/claims/{reviewed}/reviews", json=body, headers=AUTH).json()["changed"]
    assert writable.delete(f"/reports/{key}", headers=AUTH).status_code == 200
    kept = writable.get(f"/claims/{reviewed}").json()
    assert kept["assertions"] == [] and kept["review"]["verdict"] == "REFUTED" and kept["status_by"] == "review"
    assert writable.get(f"/claims/{gone}").status_code == 404


def test_a_served_app_freezes_its_start_up_heap_and_a_test_app_does_not(verified_dir: Path, tmp_path: Path) -> None:
    """`kg serve` freezes what start-up left alive, so full collections skip it (the GraphQL tail); an app built in
    a test run must not, or every later test's garbage that start-up reached would never be collected."""
    import gc

    store = tmp_path / "store"
    shutil.copytree(verified_dir, store, ignore=shutil.ignore_patterns(".lock"))
    gc.unfreeze()
    try:
        with TestClient(create_app(Settings(data_dir=store))) as plain:
            assert plain.get("/stats").status_code == 200
            assert gc.get_freeze_count() == 0
        with TestClient(create_app(Settings(data_dir=store), freeze_heap=True)) as served:
            assert served.get("/stats").status_code == 200
            frozen = gc.get_freeze_count()
            assert frozen > 10_000  # modules, the schema, the store handle
            assert len(gc.get_objects(generation=2)) < frozen  # a full collection walks only what came after
    finally:
        gc.unfreeze()
