"""The .jsonl claim format: validated against the exported JSON Schema, every error named."""

from __future__ import annotations

import json

import pytest

from ingest.claims_jsonl import parse_claims_jsonl
from kg.errors import ParseError
from schemas.export import SCHEMA_DIR, json_schemas, render

GOOD = {
    "text": "XLM-R gains 2 points on XNLI.",
    "verified": True,
    "confidence": 0.4,
    "papers": ["2104.08645v2"],
}


def test_valid_records_keep_their_line_numbers() -> None:
    text = json.dumps(GOOD) + "\n\n" + json.dumps({**GOOD, "report": "r1", "papers": []}) + "\n"
    records = parse_claims_jsonl(text, "c.jsonl")
    assert [(line, r.report) for line, r in records] == [(1, None), (3, "r1")]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({**GOOD, "confidence": 2}, "confidence: 2 is greater than the maximum of 1.0"),
        ({**GOOD, "verified": "yes"}, "verified: 'yes' is not of type 'boolean'"),
        ({**GOOD, "papers": ["nope"]}, "papers.0: 'nope' does not match"),
        ({**GOOD, "colour": "red"}, "Additional properties are not allowed ('colour' was unexpected)"),
        ({"text": "x", "verified": True, "confidence": 0.1}, "a claim needs a source"),
        ({k: v for k, v in GOOD.items() if k != "text"}, "'text' is a required property"),
        ({**GOOD, "text": "..."}, "text: claim has no words: '...'"),
    ],
)
def test_each_invalid_record_is_named(record: dict[str, object], reason: str) -> None:
    text = json.dumps(GOOD) + "\n" + json.dumps(record) + "\n"
    with pytest.raises(ParseError) as caught:
        parse_claims_jsonl(text, "c.jsonl")
    assert any(str(issue).startswith("c.jsonl:2: ") and reason in str(issue) for issue in caught.value.issues)


def test_broken_json_and_empty_file() -> None:
    with pytest.raises(ParseError, match=r"c.jsonl:1: not valid JSON"):
        parse_claims_jsonl("{oops\n", "c.jsonl")
    with pytest.raises(ParseError, match="holds no claim records"):
        parse_claims_jsonl("\n\n", "c.jsonl")


def test_exported_json_schemas_are_up_to_date() -> None:
    for name, schema in json_schemas().items():
        committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
        assert committed == render(schema), f"{name} is stale: run `python -m schemas.export`"


def test_a_file_of_thousands_of_bad_lines_lists_the_first_ones_and_counts_the_rest() -> None:
    """A 100,000-line file missing a field printed 200,000 error lines; now 200 and one that counts the rest."""
    from ingest.claims_jsonl import MAX_REPORTED_ISSUES

    bad = {k: v for k, v in GOOD.items() if k != "confidence"}
    lines = [json.dumps(GOOD)] + [json.dumps(bad)] * 1_000
    with pytest.raises(ParseError) as caught:
        parse_claims_jsonl("\n".join(lines), "c.jsonl")
    issues = caught.value.issues
    assert len(issues) == MAX_REPORTED_ISSUES + 1
    assert str(issues[0]) == "c.jsonl:2: 'confidence' is a required property"
    assert str(issues[-1]) == (
        f"c.jsonl:{MAX_REPORTED_ISSUES + 1}: and {1_000 - MAX_REPORTED_ISSUES:,} more problems after this line (not listed)"
    )


def test_the_key_of_a_claim_file_is_the_one_it_had_before_streaming() -> None:
    """Files ingested before keep their Report: the key hashes the same JSON list, fed one record at a time."""
    from ingest.claims_jsonl import check_claims_jsonl
    from kg.extraction.text import stable_key

    records = [GOOD, {**GOOD, "text": 'Ünïcode — claim \\ with "quotes"', "report": "r"}]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    dumped = [r.model_dump(mode="json") for _, r in parse_claims_jsonl(text, "c.jsonl")]
    expected = stable_key("x", json.dumps(dumped, sort_keys=True, ensure_ascii=False))
    check = check_claims_jsonl(text, "c.jsonl")
    assert (check.records, check.key) == (2, expected)
