"""The verifier's pure parts: aggregation and thresholds, the numeric check, evidence ranking and fingerprints."""

from __future__ import annotations

import numpy as np
import pytest

from kg.extraction.entities import extract
from kg.extraction.gazetteer import Gazetteer
from kg.verify.aggregate import VERDICTS, Aggregator, CurvePoint, OperatingPoint, agrees, decide, decide_numeric
from kg.verify.evidence import Candidate, candidates, evidence_hash, linked_papers, rank
from kg.verify.numeric import NO_NUMBERS, NumberedSentence, NumericCheck, check_numbers

POINT = OperatingPoint(min_precision=0.85, support=0.6, refute=0.7)


def probs(*rows: tuple[float, float, float]) -> np.ndarray:
    return np.array(rows, dtype=np.float32).reshape(-1, 3)


@pytest.mark.parametrize(
    ("p", "verdict", "reason_part"),
    [
        ((0.8, 0.15, 0.05), "SUPPORTED", "P(supported) 0.80 ≥ 0.60"),
        ((0.6, 0.2, 0.2), "SUPPORTED", "≥ 0.60"),  # the operating point itself counts
        ((0.59, 0.2, 0.21), "NOT_ENOUGH_INFO", "abstained: P(supported) 0.59 is below 0.60"),
        ((0.5978, 0.2, 0.2022), "NOT_ENOUGH_INFO", "P(supported) 0.598 is below 0.600"),  # never "0.60 below 0.60"
        ((0.1, 0.15, 0.75), "REFUTED", "P(refuted) 0.75 ≥ 0.70"),
        ((0.2, 0.7, 0.1), "NOT_ENOUGH_INFO", "does not decide"),
        ((0.45, 0.1, 0.45), "NOT_ENOUGH_INFO", "abstained"),  # a tie is not a verdict
    ],
)
def test_decide_at_the_operating_point(p: tuple[float, float, float], verdict: str, reason_part: str) -> None:
    decision = decide(np.array(p), POINT)
    assert (decision.verdict, decision.decided_by) == (verdict, "nli")
    assert reason_part in decision.reason
    assert decision.score == pytest.approx(p[VERDICTS.index(decision.verdict)])
    assert decision.probabilities == pytest.approx(p)


def test_numbers_decide_before_nli() -> None:
    match = decide_numeric(NumericCheck("match", "claim 5.4 on XTREME", "p", 1), 0.9)
    assert match is not None and (match.verdict, match.decided_by, match.score) == ("SUPPORTED", "numeric", 0.9)
    mismatch = decide_numeric(NumericCheck("mismatch", "…", "p", 1), 0.9)
    assert mismatch is not None and (mismatch.verdict, mismatch.decided_by) == ("REFUTED", "numeric")
    assert decide_numeric(NO_NUMBERS, 0.9) is None


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


def test_operating_point_reads_the_precision_curve() -> None:
    curve = [CurvePoint(0.5, 0.70, 0.9, 100), CurvePoint(0.6, 0.86, 0.7, 60), CurvePoint(0.7, 0.95, 0.4, 10)]
    aggregator = Aggregator(
        features=(),
        mean=np.zeros(0),
        scale=np.ones(0),
        coef=np.zeros((3, 0)),
        intercept=np.zeros(3),
        min_similarity=0.3,
        curves={"SUPPORTED": curve, "REFUTED": curve},
    )
    assert aggregator.threshold("SUPPORTED", 0.85) == 0.6
    assert aggregator.threshold("SUPPORTED", 0.5) == 0.5
    # 0.95 is reached only on 10 claims: too few to be measured, so SUPPORTED is never said
    assert aggregator.threshold("SUPPORTED", 0.9) > 1.0
    assert OperatingPoint.of(aggregator, 0.9).support > 1.0


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
