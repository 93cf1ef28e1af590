"""The README shows what the code prints today, and the command reference's examples run as written.

Every ``$ kg …`` block of README.md is run against what `make demo` builds (the samples, their recorded papers,
`kg verify`), at 120 columns, and its output is compared line by line with the README; a line ``…`` in the README
stands for any number of lines (output that depends on time or the machine). The figures quoted in the prose are
checked against the store too.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
CLI_DOC = REPO / "docs" / "cli.md"
#: Commands whose output needs a server or another process; their blocks are checked elsewhere.
NOT_RUN_HERE = ("kg neo4j", "kg serve")

pytestmark = pytest.mark.slow


def readme_examples() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for each ``$ kg`` line in a README code block."""
    examples: list[tuple[str, list[str]]] = []
    for block in _fenced_blocks(README.read_text(encoding="utf-8")):
        current: tuple[str, list[str]] | None = None
        for line in block:
            if line.startswith("$ kg "):
                current = (line[2:], [])
                examples.append(current)
            elif line.startswith("$ "):
                current = None
            elif current is not None:
                current[1].append(line)
    return [(c, lines) for c, lines in examples if not c.startswith(NOT_RUN_HERE)]


def _fenced_blocks(text: str) -> list[list[str]]:
    """The lines of each ``` block (the fences' own lines left out)."""
    blocks: list[list[str]] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("```"):
            inside = not inside
            if inside:
                blocks.append([])
        elif inside:
            blocks[-1].append(line)
    return blocks


def run(command: str, data_dir: Path) -> str:
    env = {
        **os.environ,
        "CLAIMGRAPH_DATA_DIR": str(data_dir),
        "COLUMNS": "120",
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",  # stdout and stderr in the order a terminal shows them
    }
    args = shlex.split(command)[1:]
    done = subprocess.run(
        [sys.executable, "-m", "claimgraph.cli.app", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout
    return done.stdout


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line, right-stripped; ``…`` matches any run of lines (also none)."""
    if not expected:
        return not actual
    head, rest = expected[0].rstrip(), expected[1:]
    if head == "…":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and actual[0].rstrip() == head and matches(rest, actual[1:])


def test_the_readme_has_examples_with_output() -> None:
    examples = readme_examples()
    assert [c for c, _ in examples][:2] == ["kg claims --benchmark XNLI --verified", "kg claims --benchmark XNLI"]
    assert all(lines for _, lines in examples)


@pytest.mark.parametrize(("command", "expected"), readme_examples(), ids=[c for c, _ in readme_examples()])
def test_readme_output_is_what_the_code_prints(
    command: str, expected: list[str], demo_dir: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "store"
    shutil.copytree(demo_dir, data_dir, ignore=shutil.ignore_patterns(".lock"))
    actual = [
        line for line in run(command, data_dir).splitlines() if "Warning" not in line and "warnings.warn" not in line
    ]
    assert matches(expected, actual), "\n".join(actual)


def test_the_figures_in_the_prose_are_the_stores(demo_dir: Path) -> None:
    import json

    text = README.read_text(encoding="utf-8")
    found = re.search(r"finds (\d+) SUPPORTED, (\d+) REFUTED and (\d+) NOT_ENOUGH_INFO", text)
    assert found is not None
    claims = json.loads(run("kg claims --limit 0 --json", demo_dir))["claims"]
    counts = {
        label: sum(c["verdict"]["verdict"] == label for c in claims)
        for label in ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")
    }
    assert (counts["SUPPORTED"], counts["REFUTED"], counts["NOT_ENOUGH_INFO"]) == tuple(map(int, found.groups()))
    assert f"Of the {len(claims)} sample" in text


def cli_doc_commands() -> list[str]:
    text = CLI_DOC.read_text(encoding="utf-8")
    section = text[: text.index("### JSON output")]
    return [
        line.split("  #")[0].strip() for line in section.splitlines() if line.startswith("kg ") and "ingest" not in line
    ]


def test_the_command_reference_lists_the_examples() -> None:
    commands = cli_doc_commands()
    assert len(commands) >= 8 and "kg claims --benchmark XNLI" in commands


@pytest.mark.parametrize("command", cli_doc_commands())
def test_command_reference_example_runs(command: str, demo_dir: Path, tmp_path: Path) -> None:
    args = [a.replace("[--json]", "--json") for a in shlex.split(command)[1:]]
    args = [str(tmp_path / a) if a.endswith((".graphml", "/")) else a for a in args]  # outputs go to tmp
    data_dir = tmp_path / "store"
    shutil.copytree(demo_dir, data_dir, ignore=shutil.ignore_patterns(".lock"))
    assert run(shlex.join(["kg", *args]), data_dir).strip()
