"""docker/: Docker does not run here, so the compose file is checked as data, and the saved
Browser queries run for real on FalkorDB against the sample reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from claimgraph.cli.app import app
from claimgraph.services import ClaimGraph
from kg.review.records import decide, review_batch
from kg.settings import Settings
from kg.store.cypher_store import CypherStore
from kg.store.registry import store_for
from schemas.graph import GraphBatch, NodeLabel, RelType
from schemas.review import ReviewInput
from schemas.views import ClaimQuery
from tests.conftest import empty_server_graph

DOCKER = Path(__file__).resolve().parents[2] / "docker"


@pytest.fixture(scope="module")
def compose() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load((DOCKER / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_neo4j_service(compose: dict) -> None:  # type: ignore[type-arg]
    neo4j = compose["services"]["neo4j"]
    assert neo4j["image"].startswith("neo4j:5")
    assert {"7474:7474", "7687:7687"} <= {p.split("#")[0].strip() for p in neo4j["ports"]}
    assert "${NEO4J_PASSWORD" in neo4j["environment"]["NEO4J_AUTH"]  # auth from the environment
    mounts = {v.split(":")[1]: v.split(":")[0] for v in neo4j["volumes"]}
    assert mounts["/data"] in compose["volumes"]  # a named data volume


def test_claimgraph_services_share_the_image_and_the_neo4j_store(compose: dict) -> None:  # type: ignore[type-arg]
    for name in ("load", "api"):
        service = compose["services"][name]
        assert (
            DOCKER.parent / service["build"]["context"].replace("..", ".") / service["build"]["dockerfile"]
        ).exists()
        env = service["environment"]
        assert env["CLAIMGRAPH_STORE"] == "bolt://neo4j:7687"
        assert "${NEO4J_PASSWORD" in env["NEO4J_PASSWORD"]
    assert compose["services"]["load"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert compose["services"]["api"]["depends_on"]["load"]["condition"] == "service_completed_successfully"
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert "torch==2.13.0" in dockerfile and "whl/cpu" in dockerfile


def _parses(args: list[str]) -> None:
    """The arguments name a real `kg` command and options it accepts (paths under /app must exist in the repo)."""
    for arg in args:
        if arg.startswith("/app/"):
            assert (DOCKER.parent / arg.removeprefix("/app/")).exists(), arg
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, (args, result.output)


def test_load_job_runs_the_demo_steps(compose: dict) -> None:  # type: ignore[type-arg]
    load = compose["services"]["load"]
    assert load["entrypoint"] == ["sh", "-c"]
    steps = [step.split() for step in load["command"][0].split("&&")]
    assert [step[:2] for step in steps] == [["kg", "ingest"], ["kg", "papers"], ["kg", "verify"]]
    for step in steps:
        _parses(step[1:])


def test_api_service_serves_every_interface(compose: dict) -> None:  # type: ignore[type-arg]
    api = compose["services"]["api"]
    command = api["command"]
    assert command[0] == "serve" and command[command.index("--host") + 1] == "0.0.0.0"
    port = command[command.index("--port") + 1]
    assert f"{port}:{port}" in api["ports"]
    assert api["environment"]["CLAIMGRAPH_API_TOKEN"].startswith("${CLAIMGRAPH_API_TOKEN")
    _parses(command)


def test_style_sheet_covers_every_label() -> None:
    grass = (DOCKER / "neo4j" / "claimgraph.grass").read_text(encoding="utf-8")
    colours = {}
    for label in NodeLabel:
        block = re.search(rf"node\.{label.value} \{{(.*?)\n\}}", grass, re.DOTALL)
        assert block and "caption:" in block.group(1), label
        colour = re.search(r"\bcolor: (#[0-9A-Fa-f]{6})", block.group(1))
        assert colour, label
        colours[label.value] = colour.group(1).upper()
    assert len(set(colours.values())) == len(colours), colours  # no two labels look alike
    paper = re.search(r"node\.Paper \{(.*?)\n\}", grass, re.DOTALL)
    assert paper and 'caption: "{title}"' in paper.group(1)  # a paper by its title, not its id


def saved_queries() -> list[tuple[str, str]]:
    text = (DOCKER / "neo4j" / "queries.cypher").read_text(encoding="utf-8")
    queries = []
    for block in text.split("// name: ")[1:]:
        name, _, body = block.partition("\n")
        statement = "\n".join(line for line in body.splitlines() if not line.startswith("//")).strip().rstrip(";")
        queries.append((name.strip(), statement))
    return queries


def test_saved_queries_use_only_known_labels_and_types() -> None:
    known = {label.value for label in NodeLabel} | {t.value for t in RelType}
    assert len(saved_queries()) == 9
    for name, query in saved_queries():
        used = set(re.findall(r"[(\[]\w*:(\w+)", query))
        assert used <= known, (name, used - known)
        assert "'XNLI'" not in query and "'PAWS-X'" not in query  # values are parameters


@pytest.fixture(scope="module", params=["falkordb", "neo4j"])
def seeded_falkor(request: pytest.FixtureRequest, seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seeds on a real FalkorDB and on a real Neo4j: the saved Browser queries run on both."""
    uri = empty_server_graph(request, request.param, "docker")
    run = ClaimGraph(Settings(store=uri, data_dir=tmp_path_factory.mktemp("dq"))).ingestion.ingest([seeds_dir])
    assert run.files.ok
    return uri


def test_saved_queries_answer_on_the_samples(seeded_falkor: str) -> None:
    queries = dict(saved_queries())
    with store_for(seeded_falkor, read_only=True) as store:
        assert isinstance(store, CypherStore)
        run = store.executor.read
        xnli = run(queries["Claims about a benchmark and every report's verdict"], {"benchmark": "XNLI"})
        assert {(r["text"][:20], r["verified"]) for r in xnli} == {
            ("The cross-lingual tr", False),
            ("TyDiQA shows consist", True),
        }
        assert len(xnli) == 5  # 3 × on the 1.6-point claim, 2 ✓ on the TyDiQA claim
        assert len(run(queries["Claims about a benchmark, as a graph"], {"benchmark": "XNLI"})) == 5
        disagreements = run(queries["Disagreements between reports on the same claim"], {})
        assert [d["claim"] for d in disagreements] == ["Syntactic features require large amounts of data."]
        across = run(queries["Disagreements across paraphrased claims"], {})
        assert [a["rejected_claim"] for a in across] == [
            "Most embedding alignment methods require additional supervision signals."
        ]
        with_verdicts = run(queries["Claims about a benchmark and their verdicts, as a graph"], {"benchmark": "XNLI"})
        assert len(with_verdicts) == 5  # one path per assertion; the verdict part is null before `kg verify`
        paws = run(queries["Numbers reported on a benchmark, by whom"], {"benchmark": "PAWS-X"})
        assert {(r["value"], r["unit"], r["report"][:3]) for r in paws} == {
            (2.1, "points", s) for s in ("000", "001", "003")
        }
        reviewed = queries["What people reviewed, beside what the verifier found"]
        assert run(reviewed, {}) == []
    with store_for(seeded_falkor) as store:  # a person reviews one claim; the saved query shows it
        claim = store.find_claims(ClaimQuery(text_contains="Syntactic features"))[0]
        given = ReviewInput(claim=claim.key, verdict="REFUTED", reviewer="ana", note="Sec. 5")
        review = decide(None, given, claim_text=claim.text, verdict=None, now="2026-12-07T10:00:00+00:00")
        assert review is not None
        store.apply(review_batch(review, paper_exists=False))
        assert isinstance(store, CypherStore)
        rows = store.executor.read(reviewed, {})
        assert [(r["reviewed"], r["reviewer"], r["note"], r["verifier"]) for r in rows] == [
            ("REFUTED", "ana", "Sec. 5", None)
        ]
        store.apply(GraphBatch(source="undo", delete_nodes=[review.ref]))  # the module's other tests see no review


def test_image_copies_every_package_the_wheel_includes() -> None:
    """A package left out of the Dockerfile would install a `kg` that fails at import."""
    import tomllib

    pyproject = tomllib.loads((DOCKER.parent / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = {
        line.split()[1]
        for line in (DOCKER / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.startswith("COPY ")
    }
    assert packages and packages <= copied, sorted(packages - copied)
