"""The README's `kg` examples run as written against the sample graph."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_kg_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Using it") : text.index("### JSON output")]
    commands = []
    for line in section.splitlines():
        if line.startswith("kg ") and "ingest" not in line:
            commands.append(line.split("  #")[0].strip())
    return commands


def test_readme_lists_the_examples() -> None:
    commands = readme_kg_commands()
    assert len(commands) >= 8
    assert "kg claims --benchmark XNLI" in commands


@pytest.mark.parametrize("command", readme_kg_commands())
def test_readme_example_runs(command: str, seeded_dir: Path, tmp_path: Path) -> None:
    args = [a.replace("[--json]", "--json") for a in shlex.split(command)[1:]]
    args = [str(tmp_path / a) if a.endswith((".graphml", "/")) else a for a in args]  # outputs go to tmp
    env = {**os.environ, "CLAIMGRAPH_DATA_DIR": str(seeded_dir)}
    done = subprocess.run([sys.executable, "-m", "claimgraph.cli.app", *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
