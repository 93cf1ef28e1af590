"""The verifier's pure parts: aggregation and thresholds, the numeric check, evidence ranking and fingerprints."""

from __future__ import annotations

import numpy as np
import pytest

from kg.extraction import extract
from kg.gazetteer import Gazetteer
from kg.verify.aggregate import Thresholds, agrees, decide
from kg.verify.calibrate import VERDICT_INDEX, choose_thresholds, predictions, stratified_sample
from kg.verify.evidence import Candidate, candidates, evidence_hash, linked_papers, rank
from kg.verify.numeric import NO_NUMBERS, NumberedSentence, NumericCheck, check_numbers

T = Thresholds(support=0.5, refute=0.6, numeric_score=0.9)


def probs(*rows: tuple[float, float, float]) -> np.ndarray:
    return np.array(rows, dtype=np.float32).reshape(-1, 3)


@pytest.mark.parametrize(
    ("rows", "verdict", "score"),
    [
        ([(0.7, 0.2, 0.1), (0.1, 0.8, 0.1)], "SUPPORTED", 0.7),  # one entailing sentence is enough
        ([(0.5, 0.4, 0.1)], "SUPPORTED", 0.5),  # the threshold itself counts
        ([(0.49, 0.5, 0.01)], "NOT_ENOUGH_INFO", 0.51),  # just under: 1 - max(E, C)
        ([(0.1, 0.2, 0.7), (0.3, 0.6, 0.1)], "REFUTED", 0.7),
        ([(0.55, 0.0, 0.45), (0.0, 0.3, 0.7)], "REFUTED", 0.7),  # contradiction stronger than entailment wins
        ([(0.2, 0.25, 0.55)], "NOT_ENOUGH_INFO", 0.45),  # contradiction under its own threshold
        ([(0.2, 0.6, 0.2), (0.1, 0.8, 0.1)], "NOT_ENOUGH_INFO", 0.8),
    ],
)
def test_decide_by_nli(rows: list[tuple[float, float, float]], verdict: str, score: float) -> None:
    decision = decide(probs(*rows), NO_NUMBERS, T)
    assert (decision.verdict, decision.decided_by) == (verdict, "nli")
    assert decision.score == pytest.approx(score, abs=1e-6)


def test_no_evidence_is_not_enough_info() -> None:
    decision = decide(probs(), NO_NUMBERS, T)
    assert (decision.verdict, decision.decided_by, decision.score) == ("NOT_ENOUGH_INFO", "no-evidence", 1.0)


def test_numbers_decide_before_nli() -> None:
    refuting_text = probs((0.05, 0.05, 0.9))
    match = decide(refuting_text, NumericCheck("match", "…", "p", 1), T)
    assert (match.verdict, match.decided_by, match.score) == ("SUPPORTED", "numeric", 0.9)
    entailing_text = probs((0.95, 0.03, 0.02))
    mismatch = decide(entailing_text, NumericCheck("mismatch", "…", "p", 1), T)
    assert (mismatch.verdict, mismatch.decided_by, mismatch.score) == ("REFUTED", "numeric", 0.9)
    assert decide(probs((0.97, 0.02, 0.01)), NumericCheck("match"), T).score == pytest.approx(0.97)


@pytest.mark.parametrize(
    ("verified", "verdict", "expected"),
    [
        (True, "SUPPORTED", True),
        (True, "REFUTED", False),
        (True, "NOT_ENOUGH_INFO", False),
        (False, "SUPPORTED", False),
        (False, "REFUTED", True),
        (False, "NOT_ENOUGH_INFO", True),
    ],
)
def test_agreement_rule(verified: bool, verdict: str, expected: bool) -> None:
    assert agrees(verified, verdict) is expected  # type: ignore[arg-type]


def test_shipped_thresholds_are_calibrated_values() -> None:
    shipped = Thresholds.load()
    assert 0.3 <= shipped.support <= 0.95 and 0.3 <= shipped.refute <= 0.95
    from kg.verify.aggregate import THRESHOLDS_FILE

    assert "Development data" in THRESHOLDS_FILE.read_text(encoding="utf-8")  # written by calibrate, with provenance


def test_choose_thresholds_finds_the_separating_pair() -> None:
    rng = np.random.default_rng(0)
    rows, gold = [], []
    for _ in range(60):  # SUPPORTED: entailment 0.62–0.9
        e = rng.uniform(0.62, 0.9)
        rows.append((e, 1 - e, 0.0))
        gold.append(VERDICT_INDEX["SUPPORTED"])
    for _ in range(60):  # NEI: entailment around 0.45, contradiction around 0.4
        rows.append((0.45, 0.15, 0.40))
        gold.append(VERDICT_INDEX["NOT_ENOUGH_INFO"])
    for _ in range(60):  # REFUTED: contradiction 0.72–0.95
        c = rng.uniform(0.72, 0.95)
        rows.append((0.0, 1 - c, c))
        gold.append(VERDICT_INDEX["REFUTED"])
    p = np.array(rows, dtype=np.float32)
    calibration = choose_thresholds(p, gold)
    assert calibration.macro_f1 == pytest.approx(1.0)
    assert 0.45 < calibration.thresholds.support <= 0.62
    assert 0.40 < calibration.thresholds.refute <= 0.72
    assert calibration.argmax_macro_f1 < 1.0  # argmax calls the NEI rows SUPPORTED
    assert predictions(p, calibration.thresholds) == gold


def test_stratified_sample_is_balanced_and_deterministic() -> None:
    from kg.nli.data import NLIPair

    pairs = [NLIPair(f"p{i}", "h", label, "x") for i, label in enumerate(["entailment"] * 50 + ["neutral"] * 10)]
    sample = stratified_sample(pairs, 20)
    assert sorted(p.label for p in sample).count("neutral") == 10
    assert sample == stratified_sample(pairs, 20)


# -- numeric check --------------------------------------------------------------------

XTREME_CLAIM = "Evaluating our best performing models for each target task on the XTREME benchmark yields an average improvement of 5.4"
XTREME_SENTENCE = (
    "Using our best intermediate-task models for each target task, we obtain a 5.4 point improvement over "
    "XLM-R Large on the XTREME benchmark, setting the state of the art as of June 2020."
)


def numbered(text: str, gazetteer: Gazetteer, paper: str = "2005.13013", index: int = 5) -> NumberedSentence:
    return NumberedSentence(paper, index, extract(text, gazetteer).results)


def test_numeric_match_from_the_fixtures(gazetteer: Gazetteer) -> None:
    claim = extract(XTREME_CLAIM, gazetteer).results
    check = check_numbers(
        claim, [numbered("An unrelated sentence.", gazetteer, index=0), numbered(XTREME_SENTENCE, gazetteer)]
    )
    assert (check.status, check.paper, check.index) == ("match", "2005.13013", 5)
    assert check.detail is not None and "5.4" in check.detail and "XTREME" in check.detail


def test_numeric_mismatch(gazetteer: Gazetteer) -> None:
    claim = extract(XTREME_CLAIM.replace("5.4", "6.1"), gazetteer).results
    check = check_numbers(claim, [numbered(XTREME_SENTENCE, gazetteer)])
    assert (check.status, check.index) == ("mismatch", 5)
    assert check.detail is not None and "6.1" in check.detail and "5.4" in check.detail


def test_numeric_other_benchmark_or_kind_is_ignored(gazetteer: Gazetteer) -> None:
    other_benchmark = extract("The model improves by 5.4 points on XNLI.", gazetteer).results
    assert check_numbers(other_benchmark, [numbered(XTREME_SENTENCE, gazetteer)]) == NO_NUMBERS
    absolute = extract("The model reaches 6.1 points on the XTREME benchmark.", gazetteer).results
    assert absolute and absolute[0].kind == "absolute"
    assert check_numbers(absolute, [numbered(XTREME_SENTENCE, gazetteer)]) == NO_NUMBERS
    assert check_numbers([], [numbered(XTREME_SENTENCE, gazetteer)]) == NO_NUMBERS


def test_a_mismatch_outweighs_a_match(gazetteer: Gazetteer) -> None:
    claim = extract("It improves by 5.4 points on XTREME and by 2.0 points on XNLI.", gazetteer).results
    evidence = [
        numbered(XTREME_SENTENCE, gazetteer),
        numbered("Gains reach 3.5 points on XNLI.", gazetteer, index=2),
    ]
    assert check_numbers(claim, evidence).status == "mismatch"


# -- evidence -------------------------------------------------------------------------


def test_linked_papers_and_candidates() -> None:
    papers_of_report = {"r1": {"p1", "p2"}, "r2": {"p3"}}
    assert linked_papers(["r1"], papers_of_report, ["p9"]) == {"p1", "p2", "p9"}
    pool = candidates({"p2", "p1", "p4"}, {"p1": ["a", "b"], "p2": ["c"], "p4": []})
    assert pool == [Candidate("p1", 0, "a"), Candidate("p1", 1, "b"), Candidate("p2", 0, "c")]


def test_rank_keeps_top_k_and_forced_addresses() -> None:
    pool = [Candidate("p", i, f"s{i}") for i in range(4)]
    vectors = np.eye(4, dtype=np.float32)
    claim = np.array([0.1, 0.9, 0.5, 0.0], dtype=np.float32)
    ranked = rank(claim, pool, vectors, k=2)
    assert [e.candidate.index for e in ranked] == [1, 2]
    forced = rank(claim, pool, vectors, k=2, always=[("p", 3)])
    assert [e.candidate.index for e in forced] == [1, 2, 3]
    assert rank(claim, [], vectors[:0], k=2) == []


def test_evidence_hash_changes_only_with_its_inputs() -> None:
    pool = [Candidate("p", 0, "a sentence")]
    ranked = rank(np.ones(1, dtype=np.float32), pool, np.ones((1, 1), dtype=np.float32), k=5)
    base = evidence_hash("claim", ranked, "model|abc|torch", "cfg")
    assert base == evidence_hash("claim", ranked, "model|abc|torch", "cfg")
    assert base != evidence_hash("claim", ranked, "model|abd|torch", "cfg")
    assert base != evidence_hash("claim", [], "model|abc|torch", "cfg")
    assert base != evidence_hash("claim.", ranked, "model|abc|torch", "cfg")
    assert base != evidence_hash("claim", ranked, "model|abc|torch", "cfg2")
