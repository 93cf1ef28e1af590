"""arXiv metadata through the ``arxiv`` package: batching, etiquette, retries, a disk cache.

This module is the network edge. It asks for ids in batches (``id_list``, at most 100 per
request), leaves ``delay_seconds`` between requests as the API asks, retries failed
requests with exponential back-off, enforces a per-request timeout (the ``arxiv`` client
sets none), and counts every HTTP request it makes. Parsed records are cached on disk,
one JSON file per paper with its fetch time, so re-runs and ``--offline`` need no network.
Ids arXiv does not know are cached as missing too, and reported, never fatal.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import arxiv
import requests
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

from kg.errors import SourceError
from kg.extraction.text import match_text, stable_key
from kg.settings import ArxivSettings
from schemas.paper import PaperRecord

_ID_VERSION = r"^(?P<id>.+?)(?P<version>v\d+)?$"


class _TimeoutAdapter(HTTPAdapter):
    """Gives every request a timeout; counts the requests actually sent."""

    def __init__(self, timeout: float, on_send: Callable[[], None]) -> None:
        super().__init__(max_retries=0)
        self.timeout = timeout
        self.on_send = on_send

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        self.on_send()
        return super().send(
            request,
            stream=stream,
            timeout=timeout if timeout is not None else self.timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def record_from_result(result: arxiv.Result, fetched_at: str) -> PaperRecord:
    match = re.match(_ID_VERSION, result.get_short_id())
    assert match is not None
    return PaperRecord(
        arxiv_id=match["id"],
        version=match["version"],
        title=" ".join(result.title.split()),
        authors=[author.name for author in result.authors],
        abstract=" ".join(result.summary.split()),
        primary_category=result.primary_category or None,
        categories=list(result.categories),
        published=result.published.date().isoformat() if result.published else None,
        updated=result.updated.date().isoformat() if result.updated else None,
        comment=result.comment or None,
        doi=result.doi or None,
        journal_ref=result.journal_ref or None,
        pdf_url=result.pdf_url,
        fetched_at=fetched_at,
    )


_SAFE_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


class PaperCache:
    """``<data dir>/arxiv/<id>.json``: ``{"fetched_at", "record"}`` or ``{"fetched_at", "missing": true}``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, arxiv_id: str) -> Path:
        """One file per id; an id that is no safe file name (too long, odd characters) is hashed instead."""
        name = arxiv_id.replace("/", "_")
        if not _SAFE_NAME.fullmatch(name):
            name = stable_key("id", arxiv_id)
        return self.directory / f"{name}.json"

    def get(self, arxiv_id: str) -> PaperRecord | bool | None:
        """The cached record, ``False`` if cached as missing, ``None`` if not cached."""
        path = self._path(arxiv_id)
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("missing"):
            return False
        return PaperRecord.model_validate(data["record"])

    def _write(self, arxiv_id: str, payload: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(arxiv_id)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)

    def put(self, record: PaperRecord) -> None:
        self._write(record.arxiv_id, {"fetched_at": record.fetched_at, "record": record.model_dump(mode="json")})

    def put_missing(self, arxiv_id: str, fetched_at: str) -> None:
        self._write(arxiv_id, {"fetched_at": fetched_at, "missing": True})


@dataclass
class FetchReport:
    fetched: list[PaperRecord] = field(default_factory=list)
    cached: list[PaperRecord] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # arXiv answered, but does not know these ids
    failed: list[str] = field(default_factory=list)  # the request for these ids failed
    not_fetched: list[str] = field(default_factory=list)  # --offline and not in the cache: not asked for
    errors: list[str] = field(default_factory=list)
    requests: int = 0

    @property
    def records(self) -> list[PaperRecord]:
        return self.cached + self.fetched


class ArxivSource:
    """Fetches paper metadata; one instance per command, so its request counter means 'this run'."""

    def __init__(
        self, settings: ArxivSettings, cache: PaperCache, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.requests = 0
        self._sleep = sleep
        self._unreachable: SourceError | None = None
        self.client = arxiv.Client(page_size=settings.page_size, delay_seconds=settings.delay_seconds, num_retries=0)
        self.client.query_url_format = settings.api_url.rstrip("?") + "?{}"
        adapter = _TimeoutAdapter(settings.timeout_seconds, self._count)
        self.client._session.mount("http://", adapter)
        self.client._session.mount("https://", adapter)

    def _count(self) -> None:
        self.requests += 1

    def _run(self, search: arxiv.Search) -> list[arxiv.Result]:
        return list(self.client.results(search))

    def _with_retries(self, what: str, call: Callable[[], list[arxiv.Result]]) -> list[arxiv.Result]:
        if self._unreachable is not None:  # known dead for this run: do not wait through the retries again
            raise self._unreachable
        attempts = self.settings.retries + 1
        delay = self.settings.backoff_seconds
        for attempt in range(1, attempts + 1):
            try:
                return call()
            except (arxiv.HTTPError, arxiv.UnexpectedEmptyPageError, requests.RequestException) as exc:
                unreachable = isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout)
                if attempt == attempts or (unreachable and attempt >= 2):
                    error = SourceError(
                        f"arXiv API at {self.settings.api_url} failed for {what} after {attempt} "
                        f"attempt(s): {_describe(exc)}"
                    )
                    if unreachable:
                        self._unreachable = SourceError(
                            f"arXiv API at {self.settings.api_url} cannot be reached: {_describe(exc)}"
                        )
                    raise error from exc
                self._sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def fetch(self, ids: Iterable[str], *, refresh: bool = False, offline: bool = False) -> FetchReport:
        report = FetchReport()
        wanted = list(dict.fromkeys(ids))
        to_fetch: list[str] = []
        for arxiv_id in wanted:
            cached = None if refresh else self.cache.get(arxiv_id)
            if isinstance(cached, PaperRecord):
                report.cached.append(cached)
            elif cached is False:
                report.missing.append(arxiv_id)
            else:
                to_fetch.append(arxiv_id)
        if offline:
            report.not_fetched.extend(to_fetch)
            return report
        size = self.settings.batch_size
        for start in range(0, len(to_fetch), size):
            batch = to_fetch[start : start + size]
            search = arxiv.Search(id_list=batch, max_results=len(batch))
            try:
                results = self._with_retries(f"{len(batch)} id(s)", partial(self._run, search))
            except SourceError as exc:
                report.failed.extend(batch)
                report.errors.append(str(exc))
                continue
            fetched_at = now_iso()
            found = {}
            for result in results:
                record = record_from_result(result, fetched_at)
                found[record.arxiv_id] = record
            for arxiv_id in batch:
                if arxiv_id in found:
                    self.cache.put(found[arxiv_id])
                    report.fetched.append(found[arxiv_id])
                else:
                    self.cache.put_missing(arxiv_id, fetched_at)
                    report.missing.append(arxiv_id)
        report.requests = self.requests
        return report

    def search_title(self, title: str) -> PaperRecord | None:
        """The arXiv paper whose title matches ``title`` exactly (after normalisation), if any."""
        words = " ".join(w for w in title.replace('"', " ").split())
        search = arxiv.Search(query=f'ti:"{words}"', max_results=5)
        results = self._with_retries(f"title search {title[:40]!r}", partial(self._run, search))
        fetched_at = now_iso()
        for result in results:
            if match_text(result.title) == match_text(title):
                record = record_from_result(result, fetched_at)
                self.cache.put(record)
                return record
        return None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, arxiv.HTTPError):
        return f"HTTP {exc.status}"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect (no network, or the URL is wrong)"
    return str(exc)
