"""One error shape for every failure, mapped from the ClaimGraph exception tree in one place.

{"error": {"code": "not_found", "message": "no claim 'c_x'", "details": [...]}}
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from kg.errors import ClaimGraphError, ParseError


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[Any] = []


class ErrorBody(BaseModel):
    error: ErrorDetail


def error_response(status: int, code: str, message: str, details: list[Any] | None = None) -> JSONResponse:
    body = ErrorBody(error=ErrorDetail(code=code, message=message, details=details or []))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def status_of(exc: ClaimGraphError) -> tuple[int, str]:
    """HTTP status and error code, from the one table in :data:`kg.errors.ERROR_POLICY`."""
    policy = exc.policy
    return policy.http_status, policy.code


def install(app: FastAPI) -> None:
    async def domain(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ClaimGraphError)
        status, code = status_of(exc)
        details = [str(i) for i in exc.issues] if isinstance(exc, ParseError) else []
        return error_response(status, code, str(exc).splitlines()[0], details)

    async def invalid(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()]
        return error_response(422, "invalid_input", "the request is not valid", details)

    async def http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
        return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))

    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Starlette logs the traceback; the client gets the documented shape, not a bare "Internal Server Error".
        return error_response(
            500, "internal_error", f"unexpected server error ({type(exc).__name__}); see the server log"
        )

    app.add_exception_handler(ClaimGraphError, domain)
    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "missing bearer token"},
    403: {"model": ErrorBody, "description": "wrong bearer token"},
    404: {"model": ErrorBody, "description": "unknown id"},
    422: {"model": ErrorBody, "description": "invalid input"},
}
