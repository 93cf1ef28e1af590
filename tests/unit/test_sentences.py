from kg.extraction.sentences import split_sentences


def test_splits_on_sentence_ends_only() -> None:
    text = (
        "We obtain a 5.4 point improvement over XLM-R Large on XTREME. Tasks, e.g. XNLI and PAWS-X, improve. "
        "This extends XNLI (Conneau et al., 2018) to 10 languages! Does it work? Yes."
    )
    assert split_sentences(text) == [
        "We obtain a 5.4 point improvement over XLM-R Large on XTREME.",
        "Tasks, e.g. XNLI and PAWS-X, improve.",
        "This extends XNLI (Conneau et al., 2018) to 10 languages!",
        "Does it work?",
        "Yes.",
    ]


def test_initials_and_whitespace() -> None:
    assert split_sentences("  Work by K. Huang   and\nN. Peng.  Next one. ") == [
        "Work by K. Huang and N. Peng.",
        "Next one.",
    ]
    assert split_sentences("") == []
