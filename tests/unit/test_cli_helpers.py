"""Small CLI helpers: store URIs printed without their password, export formats from file names."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimgraph.cli.admin_cmds import ExportFormat, export_format_of, without_password
from kg.errors import InputError


@pytest.mark.parametrize(
    ("uri", "printed"),
    [
        ("bolt://neo4j:s3cret@127.0.0.1:7687", "bolt://neo4j:***@127.0.0.1:7687"),
        ("redis://:pw@host:6379/g", "redis://:***@host:6379/g"),
        ("falkordb://localhost:6379/claimgraph", "falkordb://localhost:6379/claimgraph"),
        ("embedded://.claimgraph", "embedded://.claimgraph"),
    ],
)
def test_a_store_uri_is_printed_without_its_password(uri: str, printed: str) -> None:
    assert without_password(uri) == printed
    assert "s3cret" not in without_password(uri) and "pw@" not in without_password(uri)


def test_the_export_format_follows_the_file_name(tmp_path: Path) -> None:
    assert export_format_of(Path("g.graphml")) == ExportFormat.graphml
    assert export_format_of(Path("g.JSON")) == ExportFormat.json
    assert export_format_of(tmp_path) == ExportFormat.csv
    assert export_format_of(Path("bulk")) == ExportFormat.csv
    with pytest.raises(InputError, match="cannot tell the export format"):
        export_format_of(Path("g.txt"))


@pytest.mark.parametrize("forced", ["fp32", "bf16"])
def test_version_prints_the_precision_both_models_run_in(forced: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from claimgraph.cli.app import app

    monkeypatch.setenv("CLAIMGRAPH_PRECISION", forced)
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert "sentence encoder: sentence-transformers/all-MiniLM-L6-v2" in result.output
    assert f"precision of both: {forced} (forced by CLAIMGRAPH_PRECISION={forced}" in result.output
