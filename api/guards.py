"""Checks every request passes before a route sees it: body size, and a JSON body a parser can take.

A 50,000-deep JSON body or a 5,000-digit number would otherwise reach Python's JSON parser inside
the GraphQL router and end as a 500 (RecursionError, ValueError). Here they are a 400 in the API's
error shape, and a body over ``api_max_body_bytes`` is a 413 before it is read whole.
"""

from __future__ import annotations

import re
import sys

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from ingest.jsonlines import MAX_DEPTH, bracket_depth

MAX_DIGITS = sys.get_int_max_str_digits() or 4300
_LONG_NUMBER = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")  # what json.loads would refuse with a ValueError


def json_problem(body: bytes) -> str | None:
    """Why a JSON request body cannot be taken, or None; checked without parsing it (the route parses it once)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    if text.count("[") + text.count("{") > MAX_DEPTH and bracket_depth(text) > MAX_DEPTH:
        return f"JSON nested deeper than {MAX_DEPTH} levels"
    if (digits := _LONG_NUMBER.search(text)) is not None:
        return f"the JSON body holds a number of {len(digits.group(0)):,} digits (Python reads at most {MAX_DIGITS:,})"
    return None  # anything else, malformed JSON included, the route answers in its own words


def query_string_problem(query_string: bytes) -> str | None:
    """Why a ``variables`` or ``extensions`` parameter (JSON in a URL) cannot be taken, or None."""
    from urllib.parse import parse_qsl

    if b"variables" not in query_string and b"extensions" not in query_string:
        return None
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if name in ("variables", "extensions") and (problem := json_problem(value.encode("utf-8", "replace"))):
            return f"?{name}=: {problem}"
    return None


class RequestGuard:
    """Pure ASGI middleware: size limit for every body, a parse check for JSON bodies."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            # GraphQL over GET carries its JSON in ?variables=: the same check as a POST body gets
            if scope["type"] == "http" and (problem := query_string_problem(scope.get("query_string", b""))):
                await error_response(400, "invalid_input", problem)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if "json" in headers.get("content-type", "") and (problem := json_problem(body)):
            await error_response(400, "invalid_input", problem)(scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is larger than {self.max_body_bytes:,} bytes (CLAIMGRAPH_API_MAX_BODY_BYTES)"
        await error_response(413, "payload_too_large", message)(scope, receive, send)


class HeadAsGet:
    """HEAD answers as GET would, headers and all, without the body (RFC 9110 9.3.2); FastAPI routes are GET only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
