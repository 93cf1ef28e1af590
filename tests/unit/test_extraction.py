"""Entity extraction and the binding of numeric results to benchmarks."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extraction.entities import extract
from kg.extraction.gazetteer import Gazetteer


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


# -- beyond the gazetteer -------------------------------------------------------------------------


def test_benchmarks_the_gazetteer_lacks_are_found_by_context(gazetteer: Gazetteer) -> None:
    e = extract("Our model improves by 3.1 points on GLUECoS and reaches 72.4 F1 on the LinCE benchmark.", gazetteer)
    assert e.benchmarks == ("GLUECoS", "LinCE") and e.candidates == ("GLUECoS", "LinCE")
    assert [(r.value, r.kind, r.benchmark) for r in e.results] == [
        (3.1, "improvement", "GLUECoS"),
        (72.4, "absolute", "LinCE"),
    ]
    assert extract("Our dataset and the Wikipedia corpus are new.", gazetteer).candidates == ()  # not names
    assert extract("Gains of 2 points on XNLI.", gazetteer).candidates == ()  # known: not a candidate


def test_hyphenated_model_sizes_and_code_switched_pairs(gazetteer: Gazetteer) -> None:
    e = extract("mT5-XXL beats mT5-XL and XLM-R-XL on Hindi-English and Spanish-English code-switched data.", gazetteer)
    assert e.models == ("mT5", "XLM-R")
    assert set(e.languages) == {"hi", "en", "es"}
    assert extract("XLM-RoBERTa-large is the larger one.", gazetteer).models == ("XLM-R Large",)  # an alias wins


def test_result_types_gap_score_and_share(gazetteer: Gazetteer) -> None:
    [gap] = extract("mT5-XXL trails XLM-R on XNLI by 1.2 F1.", gazetteer).results
    assert (gap.value, gap.kind, gap.benchmark, gap.unit) == (1.2, "gap", "XNLI", "F1")
    share = extract("The adapter adds roughly 3% of the parameters and improves XNLI by 2.0 points.", gazetteer)
    assert [(r.value, r.kind) for r in share.results] == [(2.0, "improvement")]
    [below] = extract("Transfer to Tamil on UD-POS is 20 points below transfer to German.", gazetteer).results
    assert below.kind == "gap"
    [score] = extract("Decoupling embeddings improves the XTREME average score by 1.8 points.", gazetteer).results
    assert score.kind == "improvement"
    assert extract("We evaluate in the 0-shot setting and gain 7.4% accuracy.", gazetteer).numbers() == {7.4}


def test_the_extraction_scorer_counts_what_it_should(gazetteer: Gazetteer) -> None:
    from bench.extraction_eval import evaluate

    rows = [
        {"text": "XLM-R improves by 2.1 points on PAWS-X.", "benchmarks": ["PAWS-X"], "models": ["XLM-R"],
         "languages": [], "results": [{"value": 2.1, "kind": "improvement", "benchmark": "PAWS-X"}]},
        {"text": "mBERT is evaluated on XNLI.", "benchmarks": ["XNLI", "GLUECoS"], "models": [], "languages": ["sw"],
         "results": []},
    ]  # fmt: skip
    tallies, misses = evaluate(rows, gazetteer)  # type: ignore[arg-type]
    assert (tallies["benchmarks"].tp, tallies["benchmarks"].fn, tallies["benchmarks"].fp) == (2, 1, 0)
    assert (tallies["models"].tp, tallies["models"].fp) == (1, 1)  # mBERT was not labelled
    assert tallies["languages"].recall == 0.0 and tallies["results"].precision == 1.0
    assert len(misses) == 3


@pytest.mark.parametrize(
    "text",
    [
        "mT5-XXL reaches state-of-the-art results on every GLUECoS task.",
        "The model fine-tuned on GLUECoS improves code-switched NER.",
        "Results on the GLUECoS benchmark are strong.",
        "XLM-R is evaluated on all GLUECoS tasks.",
    ],
)
def test_a_benchmark_named_by_how_it_is_used_is_linked(text: str, gazetteer: Gazetteer) -> None:
    assert "GLUECoS" in extract(text, gazetteer).benchmarks


@pytest.mark.parametrize(
    "text",
    ["It improves all three QA benchmarks.", "Every NLI dataset is harder.", "The model trained on English data."],
)
def test_task_names_and_plain_words_are_not_benchmarks(text: str, gazetteer: Gazetteer) -> None:
    assert extract(text, gazetteer).benchmarks == ()
