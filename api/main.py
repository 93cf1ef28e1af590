"""The FastAPI app: REST routes, GraphQL at /graphql (GraphiQL in a browser), one error shape.

`create_app` builds everything from settings; the store is opened once when the app starts
(held by the service for every request) and closed when it stops.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from strawberry.fastapi import GraphQLRouter

from api import errors
from api.graphql.loaders import make_loaders
from api.graphql.schema import build_schema
from api.guards import HeadAsGet, RequestGuard
from api.routes import catalog, claims, graph, insight, pages, reviews, writes
from claimgraph.services import ClaimGraph
from kg import __version__
from kg.settings import Settings

DESCRIPTION = """Cross-paper questions over the ClaimGraph knowledge graph.

* `GET /claims?benchmark=XNLI&verified=true` — which claims about XNLI are verified?
* `GET /conflicts` — where do reports (or the verifier) disagree?
* `GET /benchmarks/PAWS-X/results` — what numbers were reported on PAWS-X, by whom?
* `POST /graphql` — the same, nested, in one query (GraphiQL at `/graphql` in a browser).
* `GET /` — ClaimGraph's own page: search claims, read one with its evidence, see its neighbourhood graph.

Writes (`POST /reports`, `POST /verify`, `DELETE /reports/{key}`) need `Authorization: Bearer <CLAIMGRAPH_API_TOKEN>`.
"""


class LocalGraphiQLRouter(GraphQLRouter[Any, Any]):
    """Strawberry's router with GraphiQL built from our vendored assets (its own page loads them from a CDN)."""

    @property
    def graphql_ide_html(self) -> str:
        return pages.graphiql_html()


def serving_app() -> FastAPI:
    """The app of a `kg serve` worker process (uvicorn's factory): settings from the environment, heap frozen."""
    return create_app(freeze_heap=True)


def freeze_startup_heap() -> None:
    """Move everything alive after start-up (modules, the schema, the store handle) out of the collector's sight.

    A full (generation-2) collection walks every container object still alive, and a served process holds
    about a million of them from start-up on, none of which will ever be garbage; GraphQL's many short-lived
    objects per request trigger such a collection every few hundred requests, and that request waits for it
    (the tail of bench/results/api_latency.md). ``gc.freeze`` is CPython's tool for exactly this: frozen
    objects are skipped by every collection, objects allocated later are collected as before.
    """
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings | None = None, service: ClaimGraph | None = None, *, freeze_heap: bool = False
) -> FastAPI:
    """The app; ``freeze_heap`` (what `kg serve` asks for) freezes the start-up heap once the store is open
    (:func:`freeze_startup_heap`): a process that is only a server, not a test run that builds many apps."""
    service = service or ClaimGraph(settings or Settings())
    settings = service.settings

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        with service.hold():
            if freeze_heap:
                freeze_startup_heap()
            yield

    app = FastAPI(
        title="ClaimGraph",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by api.routes.pages from local assets: no CDN
        redoc_url=None,
    )
    app.state.service = service
    errors.install(app)
    app.add_middleware(RequestGuard, max_body_bytes=settings.api_max_body_bytes)
    app.add_middleware(HeadAsGet)  # outermost: HEAD goes through every check as the GET it stands for
    if settings.api_cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.api_cors_origins, allow_methods=["*"], allow_headers=["*"]
        )
    for module in (claims, catalog, insight, writes, reviews, graph, pages):
        app.include_router(module.router)
    app.mount(pages.STATIC, pages.static_files(), name="static")

    async def context(request: Request) -> dict[str, Any]:
        from fastapi.security import HTTPAuthorizationCredentials

        from api.deps import require_reader

        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        # the same rule as REST (HTTPBearer): only the Bearer scheme carries a token; "Basic <token>" is none
        bearer = scheme.lower() == "bearer" and token
        credentials = HTTPAuthorizationCredentials(scheme=scheme, credentials=token) if bearer else None
        require_reader(service, credentials)
        return {"service": service, "loaders": make_loaders(service)}

    app.include_router(
        LocalGraphiQLRouter(build_schema(settings.graphql), context_getter=context, graphql_ide="graphiql"),
        prefix="/graphql",
    )
    return app
