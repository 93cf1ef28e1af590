"""The verifier end to end on the five seeds, their papers from the recorded arXiv server, and the shipped model.

One module-scoped run (about 15 s on 2 cores) is shared by the read-only checks; tests that
write get their own copy of the verified store.
"""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from typer.testing import CliRunner

from claimgraph.cli.app import app
from claimgraph.services import AdminService, ClaimGraph
from kg.extraction.gazetteer import Gazetteer
from kg.nli.model import SHIPPED_MODEL, _weights_hash, load_nli_model
from kg.precision import Precision, runtime_precision
from kg.store import store_for
from kg.verify.aggregate import OperatingPoint
from kg.verify.assess import decide_prepared, prepare
from kg.verify.evaluate import load_aggregator
from kg.verify.evidence import candidates, linked_papers
from kg.verify.examples import ClaimExample
from kg.verify.planning import EvidenceSources
from schemas.graph import GraphBatch, Node, NodeLabel, NodeRef, RelType
from schemas.views import VerifySummary
from tests.arxiv_server import ArxivServer
from tests.conftest import SEEDS, arxiv_settings

if TYPE_CHECKING:
    from kg.store.falkordb_server import FalkorServer

XTREME_54 = "improvement of 5.4"


@pytest.fixture(scope="module")
def papers_dir(tmp_path_factory: pytest.TempPathFactory, arxiv_server: ArxivServer) -> Path:
    """Seeds ingested and their papers fetched from the recorded arXiv server; not yet verified."""
    arxiv_server.reset()
    data_dir = tmp_path_factory.mktemp("verify") / "store"
    run = ClaimGraph(arxiv_settings(data_dir, arxiv_server.url)).ingestion.ingest([SEEDS], papers=True)
    assert run.files.ok and run.papers is not None and not run.papers.failed
    return data_dir


@pytest.fixture(scope="module")
def verified(papers_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[ClaimGraph, VerifySummary]:
    data_dir = tmp_path_factory.mktemp("verified") / "store"
    shutil.copytree(papers_dir, data_dir)
    service = ClaimGraph(arxiv_settings(data_dir, "http://127.0.0.1:9/unused"))
    return service, service.verification.verify()


def copy_of(service: ClaimGraph, tmp_path: Path) -> ClaimGraph:
    target = tmp_path / "store"
    shutil.copytree(service.settings.data_dir, target, ignore=shutil.ignore_patterns(".lock"))
    return ClaimGraph(service.settings.model_copy(update={"data_dir": target}))


def test_every_seed_claim_gets_a_verdict(verified: tuple[ClaimGraph, VerifySummary]) -> None:
    service, summary = verified
    assert summary.claims_selected == summary.claims_verified == 31
    stored = [c.verdict.verdict for c in service.queries.claims() if c.verdict]
    assert summary.verdicts == {label: stored.count(label) for label in summary.verdicts} and len(stored) == 31
    assert summary.pairs_scored == sum(len(c.verdict.evidence) for c in service.queries.claims() if c.verdict)
    assert summary.agreement.assertions == 54
    matrix = summary.agreement.matrix
    assert (
        summary.agreement.agreeing == matrix["SUPPORTED"]["✓"] + matrix["REFUTED"]["×"] + matrix["NOT_ENOUGH_INFO"]["×"]
    )
    assert summary.backend == f"torch-{runtime_precision()[0]}" and summary.model == "claimgraph-nli-minilm-v2"


def test_provenance_is_stored_and_returned(verified: tuple[ClaimGraph, VerifySummary]) -> None:
    service, _ = verified
    sentences = {p.key: p.props["abstract_sentences"] for p in service.papers.nodes()}
    sha = _weights_hash(str(SHIPPED_MODEL))
    for claim in service.queries.claims():
        v = claim.verdict
        assert v is not None
        assert (v.model, v.model_sha256, v.scope) == ("claimgraph-nli-minilm-v2", sha, "cited")
        datetime.fromisoformat(v.verified_at)
        assert len(v.evidence) <= 6  # top 5 admitted by the gate, plus a numeric sentence outside them
        assert v.reason  # every verdict says why
        if not v.evidence:
            assert (v.verdict, v.decided_by) == ("NOT_ENOUGH_INFO", "gate") and "no relevant evidence" in v.reason
        if v.decided_by == "nli":
            assert v.probabilities is not None and sum(v.probabilities.values()) == pytest.approx(1.0, abs=1e-4)
            assert v.score == pytest.approx(v.probabilities[v.verdict], abs=1e-6)
        for e in v.evidence:
            assert sentences[e.paper][e.index] == e.sentence  # the address points at the sentence
            assert e.entailment + e.neutral + e.contradiction == pytest.approx(1.0, abs=1e-4)
        linked = {p for a in claim.assertions for p in _papers_of(service, a.report)}
        assert {e.paper for e in v.evidence} <= linked  # scope "cited": only the claim's own papers
    with store_for(service.settings.store_uri(), read_only=True) as store:
        supported_by = list(store.iter_relationships(RelType.SUPPORTED_BY))
        verdicts = {n.key: n.props for n in store.iter_nodes(NodeLabel.VERDICT)}
    assert len(verdicts) == 31
    for rel in supported_by:
        props = verdicts[rel.start.key]
        assert rel.end.key in props["evidence_papers"]  # type: ignore[operator]
        assert sentences[rel.end.key][int(rel.key)] == rel.props["sentence"]


def _papers_of(service: ClaimGraph, report: str) -> set[str]:
    with store_for(service.settings.store_uri(), read_only=True) as store:
        return {
            r.end.key
            for t in (RelType.CITES, RelType.EXAMINES)
            for r in store.iter_relationships(t)
            if r.start.key == report
        }


def test_xtreme_number_is_checked_against_the_paper(verified: tuple[ClaimGraph, VerifySummary]) -> None:
    service, _ = verified
    claims = [c for c in service.queries.claims(benchmark="XTREME") if XTREME_54 in c.text]
    assert len(claims) == 2  # the reworded pair
    for claim in claims:
        assert claim.verdict is not None
        assert (claim.verdict.verdict, claim.verdict.decided_by) == ("SUPPORTED", "numeric")
        assert (claim.verdict.numeric.status, claim.verdict.numeric.paper) == ("match", "2005.13013")
        assert any(e.paper == "2005.13013" and "5.4 point" in e.sentence for e in claim.verdict.evidence)


def test_second_run_scores_zero_pairs(verified: tuple[ClaimGraph, VerifySummary], tmp_path: Path) -> None:
    service = copy_of(verified[0], tmp_path)
    again = service.verification.verify()
    assert (again.pairs_scored, again.claims_verified, again.claims_unchanged) == (0, 0, 31)
    assert again.verdicts == verified[1].verdicts
    one = service.verification.verify(claim=service.queries.claims()[0].key[:8], force=True)
    assert one.claims_verified == 1 and one.pairs_scored == len(service.queries.claims()[0].verdict.evidence)  # type: ignore[union-attr]


def test_current_verdicts_cost_a_hash_not_a_retrieval(
    verified: tuple[ClaimGraph, VerifySummary], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verdict whose inputs hash matches is current: nothing is embedded for it. One without (a store verified
    before inputs hashes) is planned again, not scored again, and gets its inputs hash for the next run."""
    from claimgraph.services.workspace import Workspace

    service = copy_of(verified[0], tmp_path)
    embedded: list[int] = []
    original = Workspace.embed_cached

    def counting(self: Workspace, texts: list[str], precision: Precision | None = None) -> np.ndarray:  # type: ignore[type-arg]
        embedded.append(len(texts))
        return original(self, texts, precision)

    monkeypatch.setattr(Workspace, "embed_cached", counting)
    assert service.verification.verify().claims_unchanged == 31 and embedded == []
    key = service.queries.claims()[0].key
    with store_for(service.settings.store_uri()) as store:
        store.apply(GraphBatch(source="t", nodes=[Node(label=NodeLabel.VERDICT, key=key, props={"inputs_hash": None})]))
    again = service.verification.verify()
    assert (again.claims_verified, again.claims_unchanged, again.pairs_scored) == (0, 31, 0)
    assert len(embedded) == 1 and embedded[0] > 0  # the one claim's evidence, planned again
    assert again.verdicts == verified[1].verdicts
    with store_for(service.settings.store_uri(), read_only=True) as store:
        node = store.get_node(NodeRef(label=NodeLabel.VERDICT, key=key))
        assert node is not None and node.props["inputs_hash"]
    service.verification.verify()
    assert len(embedded) == 1
    # another sentence encoder precision or gazetteer is another retrieval: every claim is planned again
    monkeypatch.setattr(Workspace, "retrieval_fingerprint", lambda self: "another encoder")
    assert service.verification.verify().claims_unchanged == 31 and len(embedded) == 2


def test_progress_counts_every_selected_claim(verified: tuple[ClaimGraph, VerifySummary], tmp_path: Path) -> None:
    """The bar's total is the number selected where it is known without reading the claims, and None otherwise;
    its advances add up to the claims selected either way."""
    from kg.verify.runner import Progress

    service = copy_of(verified[0], tmp_path)
    key = service.queries.claims()[0].key
    for selection, total in (({}, 31), ({"claim": key[:8]}, 1), ({"benchmark": "XNLI"}, None)):
        started: list[int | None] = []
        advanced: list[int] = []
        summary = service.verification.verify(progress=Progress(started.append, advanced.append), **selection)
        assert started == [total] and sum(advanced) == summary.claims_selected > 0, selection


def test_changed_model_reverifies_everything(
    verified: tuple[ClaimGraph, VerifySummary], tiny_nli_model: Path, tmp_path: Path
) -> None:
    """Plumbing with a tiny random model whose labels are hub-ordered: no semantics asserted."""
    service = copy_of(verified[0], tmp_path)
    for backend in ("torch", "onnx-int8"):
        service = ClaimGraph(service.settings.model_copy(update={"nli_backend": backend}))
        summary = service.verification.verify(model=str(tiny_nli_model), benchmark="XNLI")
        assert summary.claims_verified == summary.claims_selected > 0
        assert summary.backend == (f"torch-{runtime_precision()[0]}" if backend == "torch" else backend)
    claims = service.queries.claims(benchmark="XNLI")
    assert all(c.verdict is not None and c.verdict.model == str(tiny_nli_model) for c in claims)
    scored = [e for c in claims if c.verdict for e in c.verdict.evidence]
    # the tiny model's biased output is named ENTAILMENT: mapped by name, entailment dominates on both paths
    assert scored and all(e.entailment > e.neutral > e.contradiction for e in scored)


def test_onnx_and_torch_paths_agree_on_label_order(tiny_nli_model: Path, tmp_path: Path) -> None:
    from kg.nli.scorer import load_scorer

    pairs = [("A premise sentence.", "A hypothesis."), ("Short.", "A much longer hypothesis sentence here.")]
    torch_probs = load_scorer(str(tiny_nli_model), "torch", tmp_path).predict(pairs)
    onnx_probs = load_scorer(str(tiny_nli_model), "onnx", tmp_path).predict(pairs)
    np.testing.assert_allclose(onnx_probs, torch_probs, atol=1e-4)
    assert (tmp_path / "onnx").is_dir()


def test_claims_without_abstracts_are_not_enough_info(tmp_path: Path) -> None:
    service = ClaimGraph(arxiv_settings(tmp_path / "store", "http://127.0.0.1:9/unused"))
    service.ingestion.ingest([SEEDS / "000_9d9b0186167b53ff.txt"], link_paraphrases=False)
    summary = service.verification.verify()
    assert summary.pairs_scored == 0 and summary.verdicts["NOT_ENOUGH_INFO"] == summary.claims_selected
    assert all(c.verdict and c.verdict.decided_by == "no-evidence" for c in service.queries.claims())


UNRELATED_PAPER = {
    "arxiv_id": "2401.99999",
    "version": "v1",
    "title": "Coral reef recovery after marine heatwaves",
    "abstract": "Marine heatwaves bleach coral reefs across the tropics. We survey 120 reefs in the Pacific over a "
    "decade. Reefs with diverse fish communities recover faster after bleaching. Water quality explains half of the "
    "variation in recovery time.",
    "authors": ["A. Reef"],
    "categories": ["q-bio.PE"],
    "primary_category": "q-bio.PE",
    "published": "2024-01-02T00:00:00Z",
    "updated": "2024-01-02T00:00:00Z",
    "comment": None,
    "doi": None,
    "journal_ref": None,
    "pdf_url": "http://arxiv.org/pdf/2401.99999v1",
    "fetched_at": "2026-11-24T00:00:00Z",
}


def _unrelated_report(folder: Path) -> Path:
    """A report in the seeds' own layout about something else entirely, citing an unrelated paper."""
    seed = (SEEDS / "000_9d9b0186167b53ff.txt").read_text(encoding="utf-8")
    head = seed[: seed.index("Claim\tVerified\tConfidence")]
    text = (
        head.replace("Computational Efficiency", "Coral Reef Recovery")
        + "Claim\tVerified\tConfidence\n"
        + "Reefs with diverse fish communities recover faster after bleaching.\t✓\t0.20\n\n"
        + "## References\n\n- <http://arxiv.org/abs/2401.99999v1>\n"
    )
    path = folder / "900_unrelated.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_unrelated_reports_and_papers_leave_verdicts_alone(
    verified: tuple[ClaimGraph, VerifySummary], tmp_path: Path
) -> None:
    """With every paper as evidence (scope all), a new off-topic paper must not move any existing verdict."""
    service = copy_of(verified[0], tmp_path)
    service.verification.verify(scope="all")
    before = {c.key: c.verdict for c in service.queries.claims()}
    papers = tmp_path / "papers.jsonl"
    papers.write_text(json.dumps(UNRELATED_PAPER) + "\n", encoding="utf-8")
    assert service.papers.import_file(papers).imported == ["2401.99999"]
    assert service.ingestion.ingest([_unrelated_report(tmp_path)], link_paraphrases=False).files.ok
    after = service.verification.verify(scope="all")
    assert after.claims_selected == len(before) + 1
    assert (after.claims_verified, after.claims_unchanged) == (1, len(before))  # only the new claim is scored
    claims = service.queries.claims()
    # the summary counts every selected claim's verdict as stored now, the new claim's included
    assert after.verdicts == {
        label: sum(c.verdict is not None and c.verdict.verdict == label for c in claims) for label in after.verdicts
    }
    assert sum(after.verdicts.values()) == len(before) + 1
    for claim in claims:
        if claim.key in before:
            assert claim.verdict == before[claim.key], claim.text
        else:
            assert claim.verdict is not None and all(e.paper == "2401.99999" for e in claim.verdict.evidence)


def test_scope_all_draws_on_every_paper(verified: tuple[ClaimGraph, VerifySummary], tmp_path: Path) -> None:
    service = copy_of(verified[0], tmp_path)
    key = next(c.key for c in service.queries.claims() if XTREME_54 in c.text)
    summary = service.verification.verify(claim=key, scope="all")
    assert summary.claims_verified == 1  # a different evidence pool is a different evidence set
    verdict = service.queries.claim(key).verdict
    assert verdict is not None and verdict.scope == "all"


def test_conflicts_are_decided_verdicts_against_reports_never_abstentions(
    verified: tuple[ClaimGraph, VerifySummary],
) -> None:
    service, _ = verified
    conflicts = service.queries.conflicts()
    found = [c for c in conflicts if c.kind == "verifier_disagrees"]
    by_claim = {c.key: c for c in service.queries.claims()}
    expected = {
        k
        for k, c in by_claim.items()
        if c.verdict
        and c.verdict.verdict != "NOT_ENOUGH_INFO"
        and any(a.verified != (c.verdict.verdict == "SUPPORTED") for a in c.assertions)
    }
    assert {c.claims[0] for c in found} == expected
    for conflict in found:
        assert conflict.verdict in ("SUPPORTED", "REFUTED")
        assert conflict.verdict == by_claim[conflict.claims[0]].verdict.verdict  # type: ignore[union-attr]
    # ranked: most reports first, then the most confident mark
    assert [(-c.reports, -c.confidence) for c in conflicts] == sorted((-c.reports, -c.confidence) for c in conflicts)
    # every claim in a conflict is disputed; no NOT_ENOUGH_INFO claim is there for abstaining
    for conflict in conflicts:
        if conflict.kind != "paraphrase_disagree":
            assert by_claim[conflict.claims[0]].status == "disputed"


def test_cli_verify_explain_and_filter(verified: tuple[ClaimGraph, VerifySummary], tmp_path: Path) -> None:
    service = copy_of(verified[0], tmp_path)
    runner = CliRunner()
    base = ["--data-dir", str(service.settings.data_dir)]
    result = runner.invoke(app, [*base, "verify", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["pairs_scored"] == 0 and summary["claims_unchanged"] == 31
    for label, count in summary["verdicts"].items():
        listed = runner.invoke(app, [*base, "claims", "--verdict", label, "--json"])
        assert json.loads(listed.stdout)["count"] == count
    key = next(c.key for c in service.queries.claims() if XTREME_54 in c.text)
    shown = runner.invoke(app, [*base, "explain", key[:10]])
    assert shown.exit_code == 0, shown.output
    assert "numeric check: match" in shown.stdout and "2005.13013 #5" in shown.stdout
    assert "SUPPORTED" in shown.stdout and ".txt:" in shown.stdout
    missing = runner.invoke(app, [*base, "explain", "c_nope"])
    assert missing.exit_code != 0


def test_verdicts_migrate_to_falkordb_and_browser_queries_find_them(
    verified: tuple[ClaimGraph, VerifySummary], falkordb_server: FalkorServer
) -> None:
    """The verified graph copied into a real Cypher server: same verdicts, and the saved Browser queries see them."""
    from kg.store.cypher_store import CypherStore
    from tests.integration.test_docker import saved_queries

    service, _ = verified
    uri = falkordb_server.uri(f"verify_{uuid.uuid4().hex[:8]}")
    AdminService.migrate(service.settings.store_uri(), uri)
    on_falkor = ClaimGraph(service.settings.model_copy(update={"store": uri}))
    assert [c.model_dump() for c in on_falkor.queries.claims()] == [c.model_dump() for c in service.queries.claims()]
    queries = dict(saved_queries())
    with store_for(uri, read_only=True) as store:
        assert isinstance(store, CypherStore)
        evidence = store.executor.read(queries["Verifier evidence, as a graph (after `kg verify`)"], {})
        disagreeing = store.executor.read(queries["Where the verifier disagrees with a report"], {})
    with store_for(service.settings.store_uri(), read_only=True) as store:
        links = sum(1 for t in (RelType.SUPPORTED_BY, RelType.REFUTED_BY) for _ in store.iter_relationships(t))
    assert len(evidence) == links > 0
    expected = sum(
        a.verified != (c.verdict.verdict == "SUPPORTED")
        for c in service.queries.claims()
        if c.verdict
        for a in c.assertions
    )
    assert len(disagreeing) == expected


def test_readme_verify_examples_run(verified: tuple[ClaimGraph, VerifySummary], tmp_path: Path) -> None:
    import shlex

    from tests.conftest import REPO

    readme = (REPO / "docs" / "verifier.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Verifying claims") : readme.index("A verdict is reached in steps")]
    commands = [line.split("  #")[0].strip() for line in section.splitlines() if line.startswith("kg ")]
    assert len(commands) == 5
    service = copy_of(verified[0], tmp_path)
    for command in commands:
        args = [str(REPO / a) if a.startswith("examples/") else a for a in shlex.split(command)[1:]]
        result = CliRunner().invoke(app, ["--data-dir", str(service.settings.data_dir), *args])
        assert result.exit_code == 0, (command, result.output)
        assert result.stdout.strip(), command


def test_cli_verifier_eval_scores_a_claim_file(tmp_path: Path) -> None:
    """`kg verifier eval` on a user's own file: the whole verifier, its baselines, the table written."""
    claims = tmp_path / "claims.jsonl"
    rows = [
        {
            "claim": "Intermediate-task training improves XTREME by 5.4 points.",
            "evidence": [
                "Using our best intermediate-task models, we obtain a 5.4 point improvement on the XTREME benchmark.",
                "We study nine intermediate tasks.",
            ],
            "label": "SUPPORTED",
        },
        {
            "claim": "Coral reefs recover faster with diverse fish communities.",
            "evidence": "We adopt two widely used robust training methods. The code is public.",
            "label": "NEI",
        },
    ]
    claims.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    table = tmp_path / "scores.md"
    result = CliRunner().invoke(
        app, ["--data-dir", str(tmp_path / "store"), "verifier", "eval", str(claims), "--write", str(table), "--json"]
    )
    assert result.exit_code == 0, result.output
    results = json.loads(result.stdout)["results"]
    assert [r["system"].split(" ")[0] for r in results] == ["majority", "all-MiniLM-L6-v2", "claimgraph-nli-minilm-v2"]
    ours = results[-1]
    assert ours["claims"] == 2 and sum(map(sum, ours["confusion"])) == 2
    assert ours["confusion"][1][1] == 1  # the off-topic claim is not enough info
    assert ours["confusion"][0][0] == 1  # the numeric check supports the 5.4 claim
    assert table.read_text(encoding="utf-8").startswith("| dataset |")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"claim": "x", "evidence": [], "label": "perhaps"}\n', encoding="utf-8")
    from tests.integration.test_cli import kg

    failed = kg("verifier", "eval", str(bad), data_dir=tmp_path / "store", check=False)
    assert failed.returncode == 2 and "bad.jsonl:1: label 'perhaps'" in failed.stderr


def test_verifier_eval_decides_exactly_as_verify(verified: tuple[ClaimGraph, VerifySummary]) -> None:
    """The same claims with the same candidate sentences: the same verdicts and the same probabilities."""
    service, _ = verified
    settings = service.settings
    aggregator, _ = load_aggregator(settings.verify_aggregator, settings.nli_model)
    views = [c for c in service.queries.claims() if c.verdict is not None]
    with store_for(settings.store_uri(), read_only=True) as store:
        sources = EvidenceSources.read(store)
        sentences, papers_of_report, extracted = sources.sentences, sources.papers_of_report, sources.extracted
        extracted_of = {view.key: extracted.get(view.key, set()) for view in views}
        assert store.count_nodes(NodeLabel.VERDICT) == len(views)
    examples = []
    for view in views:
        papers = linked_papers([a.report for a in view.assertions], papers_of_report, extracted_of[view.key])
        pool = candidates(papers, sentences)
        examples.append(ClaimExample(view.text, tuple(c.sentence for c in pool), "NOT_ENOUGH_INFO", view.key))
    from kg.paraphrase.embeddings import embed

    prepared = prepare(
        examples,
        lambda texts: embed(texts, settings.embedding_model),
        load_nli_model(settings.nli_model),
        Gazetteer.load(),
        min_similarity=aggregator.min_similarity,
        top_k=settings.verify_top_k,
    )
    point = OperatingPoint.of(aggregator, settings.verify_min_precision)
    decided = 0
    for view, item in zip(views, prepared, strict=True):
        assert view.verdict is not None
        decision = decide_prepared(item, aggregator, point, settings.verify_top_k)
        assert decision.verdict == view.verdict.verdict, (view.text, decision.reason, view.verdict.reason)
        if view.verdict.probabilities:
            stored = view.verdict.probabilities
            assert abs(stored["SUPPORTED"] - decision.probabilities[0]) <= 1e-3
            assert abs(stored["REFUTED"] - decision.probabilities[2]) <= 1e-3
            decided += 1
    assert decided >= 10  # most seed claims reach the aggregator


def test_verdicts_do_not_depend_on_chunks_or_on_scoring_across_claims(
    verified: tuple[ClaimGraph, VerifySummary], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run in chunks of 4 claims, each claim scored alone, stores the verdicts and probabilities of the run in one
    chunk that scored every pair of every claim in one length-sorted call (the torch path is batch-invariant)."""
    from kg.verify import runner

    service, summary = verified
    service = copy_of(service, tmp_path)
    monkeypatch.setattr(runner, "CLAIMS_PER_CHUNK", 4)
    monkeypatch.setattr(runner, "batch_invariant", lambda scorer: False)
    again = service.verification.verify(force=True)
    assert (again.claims_verified, again.pairs_scored) == (summary.claims_verified, summary.pairs_scored)
    before = {c.key: c.verdict for c in verified[0].queries.claims()}
    for claim in service.queries.claims():
        old, new = before[claim.key], claim.verdict
        assert old is not None and new is not None
        assert (new.verdict, new.decided_by, new.probabilities) == (old.verdict, old.decided_by, old.probabilities)
        assert [(e.paper, e.index, e.entailment) for e in new.evidence] == [
            (e.paper, e.index, e.entailment) for e in old.evidence
        ]
