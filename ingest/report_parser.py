"""Parse literature-synthesis reports (Markdown-heading and plain layouts) into ``ParsedReport``.

Pure: text in, model out, no I/O. Every problem is collected with its line number and
raised together as one :class:`~kg.errors.ParseError`, so nothing of a malformed report is
ever written and the researcher sees all of its faults at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from kg.errors import NotAReportError, ParseError, SourceIssue
from kg.extraction.text import MAX_LINE_CHARS, clean_text, has_words, looks_truncated, split_lines
from schemas.report import ClaimRow, ParsedReport, Reference

VERIFIED_MARK = "✓"
UNVERIFIED_MARK = "×"
#: The marks people type, case-insensitive (docs/report-format.md).
VERIFIED_MARKS = frozenset({"✓", "✔", "☑", "yes", "true", "y"})
UNVERIFIED_MARKS = frozenset({"×", "✗", "✘", "x", "no", "false", "n"})

_SECTION_NAMES = {
    "abstract": "abstract",
    "introduction": "introduction",
    "methodology": "methodology",
    "results": "results",
    "limitations": "limitations",
    "extracted claims": "claims",
    "claims": "claims",
    "references": "references",
}
_HEADING = re.compile(r"^(?P<hashes>#{1,6}\s+)?(?:\d+(?:\.\d+)*\.?\s+)?(?P<name>[A-Za-z][A-Za-z ]*?)\s*$")
_EXAMINES = re.compile(r"This paper examines:\s*(?P<title>.+?)\.\s+Research question:\s*(?P<question>.+?)\s*$", re.S)
# Counts are at most 9 digits, and never the tail of a longer number (int() of 5,000 digits raises).
_COUNT = r"(?<![\d.])(\d{1,9})(?![\d.])"
_RETRIEVED = re.compile(_COUNT + r"\s+papers retrieved", re.I)
_YIELDED = re.compile(r"yielded\s+" + _COUNT + r"\s+papers", re.I)
_EXTRACTED = re.compile(_COUNT + r"\s+claims extracted", re.I)
_VERIFIED = re.compile(_COUNT + r"\s+(?:independently\s+)?verified", re.I)
_QUALITY = re.compile(r"quality (?:review )?score(?: of|:)?\s*(\d{1,3}(?:\.\d{1,6})?)\s*/\s*10", re.I)
_ARXIV = re.compile(
    r"arxiv\.org/(?:abs|pdf)/(?P<id>\d{4}\.\d{4,5}|[a-z-]{1,20}(?:\.[A-Z]{2})?/\d{7})(?P<version>v\d{1,3})?", re.I
)
_DOI = re.compile(r"(?:doi\.org/|doi:\s*)(?P<doi>10\.\d{4,9}/[^\s>]+)", re.I)
_URL = re.compile(r"https?://[^\s<>]+")
_TABLE_COLUMNS = ("claim", "verified", "confidence")
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%d %B %Y")

#: A claim is about 120 characters; one of more than this is a broken export, not a claim.
MAX_CLAIM_CHARS = 5_000


@dataclass
class _Section:
    name: str
    heading_line: int
    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)

    def text(self) -> str:
        return " ".join(t.strip() for _, t in self.lines if t.strip())


def _heading_name(line: str) -> tuple[str, bool] | None:
    """Return (section name, is_markdown) if the line is a known section heading."""
    match = _HEADING.match(line.strip())
    if not match:
        return None
    name = _SECTION_NAMES.get(match["name"].strip().lower())
    if name is None:
        return None
    return name, bool(match["hashes"])


def _parse_date(raw: str) -> str:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
    return raw


def _first_int(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    return int(match.group(1)) if match else None


def _split_row(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|"):
        return [cell.strip() for cell in stripped[1:-1].split("|")]
    return [cell.strip() for cell in line.rstrip("\r\n").split("\t")]


def _mark(cell: str) -> bool | None:
    """True for a ✓ mark, False for ×, None for anything else."""
    value = cell.strip().lower()
    if value in VERIFIED_MARKS:
        return True
    if value in UNVERIFIED_MARKS:
        return False
    return None


def _columns(header: list[str]) -> dict[str, int] | None:
    """Positions of the claim, verified and confidence columns, found by name; None if one is missing."""
    names = [c.strip().lower() for c in header]
    if not all(column in names for column in _TABLE_COLUMNS):
        return None
    return {column: names.index(column) for column in _TABLE_COLUMNS}


def _parse_claim_rows(section: _Section, source: str, issues: list[SourceIssue], warnings: list[str]) -> list[ClaimRow]:
    content = [(n, t) for n, t in section.lines if t.strip()]
    if not content:
        issues.append(SourceIssue(source, section.heading_line, "claims section has no table header"))
        return []
    header_line, header = content[0]
    header_cells = _split_row(header)
    columns = _columns(header_cells)
    if columns is None:
        issues.append(
            SourceIssue(
                source,
                header_line,
                "claims table header must name the columns Claim, Verified and Confidence, separated by TABs "
                "or as a markdown table (| Claim | Verified | Confidence |); see docs/report-format.md",
            )
        )
        return []
    extra = [c for i, c in enumerate(header_cells) if i not in columns.values()]
    if extra:
        warnings.append(f"line {header_line}: extra column(s) ignored: {', '.join(repr(c) for c in extra)}")
    rows: list[ClaimRow] = []
    for number, raw in content[1:]:
        if set(raw.strip()) <= set("|-: "):  # markdown table separator row
            continue
        cells = _split_row(raw)
        if len(cells) != len(header_cells):
            issues.append(
                SourceIssue(source, number, f"expected {len(header_cells)} cells like the header, found {len(cells)}")
            )
            continue
        text_as_written, mark, confidence_raw = (cells[columns[c]] for c in _TABLE_COLUMNS)
        problems: list[str] = []
        if not clean_text(text_as_written):
            problems.append("claim text is empty")
        elif not has_words(text_as_written):
            problems.append(f"claim has no words: {text_as_written!r}")
        elif len(text_as_written) > MAX_CLAIM_CHARS:
            problems.append(f"claim is {len(text_as_written):,} characters long (at most {MAX_CLAIM_CHARS:,})")
        verified = _mark(mark)
        if verified is None:
            problems.append(
                f"verified mark must be one of ✓ ✔ ☑ yes true (verified) or × ✗ ✘ x no false (not), found {mark!r}"
            )
        try:
            confidence = float(confidence_raw)
            if not 0.0 <= confidence <= 1.0:
                problems.append(f"confidence must be in [0, 1], found {confidence_raw}")
        except ValueError:
            problems.append(f"confidence is not a number: {confidence_raw!r}")
        if problems:
            issues.extend(SourceIssue(source, number, p) for p in problems)
            continue
        rows.append(
            ClaimRow(
                text=clean_text(text_as_written),
                text_as_written=text_as_written,
                verified=bool(verified),
                confidence=confidence,
                row=len(rows) + 1,
                line=number,
                truncated=looks_truncated(text_as_written),
            )
        )
    return rows


def _parse_reference(number: int, raw: str) -> Reference:
    item = raw.strip().removeprefix("-").removeprefix("*").strip()
    if arxiv := _ARXIV.search(item):
        arxiv_id = arxiv["id"]
        return Reference(
            kind="arxiv",
            raw=item,
            line=number,
            url=f"http://arxiv.org/abs/{arxiv_id}{arxiv['version'] or ''}",
            arxiv_id=arxiv_id,
            version=arxiv["version"],
        )
    if doi := _DOI.search(item):
        return Reference(kind="doi", raw=item, line=number, doi=doi["doi"].rstrip(".,"), url=None)
    if url := _URL.search(item):
        return Reference(kind="url", raw=item, line=number, url=url.group(0).rstrip(".,"))
    return Reference(kind="text", raw=item, line=number)


def parse_report(text: str, source_name: str) -> ParsedReport:
    """Parse one report; raise :class:`ParseError` listing every problem found."""
    lines = split_lines(text)  # \n, \r\n and \r; not U+2028 or \x0b inside a claim
    issues: list[SourceIssue] = []
    preamble: list[tuple[int, str]] = []
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    markdown = False

    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff")
        if len(line) > MAX_LINE_CHARS:
            issues.append(
                SourceIssue(source_name, number, f"line is {len(line):,} characters long (at most {MAX_LINE_CHARS:,})")
            )
            continue
        heading = _heading_name(line) if not (current and current.name == "claims" and "\t" in line) else None
        if heading:
            name, is_markdown = heading
            markdown = markdown or is_markdown
            if name in sections:
                issues.append(SourceIssue(source_name, number, f"section '{line.strip()}' appears twice"))
            current = sections.setdefault(name, _Section(name=name, heading_line=number))
            continue
        if current is None:
            if line.strip():
                preamble.append((number, line.strip()))
                markdown = markdown or line.lstrip().startswith("#")
        else:
            current.lines.append((number, line))

    title = author = date = None
    if preamble:
        title = preamble[0][1].lstrip("#").strip()
        author = preamble[1][1] if len(preamble) > 1 else None
        date = _parse_date(preamble[2][1]) if len(preamble) > 2 else None
        if len(preamble) > 3:
            extra_line = preamble[3][0]
            issues.append(SourceIssue(source_name, extra_line, "unexpected text before the first section"))
    if not title:
        issues.append(SourceIssue(source_name, 1, "report has no title line"))

    if "claims" not in sections:
        raise NotAReportError([SourceIssue(source_name, 1, "not a report (no 'Extracted Claims' section): skipped")])
    warnings: list[str] = []
    rows = _parse_claim_rows(sections["claims"], source_name, issues, warnings)

    references = [
        _parse_reference(n, t) for n, t in sections.get("references", _Section("references", 0)).lines if t.strip()
    ]

    introduction = sections.get("introduction")
    examined_title = research_question = None
    if introduction is not None and (match := _EXAMINES.search(introduction.text())):
        examined_title = match["title"].strip()
        research_question = match["question"].strip().rstrip(".").strip()

    counts_text = " ".join(sections[name].text() for name in ("methodology", "results") if name in sections)
    results_text = sections["results"].text() if "results" in sections else counts_text
    papers_retrieved = _first_int(_RETRIEVED, results_text) or _first_int(_YIELDED, counts_text)
    claims_extracted = _first_int(_EXTRACTED, results_text)
    claims_verified = _first_int(_VERIFIED, results_text)
    quality = _QUALITY.search(results_text) or _QUALITY.search(counts_text)

    if issues:
        raise ParseError(sorted(issues, key=lambda issue: issue.line))

    if claims_extracted is not None and claims_extracted != len(rows):
        warnings.append(f"report states {claims_extracted} claims extracted but its table has {len(rows)} rows")
    verified_rows = sum(row.verified for row in rows)
    if claims_verified is not None and claims_verified != verified_rows:
        warnings.append(f"report states {claims_verified} claims verified but its table marks {verified_rows} with ✓")
    truncated = sum(row.truncated for row in rows)
    if truncated:
        warnings.append(f"{truncated} claim(s) look truncated")

    abstract = sections.get("abstract")
    return ParsedReport(
        source_name=source_name,
        layout="markdown" if markdown else "plain",
        title=clean_text(title or ""),
        author=author,
        date=date,
        abstract=clean_text(abstract.text()) if abstract else None,
        examined_title=examined_title,
        research_question=research_question,
        papers_retrieved=papers_retrieved,
        claims_extracted=claims_extracted,
        claims_verified=claims_verified,
        quality_score=float(quality.group(1)) if quality else None,
        rows=rows,
        references=references,
        warnings=warnings,
    )
