"""The verifier's verdict on every claim of a store, with its reason, as a Markdown table.

After `make demo` (the five sample reports, their papers, `kg verify`):

    python -m bench.seed_verdicts --data-dir .claimgraph

Writes ``bench/results/seed_verdicts.md``: claim, verdict, score, how it was decided, the
reason, and what the reports said (✓/× by file prefix).
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench.machine import machine
from claimgraph.services import ClaimGraph
from kg.settings import Settings

RESULTS = Path(__file__).parent / "results"


def _cell(text: str, width: int) -> str:
    text = " ".join(text.replace("|", "/").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def run(data_dir: Path) -> str:
    claims = ClaimGraph(Settings(data_dir=data_dir)).queries.claims()
    verdicts = Counter(c.verdict.verdict if c.verdict else "unchecked" for c in claims)
    how = Counter(c.verdict.decided_by for c in claims if c.verdict)
    agree = sum(a.verified == (c.verdict.verdict == "SUPPORTED") for c in claims if c.verdict for a in c.assertions)
    assertions = sum(len(c.assertions) for c in claims if c.verdict)
    lines = [
        f"# Verdicts on {len(claims)} claims (`make demo`'s store; {datetime.now(UTC):%Y-%m-%d}, {machine()})",
        "",
        f"Verdicts: {dict(sorted(verdicts.items()))}; decided by: {dict(sorted(how.items()))}; "
        f"agreement with the reports (✓ ⇔ SUPPORTED): {agree}/{assertions}.",
        "",
        "| # | claim | status | verdict | P(sup) | P(ref) | decided by | why | reports ✓/× |",
        "|---:|---|---|---|---:|---:|---|---|---|",
    ]
    for i, c in enumerate(claims, start=1):
        v = c.verdict
        marks = " ".join(("✓" if a.verified else "×") + a.source_name[:3] for a in c.assertions)
        if v is None:
            lines.append(f"| {i} | {_cell(c.text, 80)} | {c.status} | unchecked | | | | | {marks} |")
            continue
        p = v.probabilities or {}
        sup = f"{p['SUPPORTED']:.2f}" if p else "–"
        ref = f"{p['REFUTED']:.2f}" if p else "–"
        lines.append(
            f"| {i} | {_cell(c.text, 80)} | {c.status} | {v.verdict} | {sup} | {ref} | {v.decided_by} | "
            f"{_cell(v.reason, 140)} | {marks} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path(".claimgraph"))
    args = parser.parse_args()
    table = run(args.data_dir)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "seed_verdicts.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
