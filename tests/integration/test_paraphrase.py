"""Paraphrase linking: each gate in isolation (pure, hand-made vectors) and the seed result."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from claimgraph.services import ClaimGraph
from claimgraph.services.ingesting import IngestRun
from kg.extraction.gazetteer import Gazetteer
from kg.paraphrase.links import ClaimText, EmbeddingCache, ParaphraseConfig, ParaphraseLink, find_paraphrases
from kg.settings import Settings
from tests.conftest import SEEDS


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def pairs(claims: list[ClaimText], vectors: list[np.ndarray], gazetteer: Gazetteer) -> list[tuple[str, str]]:
    links = find_paraphrases(claims, np.stack(vectors), gazetteer, ParaphraseConfig())
    return [(link.a, link.b) for link in links]


def test_similar_texts_with_same_entities_are_linked(gazetteer: Gazetteer) -> None:
    claims = [
        ClaimText("a", "Most embedding alignment methods require additional supervision signals.", False),
        ClaimText("b", "Most approaches for embedding alignment require additional supervision signals.", False),
    ]
    assert pairs(claims, [unit(1, 0.1), unit(1, 0.2)], gazetteer) == [("a", "b")]


def test_low_cosine_is_not_linked(gazetteer: Gazetteer) -> None:
    claims = [
        ClaimText("a", "Same words here and there.", False),
        ClaimText("b", "Same words here and there!", False),
    ]
    assert pairs(claims, [unit(1, 0), unit(0, 1)], gazetteer) == []


def test_different_entities_block_a_link(gazetteer: Gazetteer) -> None:
    claims = [
        ClaimText("a", "XTREME and XGLUE provide benchmarks for zero-shot transfer.", False),
        ClaimText("b", "XTREME provides benchmarks for zero-shot transfer.", False),
    ]
    assert pairs(claims, [unit(1, 0.1), unit(1, 0.1)], gazetteer) == []


def test_different_numbers_block_a_link(gazetteer: Gazetteer) -> None:
    claims = [
        ClaimText("a", "Transfer performance improves by 2.1 points on XNLI.", False),
        ClaimText("b", "Transfer performance improves by 1.6 points on XNLI.", False),
    ]
    assert pairs(claims, [unit(1, 0.1), unit(1, 0.1)], gazetteer) == []


def test_low_token_overlap_blocks_a_link(gazetteer: Gazetteer) -> None:
    claims = [
        ClaimText("a", "Robust training remarkably improves generalized transfer.", False),
        ClaimText("b", "The study investigates nine intermediate tasks and their impact.", False),
    ]
    assert pairs(claims, [unit(1, 0.1), unit(1, 0.1)], gazetteer) == []


def test_truncated_side_may_lack_entities_cut_off(gazetteer: Gazetteer) -> None:
    full = ClaimText(
        "a", "Most approaches for alignment require supervision signals such as parallel data on XNLI.", False
    )
    cut = ClaimText("b", "Most approaches for alignment require supervision signals such as parallel dat", True)
    assert pairs([full, cut], [unit(1, 0.1), unit(1, 0.1)], gazetteer) == [("a", "b")]


def test_embedding_cache_embeds_each_text_once(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def fake_encoder(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.stack([unit(len(t), 1.0) for t in texts])

    cache = EmbeddingCache(tmp_path, "m")
    first = cache.lookup(["a", "bb"], fake_encoder)
    cache.save()
    again = EmbeddingCache(tmp_path, "m").lookup(["bb", "a", "ccc"], fake_encoder)
    assert calls == [["a", "bb"], ["ccc"]]
    np.testing.assert_allclose(again[1], first[0])


def test_seed_paraphrases_precision_and_recall(seeded_dir: Path) -> None:
    """The four true pairs of the seeds, and nothing else (precision 1, recall 1).

    Nothing else includes the brief's look-alikes, which score above one true pair on cosine.
    """
    service = ClaimGraph(Settings(data_dir=seeded_dir))
    texts = {c.key: c.text for c in service.queries.claims()}
    found = {frozenset((texts[r.start.key][:40], texts[r.end.key][:40])) for r in service.queries.paraphrases()}
    expected = {
        frozenset(("Evaluating our best performing models fo", "Evaluating the best performing models fo")),
        frozenset(("Multilingual BERT, XLM, and XLM-R are pr", "Multilingual BERT, XLM, and XLM-R are pr")),
        frozenset(("Most embedding alignment methods require", "Most approaches for embedding space alig")),
        frozenset(("Some research focuses on making the mode", "There is a line of research making the m")),
    }
    true_positives = found & expected
    precision = len(true_positives) / len(found)
    recall = len(true_positives) / len(expected)
    assert (precision, recall) == (1.0, 1.0), found ^ expected


def _pairs(service: ClaimGraph) -> set[tuple[str, str]]:
    return {(r.start.key, r.end.key) for r in service.queries.paraphrases()}


def test_incremental_pass_compares_only_new_claims_and_finds_the_full_pass_links(tmp_path: Path) -> None:
    """Seeds one report at a time: each pass embeds only that report's new claims, and the links at the end
    are exactly those of a full pass over every claim."""
    service = ClaimGraph(Settings(data_dir=tmp_path / "one-by-one"))
    indexed = []
    for seed in sorted(SEEDS.iterdir()):
        run = service.ingestion.ingest([seed])
        assert run.paraphrase is not None
        indexed.append((run.paraphrase.claims_indexed, run.files.outcomes[0].new_claims, run.paraphrase.full))
    assert indexed[0][2] is True and all(not full for _, _, full in indexed[1:])
    assert [count for count, _, _ in indexed] == [new for _, new, _ in indexed]  # nothing re-embedded
    again = service.ingestion.ingest(sorted(SEEDS.iterdir()))
    assert again.paraphrase is not None and again.paraphrase.claims_indexed == 0
    assert again.paraphrase_links is not None and not again.paraphrase_links.changed
    incremental = _pairs(service)
    assert len(incremental) == 4
    service.ingestion.link_paraphrases()  # the full pass
    assert _pairs(service) == incremental


def test_claims_ingested_without_the_pass_are_picked_up_by_the_next(tmp_path: Path) -> None:
    seeds = sorted(SEEDS.iterdir())
    service = ClaimGraph(Settings(data_dir=tmp_path / "store"))
    service.ingestion.ingest(seeds[:1])
    service.ingestion.ingest(seeds[1:], link_paraphrases=False)  # the index now misses these claims
    run = service.ingestion.ingest(seeds[:1])  # nothing new in this file: the pass must notice the gap
    assert run.paraphrase is not None and run.paraphrase.claims_indexed > 0
    assert len(_pairs(service)) == 4


def test_a_completed_truncated_claim_gets_its_links_recomputed(tmp_path: Path, gazetteer: Gazetteer) -> None:
    """A claim whose text grows (a full text completes a truncated one) is re-embedded; its stale links go."""
    from kg.paraphrase.index import ParaphraseIndex

    vectors = {
        "Most approaches for alignment require supervision signals such as parallel dat": unit(1, 0.1, 0),
        "Most approaches for alignment require supervision signals such as parallel data.": unit(1, 0.12, 0),
        "Most approaches for alignment require supervision signals such as parallel data on XNLI.": unit(0, 0, 1),
    }
    calls: list[list[str]] = []

    def encoder(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.stack([vectors[t] for t in texts])

    folder = tmp_path / "index"
    index = ParaphraseIndex(folder, ParaphraseConfig(), encoder, dim=3)
    cut, other, full = list(vectors)
    first = index.update([ClaimText("a", cut, True), ClaimText("b", other, False)], [], gazetteer)
    assert [(link.a, link.b) for link in first.links] == [("a", "b")]
    index.commit()
    index.close()
    reopened = ParaphraseIndex(folder, ParaphraseConfig(), encoder, dim=3)
    assert reopened.live_count == 2
    second = reopened.update([ClaimText("a", full, False)], [], gazetteer)
    assert second.changed == {"a"} and second.links == []  # the completed text points elsewhere now
    assert calls[-1] == [full]
    reopened.close()


def test_a_pass_in_steps_links_from_both_ends_once_every_claim_is_in(tmp_path: Path, gazetteer: Gazetteer) -> None:
    """Beside the encoder the pass adds claims in steps and links at the end. Under the neighbour cap a crowded
    later claim misses an earlier one that has it as its nearest: only the earlier claim's search finds the pair,
    so every claim of the pass searches, in blocks of any size, each pair judged once."""
    from kg.paraphrase.index import ParaphraseIndex

    earlier = ClaimText("x", "mBERT improves cross-lingual transfer on XNLI by aligning embeddings.", False)
    later = ClaimText("y", "mBERT improves cross-lingual transfer on XNLI by aligning the embeddings.", False)
    crowd = [ClaimText(f"z{i}", f"A claim about {name} alone.", False) for i, name in enumerate(["PAWS-X", "MLQA"])]
    vectors = {
        earlier.text: unit(1, 0, 0),
        later.text: unit(0.8, 0.6, 0),  # cosine 0.8 with the earlier claim
        crowd[0].text: unit(0.6, 0.8, 0.05),  # ~0.99 with the later claim, 0.6 with the earlier
        crowd[1].text: unit(0.6, 0.8, -0.05),
    }
    index = ParaphraseIndex(
        tmp_path, ParaphraseConfig(max_neighbours=2), lambda texts: np.stack([vectors[t] for t in texts]), dim=3
    )
    steps = [index.add([earlier], []), index.add([later, *crowd], [])]
    assert [step.rows for step in steps] == [range(0, 1), range(1, 4)]
    assert all(step.links == [] for step in steps)
    assert index.link(range(1, 4), gazetteer) == []  # the later claim's 2 nearest are the crowd
    whole = index.link(range(0, 4), gazetteer)
    assert [(link.a, link.b) for link in whole] == [("x", "y")]
    judged: list[int] = []
    judge = index._judge

    def counting(me: np.ndarray, *rest: Any) -> list[ParaphraseLink]:
        judged.append(len(me))
        return judge(me, *rest)

    index._judge = counting  # type: ignore[method-assign]
    pairs_judged = {}
    for size in (1, 2, 3, 4):
        judged.clear()
        assert index.link(range(0, 4), gazetteer, block=size) == whole
        pairs_judged[size] = sum(judged)
    # one block judges each pair hit once (first_hit_of_each_pair); smaller blocks must not judge any twice
    assert pairs_judged[1] > 1 and set(pairs_judged.values()) == {pairs_judged[4]}
    assert index.add([earlier, later], []).rows == range(4, 4)  # unchanged claims are not indexed again
    index.close()


def test_hnsw_candidates_find_every_pair_the_exact_search_finds() -> None:
    """Above the exact-search size the pairs come from HNSW: on clustered vectors it misses none."""
    from kg.paraphrase.ann import EXACT_BELOW, pairs_within

    rng = np.random.default_rng(3)
    centres = rng.normal(size=(EXACT_BELOW // 4, 48)).astype(np.float32)
    points = centres[rng.integers(0, len(centres), EXACT_BELOW + 500)] + rng.normal(
        scale=0.25, size=(EXACT_BELOW + 500, 48)
    ).astype(np.float32)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    sims = points @ points.T
    exact = {(int(i), int(j)) for i, j in zip(*np.nonzero(np.triu(sims >= 0.9, k=1)), strict=True)}
    found = {(i, j) for i, j, _ in pairs_within(points, 0.9)}
    assert len(exact) > 1000
    assert found == exact


def test_a_deleted_report_leaves_the_index_with_its_claims(tmp_path: Path) -> None:
    """Deleting a report retires the claims only it held, so a later pass never links to a claim that is gone
    (a delete and an add of the same size would hide the gap from the count check)."""
    seeds = sorted(SEEDS.iterdir())
    service = ClaimGraph(Settings(data_dir=tmp_path / "store"))
    service.ingestion.ingest(seeds[:4])
    report = next(o.report for o in service.ingestion.ingest(seeds[3:4]).files.outcomes)
    assert report is not None
    before = service.queries.stats().nodes["Claim"]
    service.admin.delete_report(report)
    after = service.queries.stats().nodes["Claim"]
    index = service.workspace.paraphrase_index()
    assert after < before and index.live_count == after  # the deleted claims are no longer candidates
    index.close()
    run = service.ingestion.ingest(seeds[3:])
    assert run.files.ok and run.paraphrase is not None and not run.paraphrase.full
    incremental = _pairs(service)
    service.ingestion.link_paraphrases()
    assert _pairs(service) == incremental and len(incremental) == 4


def test_encoding_ahead_child_fills_the_embedding_cache_with_the_models_vectors(tmp_path: Path) -> None:
    """The child process (kg.paraphrase.encode_ahead) embeds what it is sent into the store's cache, the same vectors
    the model gives in this process, and exits 0 once told the writer is done; a text that a later report
    replaced is not encoded after that."""
    from kg.paraphrase.embeddings import embed
    from kg.paraphrase.encode_ahead import EncodeAhead

    model = Settings().embedding_model
    texts = [f"Cross-lingual transfer on XNLI improves by {n} points with {m}." for n in range(5) for m in "AB"]
    claims = {f"c{i}": text for i, text in enumerate(texts)}
    replaced = claims["c0"]
    claims["c0"] = "Cross-lingual transfer on XNLI improves by 0 points with A and B."
    encoder = EncodeAhead(tmp_path, model)
    encoder.submit({"c0": replaced, "c1": texts[1], "c2": texts[2], "c3": texts[3]})
    encoder.submit(dict(list(claims.items())[2:]))  # two of them again, as a later report that repeats a claim
    encoder.submit({"c0": claims["c0"]})  # and a later report rewrites c0
    assert encoder.superseded == {replaced}
    assert encoder.finish() == 0
    assert encoder.submitted == len(texts) + 1  # each text went over once

    def must_not_embed(missing: list[str]) -> np.ndarray:
        raise AssertionError(f"{len(missing)} texts were not encoded ahead")

    current = list(claims.values())
    cached = EmbeddingCache(tmp_path, model)
    np.testing.assert_allclose(cached.lookup(current, must_not_embed), embed(current, model), atol=1e-5)
    # everything was sent before the child had loaded its model, so all of it waited for the tail, which skips
    # the superseded text
    assert cached.missing([replaced]) == [replaced]


def test_an_ingest_that_encodes_ahead_links_exactly_as_one_that_does_not(tmp_path: Path) -> None:
    seeds = sorted(SEEDS.iterdir())
    ahead = ClaimGraph(Settings(data_dir=tmp_path / "ahead", encode_ahead_from=1, ingest_group_size=1))
    plain = ClaimGraph(Settings(data_dir=tmp_path / "plain", encode_ahead_from=0))
    runs = [service.ingestion.ingest(seeds) for service in (ahead, plain)]
    assert all(run.files.ok for run in runs)
    assert _pairs(ahead) == _pairs(plain) and len(_pairs(ahead)) == 4


def test_a_few_files_into_a_large_store_are_encoded_ahead_and_link_the_same(tmp_path: Path) -> None:
    seeds = sorted(SEEDS.iterdir())
    runs: dict[str, list[IngestRun]] = {}
    services: dict[str, ClaimGraph] = {}
    for name, large_from in (("ahead", 1), ("plain", 0)):  # "large": a store of one claim, here
        settings = Settings(data_dir=tmp_path / name, encode_ahead_from=10_000, encode_ahead_store_claims=large_from)
        services[name] = ClaimGraph(settings)
        runs[name] = [services[name].ingestion.ingest(part) for part in (seeds[:3], seeds[3:])]
    passes = {name: [run.paraphrase for run in pair] for name, pair in runs.items()}
    assert all(p is not None for pair in passes.values() for p in pair)
    ahead_first, ahead_then = passes["ahead"]
    assert ahead_first is not None and ahead_first.encoded_ahead == 0  # an empty store: nothing to hide the load behind
    assert ahead_then is not None and ahead_then.encoded_ahead > 0
    assert all(p is not None and p.encoded_ahead == 0 for p in passes["plain"])
    assert _pairs(services["ahead"]) == _pairs(services["plain"]) and len(_pairs(services["plain"])) == 4


def test_a_pass_beside_the_encoder_links_the_same_in_many_small_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Steps of three claims: pairs split across steps are found by the later claim's search alone."""
    from claimgraph.services import ingesting

    monkeypatch.setattr(ingesting, "PASS_CHUNK", 3)
    seeds = sorted(SEEDS.iterdir())
    stepped = ClaimGraph(Settings(data_dir=tmp_path / "stepped", encode_ahead_from=1))
    plain = ClaimGraph(Settings(data_dir=tmp_path / "plain", encode_ahead_from=0))
    runs = [service.ingestion.ingest(seeds) for service in (stepped, plain)]
    assert all(run.files.ok for run in runs)
    stepped_pass = runs[0].paraphrase
    assert stepped_pass is not None and stepped_pass.full and stepped_pass.claims_indexed > 3 * 2
    assert _pairs(stepped) == _pairs(plain) and len(_pairs(stepped)) == 4


def test_an_ingest_writes_and_links_without_full_collections_and_restores_the_collector(tmp_path: Path) -> None:
    import gc

    from kg.heap import NO_FULL_COLLECTION

    before = gc.get_threshold()
    during: list[int] = []
    service = ClaimGraph(Settings(data_dir=tmp_path))
    embed = service.workspace.embed_cached

    def embed_seen(texts: list[str]) -> Any:  # the pass's embedding calls: they run after the writer
        during.append(gc.get_threshold()[2])
        return embed(texts)

    service.workspace.embed_cached = embed_seen  # type: ignore[method-assign]
    seeds = sorted(SEEDS.glob("*"))
    run = service.ingestion.ingest(seeds, on_file=lambda path, outcome: during.append(gc.get_threshold()[2]))
    assert run.files.ok and run.paraphrase is not None and run.paraphrase.links.relationships_created > 0
    assert len(during) > len(seeds)  # every file, and the pass
    assert set(during) == {NO_FULL_COLLECTION}
    assert gc.get_threshold() == before


@pytest.mark.parametrize(("approximate", "exact", "linked"), [(0.748, 0.752, True), (0.752, 0.748, False)])
def test_a_pair_near_the_threshold_is_decided_by_its_fp32_cosine(
    tmp_path: Path, gazetteer: Gazetteer, approximate: float, exact: float, linked: bool
) -> None:
    """bf16 vectors move a cosine by up to 0.004: within the recheck band the fp32 vectors decide, so the links
    are fp32's. Outside the band the searched vectors decide alone (the exact ones are never asked for)."""
    from kg.paraphrase.index import ParaphraseIndex

    one = ClaimText("p", "mBERT improves cross-lingual transfer on XNLI by aligning embeddings.", False)
    two = ClaimText("q", "mBERT improves cross-lingual transfer on XNLI by aligning the embeddings.", False)

    def at_cosine(cosine: float) -> Callable[[list[str]], np.ndarray]:
        vectors = {one.text: unit(1, 0, 0), two.text: unit(cosine, float(np.sqrt(1 - cosine**2)), 0)}
        return lambda texts: np.stack([vectors[t] for t in texts])

    asked: list[list[str]] = []
    exact_fn = at_cosine(exact)
    config = ParaphraseConfig(recheck_band=0.005)
    index = ParaphraseIndex(
        tmp_path, config, at_cosine(approximate), dim=3, exact=lambda t: asked.append(t) or exact_fn(t)
    )
    links = index.update([one, two], [], gazetteer).links
    assert [(link.a, link.b) for link in links] == ([("p", "q")] if linked else [])
    assert asked and all(round(link.cosine, 3) == exact for link in links)
    far = ParaphraseIndex(tmp_path / "far", config, at_cosine(0.9), dim=3, exact=lambda t: asked.append(t) or t)
    asked.clear()
    assert len(far.update([one, two], [], gazetteer).links) == 1 and asked == []
    plain = ParaphraseIndex(tmp_path / "plain", ParaphraseConfig(), at_cosine(approximate), dim=3, exact=exact_fn)
    assert len(plain.update([one, two], [], gazetteer).links) == (approximate >= 0.75)
