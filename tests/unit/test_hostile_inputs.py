"""Inputs built to crash or stall the parsers: each is a file:line:reason, none is a traceback or a hang."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ingest.claims_jsonl import parse_claims_jsonl
from ingest.jsonlines import MAX_DEPTH, json_lines
from ingest.papers_jsonl import parse_papers_jsonl
from ingest.report_parser import MAX_CLAIM_CHARS, parse_report
from kg.errors import ParseError
from kg.extraction.text import MAX_LINE_CHARS, normalise_controls, split_lines
from kg.graph.identity import ClaimIndex, KnownClaim
from tests.unit.test_report_parser import make_report

GOOD = '{"text": "XLM-R improves on XNLI.", "verified": true, "confidence": 0.5, "report": "r1"}'


def _issues(call: object, *args: object) -> list[str]:
    with pytest.raises(ParseError) as caught:
        call(*args)  # type: ignore[operator]
    return [str(i) for i in caught.value.issues]


def test_a_huge_claim_is_resolved_in_linear_time() -> None:
    index = ClaimIndex([KnownClaim("c1", "The cross-lingual transfer performance improves by 1.6 points on XN", True)])
    start = time.perf_counter()
    index.resolve("x" * 200_000 + ".")
    assert time.perf_counter() - start < 1.0  # it took ~5 s when every prefix was built
    assert index.resolve("The cross-lingual transfer performance improves by 1.6 points on XNLI.").key == "c1"


def test_an_overlong_claim_and_an_overlong_line_are_parse_errors() -> None:
    long_claim = "A" * (MAX_CLAIM_CHARS + 1) + "."
    issues = _issues(parse_report, make_report([f"{long_claim}\t✓\t0.5"]), "r.txt")
    assert any("r.txt:" in i and f"claim is {MAX_CLAIM_CHARS + 2:,} characters long" in i for i in issues), issues
    issues = _issues(parse_report, make_report(["Fine claim.\t✓\t0.5"], extra="z" * (MAX_LINE_CHARS + 1)), "r.txt")
    assert any("characters long (at most" in i for i in issues), issues


def test_a_5000_digit_count_is_not_read_as_a_count() -> None:
    text = make_report(["Fine claim.\t✓\t0.5"]).replace("7 papers retrieved", "9" * 5000 + " papers retrieved")
    report = parse_report(text, "r.txt")
    assert report.papers_retrieved is None and len(report.rows) == 1


def test_claims_split_only_on_real_line_breaks_and_control_characters_are_normalised() -> None:
    assert split_lines("a\u2028b\x0bc\x0cd\x1ce\x85f\nnext\r\nlast\r") == [
        "a\u2028b\x0bc\x0cd\x1ce\x85f",
        "next",
        "last",
    ]
    assert normalise_controls("x\x00y\x85z\u2028w\ud800") == "x y z w\ufffd"
    text = normalise_controls(make_report(["One claim\u2028with a separator and a NUL\x00 inside.\t✓\t0.5"]))
    [row] = parse_report(text, "r.txt").rows
    assert row.text == "One claim with a separator and a NUL inside."


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"text": "A claim.", "verified": true, "confidence": NaN, "report": "r1"}', "NaN is not a JSON number"),
        ('{"text": "A claim.", "verified": true, "confidence": 1e999, "report": "r1"}', "confidence"),
        ('{"text": "A claim.", "verified": true, "confidence": ' + "9" * 5000 + ', "report": "r1"}', "digits"),
        ("[" * 100_000 + "]" * 100_000, "characters long"),
        ("[" * 20_000 + "]" * 20_000, f"nested deeper than {MAX_DEPTH} levels"),
    ],
    ids=["nan", "huge", "5000-digits", "100k-deep", "20k-deep"],
)
def test_hostile_jsonl_lines_are_reasons_with_line_numbers(line: str, reason: str) -> None:
    issues = _issues(parse_claims_jsonl, f"{GOOD}\n{line}\n", "claims.jsonl")
    assert issues and all(i.startswith("claims.jsonl:2:") for i in issues), issues
    assert any(reason in i for i in issues), issues


def test_jsonl_strings_come_back_normalised() -> None:
    line = '{"text": "A claim\\u0000 with NUL and \\ud800 a lone surrogate.", "verified": true, "confidence": 0.5, "report": "r1"}'
    [(_, record)] = parse_claims_jsonl(line, "c.jsonl")
    assert record.text == "A claim  with NUL and \ufffd a lone surrogate."
    items = list(json_lines('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', "x.jsonl"))
    assert items == [(1, {"a": "[" * 41})]  # brackets inside strings are not nesting


def test_paper_records_with_a_100k_character_id_do_not_reach_the_file_system() -> None:
    from ingest.arxiv_source import PaperCache

    record = '{"arxiv_id": "' + "a" * 100_000 + '/1234567", "title": "T", "version": "v1"}'
    issues = _issues(parse_papers_jsonl, record, "p.jsonl")
    assert issues[0].startswith("p.jsonl:1:")
    cache = PaperCache(Path("/nonexistent/cache"))  # constructing touches no file
    assert len(cache._path("a" * 100_000 + "/1234567").name) < 64  # hashed: no "file name too long"
    assert (
        cache._path("2104.08645").name == "2104.08645.json"
        and cache._path("hep-th/9901001v2").name == "hep-th_9901001v2.json"
    )
