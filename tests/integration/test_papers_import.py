"""`kg papers import`: paper metadata from a .jsonl file, all or nothing, idempotent, examined titles resolved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimgraph.services import ClaimGraph
from ingest.papers_jsonl import parse_papers_jsonl
from kg.errors import NoStoreError, ParseError
from kg.settings import Settings
from tests.conftest import REPO, SEEDS

PAPERS = REPO / "examples" / "papers.jsonl"


def test_bad_lines_are_all_reported_and_nothing_is_written(tmp_path: Path) -> None:
    good = PAPERS.read_text(encoding="utf-8").splitlines()[0]
    broken = json.loads(good)
    del broken["title"]
    text = "\n".join([good, "{not json", json.dumps(broken)]) + "\n"
    with pytest.raises(ParseError) as caught:
        parse_papers_jsonl(text, "papers.jsonl")
    assert str(caught.value.issues[0]).startswith("papers.jsonl:2: not valid JSON")
    assert str(caught.value.issues[1]) == "papers.jsonl:3: title: Field required"
    path = tmp_path / "papers.jsonl"
    path.write_text(text, encoding="utf-8")
    service = ClaimGraph(Settings(data_dir=tmp_path / "store"))
    with pytest.raises(ParseError):
        service.papers.import_file(path)
    with pytest.raises(NoStoreError):  # nothing was written: not even an empty store
        service.queries.stats()


def test_import_fills_abstracts_resolves_titles_and_is_idempotent(tmp_path: Path) -> None:
    service = ClaimGraph(Settings(data_dir=tmp_path / "store"))
    service.ingestion.ingest([SEEDS], link_paraphrases=False)
    first = service.papers.import_file(PAPERS)
    assert len(first.imported) == 9 and first.http_requests == 0
    assert {e.paper for e in first.examined} == {"2104.08645", "2005.13013"}
    papers = service.papers.nodes()
    assert len(papers) == 9 and all(p.props.get("abstract_sentences") for p in papers)
    assert all(p.props["found_by"] == "cited" for p in papers)
    assert (tmp_path / "store" / "arxiv" / "2005.13013.json").exists()  # cached: `papers fetch` won't ask again
    again = service.papers.import_file(PAPERS)
    assert not again.written.changed


@pytest.mark.parametrize(
    "bad_id", ["../../etc/passwd", "http://arxiv.org/abs/2104.08645", "9" * 10_000, "2104.08645\n"]
)
def test_an_arxiv_id_that_is_not_one_is_refused_with_its_line(bad_id: str) -> None:
    good = PAPERS.read_text(encoding="utf-8").splitlines()[0]
    record = {**json.loads(good), "arxiv_id": bad_id}
    with pytest.raises(ParseError) as caught:
        parse_papers_jsonl(good + "\n" + json.dumps(record) + "\n", "papers.jsonl")
    [issue] = caught.value.issues
    assert str(issue).startswith("papers.jsonl:2: arxiv_id: ") and "is not an arXiv id" in str(issue)
    assert "\n" not in str(issue) and len(str(issue)) < 200  # the id is quoted, short, on one line
