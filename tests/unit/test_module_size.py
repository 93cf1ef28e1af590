"""House rule: no module over 500 lines (small modules with one job each). Fails with the offenders named."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("kg", "api", "ingest", "schemas", "claimgraph", "bench", "tests")
MAX_LINES = 500


def python_files(root: Path) -> Iterator[Path]:
    """The .py files under ``root``, not descending into node_modules (tests/browser's holds 10,000 files)."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in ("node_modules", "__pycache__")]
        yield from (Path(folder) / name for name in files if name.endswith(".py"))


def test_no_module_is_over_500_lines() -> None:
    sizes = {
        path.relative_to(REPO).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for package in PACKAGES
        for path in python_files(REPO / package)
    }
    assert len(sizes) > 100  # the walk found the code
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
