"""Entity extraction and the binding of numeric results to benchmarks."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extraction import extract
from kg.gazetteer import Gazetteer


def results(text: str, gazetteer: Gazetteer) -> list[tuple[float, str | None, str, str | None]]:
    return [(r.value, r.unit, r.kind, r.benchmark) for r in extract(text, gazetteer).results]


def test_single_improvement_bound_to_following_benchmark(gazetteer: Gazetteer) -> None:
    text = "The cross-lingual transfer performance improves by 2.1 points on PAWS-X."
    assert results(text, gazetteer) == [(2.1, "points", "improvement", "PAWS-X")]


def test_number_list_binds_to_benchmark_list_in_order(gazetteer: Gazetteer) -> None:
    text = (
        "Intermediate-task training on SQuAD, MNLI, and HellaSwag yields large target-task "
        "improvements of 8.2, 7.5, and 7.0 points"
    )
    assert results(text, gazetteer) == [
        (8.2, "points", "improvement", "SQuAD"),
        (7.5, "points", "improvement", "MNLI"),
        (7.0, "points", "improvement", "HellaSwag"),
    ]


def test_truncated_unit_still_binds(gazetteer: Gazetteer) -> None:
    text = "on SQuAD, MNLI, and HellaSwag yields improvements of 8.2, 7.5, and 7.0 point"
    assert [r[1] for r in results(text, gazetteer)] == ["points"] * 3


def test_cue_without_unit_binds_to_benchmark_introduced_before(gazetteer: Gazetteer) -> None:
    text = "Evaluating our best models on the XTREME benchmark yields an average improvement of 5.4"
    assert results(text, gazetteer) == [(5.4, None, "improvement", "XTREME")]


def test_result_without_benchmark_is_kept_unbound(gazetteer: Gazetteer) -> None:
    text = "Multi-task intermediate-task training on all 9 tasks performs best, improving by 8.7 points."
    assert results(text, gazetteer) == [(8.7, "points", "improvement", None)]


@pytest.mark.parametrize(
    "text",
    [
        "We study intermediate-task training (STILTs; Phang et al., 2018) with nine tasks.",
        "The study investigates how training on 9 different intermediate tasks impacts transfer.",
        "Scaling from 7B to 13B parameters on XNLI.",
    ],
)
def test_counts_years_and_sizes_are_not_results(text: str, gazetteer: Gazetteer) -> None:
    assert results(text, gazetteer) == []


def test_gap_percent_and_metric(gazetteer: Gazetteer) -> None:
    assert results("a gap of 10.2 points between English and Swahili on XNLI", gazetteer) == [
        (10.2, "points", "gap", "XNLI")
    ]
    found = extract("XLM-R achieves 79.2% accuracy on XNLI", gazetteer).results
    assert [(r.value, r.unit, r.metric, r.kind, r.benchmark) for r in found] == [
        (79.2, "%", "accuracy", "absolute", "XNLI")
    ]


def test_xtreme_and_xtreme_r_are_different_benchmarks(gazetteer: Gazetteer) -> None:
    assert extract("Results on XTREME-R differ.", gazetteer).benchmarks == ("XTREME-R",)
    assert extract("Results on XTREME differ.", gazetteer).benchmarks == ("XTREME",)
    assert extract("XTREME and XTREME-R both.", gazetteer).benchmarks == ("XTREME", "XTREME-R")


def test_models_with_aliases_and_sizes(gazetteer: Gazetteer) -> None:
    found = extract("Multilingual BERT, XLM, and XLM-R are proposed for transfer.", gazetteer)
    assert found.models == ("mBERT", "XLM", "XLM-R")
    assert extract("The pretrained XLM-R Large model achieves SOTA.", gazetteer).models == ("XLM-R Large",)
    assert extract("We fine-tune XLM-RoBERTa on it.", gazetteer).models == ("XLM-R",)
    assert extract("multilingual BERT works", gazetteer).models == ("mBERT",)


def test_languages_by_name_and_code(gazetteer: Gazetteer) -> None:
    assert extract("Transfer from English to Swahili (yo) is hard.", gazetteer).languages == (
        "en",
        "sw",
        "yo",
    )
    assert extract("we use it in our experiments", gazetteer).languages == ()


def test_gazetteer_can_be_extended(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text('[[benchmark]]\nname = "AmericasNLI"\naliases = ["AmericasNLI", "ANLI-Am"]\n')
    gazetteer = Gazetteer.load(extra)
    assert extract("Gains of 3 points on ANLI-Am.", gazetteer).benchmarks == ("AmericasNLI",)
    assert gazetteer.resolve("benchmark", "americasnli") is not None
    assert gazetteer.resolve("benchmark", "xnli") is not None  # built-ins stay


def test_gazetteer_resolves_aliases_case_insensitively(gazetteer: Gazetteer) -> None:
    for spelling in ("PAWS-X", "paws-x", "PAWSX"):
        entry = gazetteer.resolve("benchmark", spelling)
        assert entry is not None and entry.key == "PAWS-X"
    language = gazetteer.resolve("language", "Swahili")
    assert language is not None and language.key == "sw"
