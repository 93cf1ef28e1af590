"""A local stand-in for the arXiv export API that serves recorded responses.

The only fake in the test suite, at the edge of a service the tests cannot reach. Each
``<entry>`` of the recorded feed is served byte for byte; the server assembles a feed
around the entries a request asks for (``id_list``, or ``search_query=ti:"…"``), honours
``start``/``max_results`` paging, and can be told to fail (HTTP status) or stall (timeout)
for its next requests. It counts every request it receives.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

FEED = Path(__file__).parent / "data" / "arxiv" / "feed_example.xml"
_ENTRY = re.compile(r"  <entry>.*?</entry>\n", re.S)
_ID = re.compile(r"<id>http://arxiv\.org/abs/([^<]+?)(v\d+)?</id>")
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


@dataclass
class RecordedArxiv:
    entries: dict[str, str] = field(default_factory=dict)  # id without version -> entry XML
    titles: dict[str, str] = field(default_factory=dict)  # normalised title -> id
    header: str = ""
    requests: list[str] = field(default_factory=list)
    fail_with: list[int] = field(default_factory=list)  # statuses for the next requests
    stall_seconds: float = 0.0

    @classmethod
    def load(cls) -> RecordedArxiv:
        text = FEED.read_text(encoding="utf-8")
        recorded = cls(header=text[: text.index("  <entry>")])
        for block in _ENTRY.findall(text):
            id_match, title_match = _ID.search(block), _TITLE.search(block)
            assert id_match and title_match
            recorded.entries[id_match.group(1)] = block
            recorded.titles[_norm(title_match.group(1))] = id_match.group(1)
        return recorded

    def feed(self, ids: list[str], start: int, max_results: int) -> str:
        found = [self.entries[i] for i in ids if i in self.entries]
        header = re.sub(r"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{len(found)}<", self.header)
        header = re.sub(r"<opensearch:startIndex>\d+<", f"<opensearch:startIndex>{start}<", header)
        header = re.sub(r"<opensearch:itemsPerPage>\d+<", f"<opensearch:itemsPerPage>{max_results}<", header)
        return header + "".join(found[start : start + max_results]) + "</feed>\n"

    def answer(self, query: dict[str, list[str]]) -> str:
        start = int(query.get("start", ["0"])[0])
        max_results = int(query.get("max_results", ["10"])[0])
        id_list = [i for i in query.get("id_list", [""])[0].split(",") if i]
        ids = [re.sub(r"v\d+$", "", i) for i in id_list]
        search = query.get("search_query", [""])[0]
        if title := re.fullmatch(r'ti:"(.*)"', search):
            hit = self.titles.get(_norm(title.group(1)))
            ids = [hit] if hit else []
        return self.feed(ids, start, max_results)


class ArxivServer:
    def __init__(self) -> None:
        self.recorded = RecordedArxiv.load()
        recorded = self.recorded

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorded.requests.append(self.path)
                if recorded.stall_seconds:
                    time.sleep(recorded.stall_seconds)
                if recorded.fail_with:
                    self.send_response(recorded.fail_with.pop(0))
                    self.end_headers()
                    return
                body = recorded.answer(parse_qs(urlparse(self.path).query)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/api/query"

    def start(self) -> ArxivServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self) -> None:
        self.recorded.requests.clear()
        self.recorded.fail_with.clear()
        self.recorded.stall_seconds = 0.0
