"""The report parser: both layouts, tolerated noise, and every error class with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.report_parser import parse_report
from kg.errors import NotAReportError, ParseError

HEADER = "Claim\tVerified\tConfidence"


def make_report(rows: list[str], *, markdown: bool = False, extra: str = "") -> str:
    h = "## " if markdown else ""
    title = "# A Title" if markdown else "A Title"
    return "\n".join(
        [
            title,
            "",
            "Assignee Research",
            "",
            "July 8, 2026",
            "",
            f"{h}Abstract",
            "",
            "An abstract about XNLI in Swahili.",
            "",
            f"{h}1 Introduction",
            "",
            "This paper examines: Some Paper Title. Research question: Does it work on PAWS-X?.",
            "",
            f"{h}3 Results",
            "",
            f"7 papers retrieved. {len(rows)} claims extracted; {sum('✓' in r for r in rows)} independently verified."
            " Quality review score: 8.0/10.",
            "",
            f"{h}5 Extracted Claims",
            "",
            HEADER,
            *rows,
            "",
            f"{h}References",
            "",
            "- <http://arxiv.org/abs/2104.08645v2>",
            "- https://doi.org/10.18653/v1/2020.acl-main.747",
            "- <https://github.com/uclanlp/Robust-XLT>",
            "- Smith et al. 2020, unpublished",
            extra,
        ]
    )


def test_markdown_layout_seed(seed_files: list[Path]) -> None:
    report = parse_report(seed_files[0].read_text(encoding="utf-8"), seed_files[0].name)
    assert report.layout == "markdown"
    assert report.title.startswith("Computational Efficiency Trade-offs")
    assert report.author == "Assignee Research"
    assert report.date == "2026-07-08"
    assert report.examined_title == "Improving Zero-Shot Cross-Lingual Transfer Learning via Robust Training"
    assert report.research_question is not None and report.research_question.endswith("<100K labeled examples?")
    assert (report.papers_retrieved, report.claims_extracted, report.claims_verified) == (10, 11, 8)
    assert report.quality_score == 7.5
    assert len(report.rows) == 11
    assert [r.arxiv_id for r in report.references] == ["2104.08645", "2409.10965", "2005.13013"]
    assert [r.version for r in report.references] == ["v2", "v1", "v2"]
    assert report.warnings == []


def test_plain_layout_seed(seed_files: list[Path]) -> None:
    report = parse_report(seed_files[1].read_text(encoding="utf-8"), seed_files[1].name)
    assert report.layout == "plain"
    assert report.date == "2026-07-01"
    assert len(report.rows) == 12
    assert report.quality_score == 8.5
    first = report.rows[0]
    assert (first.row, first.line, first.verified, first.confidence) == (1, 32, True, 0.15)
    assert report.rows[1].verified is False


def test_both_layouts_parse_the_same_content() -> None:
    rows = ["XLM-R improves by 2.1 points on PAWS-X.\t✓\t0.15", "A second claim.\t×\t0.5"]
    plain = parse_report(make_report(rows), "plain.txt")
    markdown = parse_report(make_report(rows, markdown=True), "md.txt")
    assert plain.layout == "plain" and markdown.layout == "markdown"
    ignore = {"layout", "source_name"}
    assert plain.model_dump(exclude=ignore) == markdown.model_dump(exclude=ignore)


def test_crlf_and_extra_blank_lines_are_tolerated(seed_files: list[Path]) -> None:
    text = seed_files[2].read_text(encoding="utf-8")
    crlf = text.replace("\n", "\r\n").replace("\r\n\r\n", "\r\n\r\n\r\n")
    a, b = parse_report(text, "x.txt"), parse_report(crlf, "x.txt")
    assert [r.text for r in a.rows] == [r.text for r in b.rows]
    assert a.title == b.title and a.research_question == b.research_question


def test_html_anchor_is_stripped_but_kept_as_written(seed_files: list[Path]) -> None:
    report = parse_report(seed_files[0].read_text(encoding="utf-8"), seed_files[0].name)
    row = report.rows[3]
    assert row.text == "The code for the study is available at https://github.com/uclanlp/Robust-XLT ."
    assert row.text_as_written.startswith("The code for the study is available at <a href=")


def test_truncated_claims_are_flagged(seed_files: list[Path]) -> None:
    report = parse_report(seed_files[1].read_text(encoding="utf-8"), seed_files[1].name)
    flagged = [r.text for r in report.rows if r.truncated]
    assert len(flagged) == 4
    assert all(len(t) >= 100 and not t.endswith(".") for t in flagged)
    assert "4 claim(s) look truncated" in report.warnings
    assert not report.rows[0].truncated


def test_references_of_every_kind() -> None:
    report = parse_report(make_report(["A claim.\t✓\t0.5"]), "r.txt")
    kinds = [(r.kind, r.arxiv_id or r.doi or r.url or r.raw) for r in report.references]
    assert kinds == [
        ("arxiv", "2104.08645"),
        ("doi", "10.18653/v1/2020.acl-main.747"),
        ("url", "https://github.com/uclanlp/Robust-XLT"),
        ("text", "Smith et al. 2020, unpublished"),
    ]


def test_count_mismatch_is_a_warning_not_an_error() -> None:
    text = make_report(["A claim.\t✓\t0.5"]).replace("1 claims extracted; 1", "3 claims extracted; 2")
    report = parse_report(text, "r.txt")
    assert len(report.rows) == 1
    assert "report states 3 claims extracted but its table has 1 rows" in report.warnings
    assert "report states 2 claims verified but its table marks 1 with ✓" in report.warnings


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Only two cells\t✓", "expected 3 cells like the header, found 2"),
        ("Four\tcells\t✓\t0.3", "expected 3 cells like the header, found 4"),
        ("Bad confidence.\t✓\thigh", "confidence is not a number: 'high'"),
        ("Out of range.\t✓\t1.5", "confidence must be in [0, 1], found 1.5"),
        ("Negative.\t×\t-0.1", "confidence must be in [0, 1], found -0.1"),
        (
            "Bad mark.\tperhaps\t0.3",
            "verified mark must be one of ✓ ✔ ☑ yes true (verified) or × ✗ ✘ x no false (not), found 'perhaps'",
        ),
        ("\t✓\t0.3", "claim text is empty"),
    ],
)
def test_malformed_row_names_file_line_and_reason(row: str, reason: str) -> None:
    text = make_report(["Good claim.\t✓\t0.2", row])
    with pytest.raises(ParseError) as caught:
        parse_report(text, "bad.txt")
    line = text.splitlines().index(row) + 1
    assert f"bad.txt:{line}: {reason}" in str(caught.value)


def test_all_problems_are_reported_together() -> None:
    text = make_report(["One.\t?\t0.2", "Two.\t✓\t7"])
    with pytest.raises(ParseError) as caught:
        parse_report(text, "bad.txt")
    assert len(caught.value.issues) == 2
    assert [i.line for i in caught.value.issues] == sorted(i.line for i in caught.value.issues)


def test_a_file_without_a_claims_section_is_not_a_report() -> None:
    text = make_report(["A.\t✓\t0.2"]).replace("5 Extracted Claims", "5 Something Else")
    with pytest.raises(NotAReportError, match="not a report"):
        parse_report(text, "notes.md")


@pytest.mark.parametrize(
    ("mark", "verified"),
    [
        ("✓", True),
        ("✔", True),
        ("☑", True),
        ("yes", True),
        ("True", True),
        ("×", False),
        ("✗", False),
        ("✘", False),
        ("x", False),
        ("X", False),
        ("no", False),
        ("FALSE", False),
    ],
)
def test_the_marks_people_type_are_accepted(mark: str, verified: bool) -> None:
    report = parse_report(make_report([f"A claim.\t{mark}\t0.4"]), "marks.txt")
    assert [(r.text, r.verified) for r in report.rows] == [("A claim.", verified)]


def test_a_markdown_table_with_extra_columns_keeps_the_three_and_warns() -> None:
    text = make_report([]).replace(
        HEADER,
        "| # | Claim | Source | Verified | Confidence |\n|---|---|---|---|---|\n| 1 | A piped claim. | p. 3 | ✔ | 0.4 |",
    )
    report = parse_report(text, "wide.md")
    assert [(r.text, r.verified, r.confidence) for r in report.rows] == [("A piped claim.", True, 0.4)]
    assert any("extra column(s) ignored: '#', 'Source'" in w for w in report.warnings)


def test_wrong_table_header_is_an_error() -> None:
    text = make_report(["A.\t✓\t0.2"]).replace(HEADER, "Statement\tOK\tScore")
    with pytest.raises(ParseError, match="claims table header must name the columns Claim, Verified and Confidence"):
        parse_report(text, "bad.txt")


def test_markdown_pipe_table_is_accepted() -> None:
    text = make_report([]).replace(
        HEADER, "| Claim | Verified | Confidence |\n|---|---|---|\n| Piped claim. | ✓ | 0.4 |"
    )
    report = parse_report(text, "pipes.md")
    assert [(r.text, r.verified, r.confidence) for r in report.rows] == [("Piped claim.", True, 0.4)]


@pytest.mark.parametrize("text", ["...", "!!!", "<i></i> –", "“”"])
def test_a_claim_without_words_is_refused_with_its_line(text: str) -> None:
    report = make_report(["A real claim.\t✓\t0.2", f"{text}\t✓\t0.3"])
    with pytest.raises(ParseError) as caught:
        parse_report(report, "empty.txt")
    line = report.splitlines().index(f"{text}\t✓\t0.3") + 1
    assert str(caught.value.issues[0]).startswith(f"empty.txt:{line}: claim ")
