"""Dependencies shared by the routes: the service, and bearer-token checks for writes (and reads, if configured)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from claimgraph.services import ClaimGraph

_bearer = HTTPBearer(auto_error=False)


def get_service(request: Request) -> ClaimGraph:
    service: ClaimGraph = request.app.state.service
    return service


Service = Annotated[ClaimGraph, Depends(get_service)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _check(service: ClaimGraph, credentials: HTTPAuthorizationCredentials | None) -> None:
    token = service.settings.api_token
    if credentials is None:
        raise HTTPException(401, "this route needs `Authorization: Bearer <token>`")
    if token is None or not secrets.compare_digest(
        credentials.credentials.encode("utf-8", "surrogatepass"),
        token.get_secret_value().encode("utf-8", "surrogatepass"),
    ):
        raise HTTPException(403, "the bearer token is not valid" if token else "writes are disabled: no token is set")


def require_writer(service: Service, credentials: Credentials) -> None:
    _check(service, credentials)


def require_reader(service: Service, credentials: Credentials) -> None:
    if service.settings.api_protect_reads:
        _check(service, credentials)


Writer = Depends(require_writer)
Reader = Depends(require_reader)
