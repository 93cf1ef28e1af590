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
