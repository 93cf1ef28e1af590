"""House rule: no module over 500 lines (small modules with one job each). Fails with the offenders named."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("kg", "api", "ingest", "schemas", "claimgraph", "bench", "tests")
MAX_LINES = 500


def test_no_module_is_over_500_lines() -> None:
    sizes = {
        path.relative_to(REPO).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
        if "node_modules" not in path.parts
    }
    assert len(sizes) > 100  # the walk found the code
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
