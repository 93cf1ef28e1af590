"""Claim identity: exact, normalised and truncated-prefix duplicates merge; others stay apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.report_parser import parse_report
from kg.extraction.gazetteer import Gazetteer
from kg.graph.identity import ClaimIndex

FULL = (
    "Multilingual BERT, XLM, and XLM-R are pre-trained multilingual language models proposed for "
    "zero-shot cross-lingual transfer learning."
)
CUT = FULL[:120]


def test_exact_and_normalised_duplicates_merge() -> None:
    index = ClaimIndex()
    a = index.resolve("The code is at <a href='u'>https://x.org/r</a> .")
    b = index.resolve("the   code is at https://x.org/r.")
    assert a.how == "new" and b.how == "exact" and a.key == b.key


def test_truncated_after_full_merges_and_keeps_full_text() -> None:
    index = ClaimIndex()
    full = index.resolve(FULL)
    cut = index.resolve(CUT)
    assert cut.how == "truncated-prefix" and cut.key == full.key
    assert cut.text == FULL and cut.truncated is False


def test_full_after_truncated_merges_and_upgrades_text() -> None:
    index = ClaimIndex()
    cut = index.resolve(CUT)
    assert cut.truncated
    full = index.resolve(FULL)
    assert full.how == "completes-truncated" and full.key == cut.key
    assert full.text == FULL and full.truncated is False


def test_ambiguous_truncated_prefix_is_kept_apart_with_a_warning() -> None:
    index = ClaimIndex()
    first = index.resolve(CUT + " learning on XNLI.")
    second = index.resolve(CUT + " learning on PAWS-X.")
    cut = index.resolve(CUT)
    assert first.key != second.key
    assert cut.how == "new" and cut.warning is not None and "matches 2 claims" in cut.warning


def test_different_claims_are_not_merged() -> None:
    index = ClaimIndex()
    a = index.resolve("Performance improves by 2.1 points on PAWS-X.")
    b = index.resolve("Performance improves by 1.6 points on XNLI.")
    assert a.key != b.key and len(index) == 2


def test_seed_claims_resolve_to_31_whatever_the_order(seed_files: list[Path]) -> None:
    rows = [
        row.text_as_written
        for path in seed_files
        for row in parse_report(path.read_text(encoding="utf-8"), path.name).rows
    ]
    assert len(rows) == 54
    forward, backward = ClaimIndex(), ClaimIndex()
    for text in rows:
        forward.resolve(text)
    for text in reversed(rows):
        backward.resolve(text)
    assert len(forward) == len(backward) == 31


@pytest.mark.parametrize(
    "variant",
    [
        "Robust training\u200b improves cross-lingual transfer.",  # zero-width space
        "Robust training im\u00adproves cross-lingual transfer.",  # soft hyphen
        "\ufeffRobust training improves cross-lingual transfer.",  # byte-order mark
        "Robust training im\u2060proves cross-lingual transfer.",  # word joiner
        "Robust training improves cross-lingual\u200d transfer.",  # zero-width joiner
        "\u202aRobust training improves cross-lingual transfer.\u202c",  # bidi embedding
    ],
)
def test_invisible_characters_do_not_make_another_claim(variant: str) -> None:
    index = ClaimIndex()
    first = index.resolve("Robust training improves cross-lingual transfer.")
    assert index.resolve(variant).key == first.key


def test_a_combining_accent_is_the_precomposed_letter() -> None:
    index = ClaimIndex()
    assert index.resolve("Caf\u00e9 results improve.").key == index.resolve("Cafe\u0301 results improve.").key


def test_a_benchmark_name_with_a_joiner_inside_is_still_the_benchmark(gazetteer: Gazetteer) -> None:
    from kg.extraction.entities import extract

    assert extract("Accuracy on PAWS\u200d-X improves by 2 points.", gazetteer).benchmarks == ("PAWS-X",)
