"""Serve Neo4j Browser's ClaimGraph style and guide on loopback, with the CORS header Browser needs.

Run by :func:`kg.store.neo4j_local.start` as ``python -m kg.store.neo4j_assets FOLDER PORT``.
Only files directly in FOLDER are served (http.server's own path handling); nothing is written.
"""

from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Handler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")  # Browser fetches guides cross-origin
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_OPTIONS(self) -> None:
        """CORS preflight: Browser's guide fetch sends headers that make the request non-simple."""
        self.send_response(204)
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", self.headers.get("Access-Control-Request-Headers", "*"))
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    folder, port = sys.argv[1], int(sys.argv[2])
    handler = functools.partial(_Handler, directory=folder)
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
