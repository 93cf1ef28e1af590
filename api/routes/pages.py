"""ClaimGraph's own page at /, and Swagger UI and GraphiQL, every asset served from here (no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

WEB = Path(__file__).resolve().parents[1] / "web"
VENDOR = WEB / "vendor"
STATIC = "/static"

router = APIRouter(include_in_schema=False)


def static_files() -> StaticFiles:
    return StaticFiles(directory=WEB, check_dir=True)


def assets_missing() -> str | None:
    """Why the page cannot render (its third-party files are built by `make web`), or None."""
    needed = ("cytoscape.min.js", "swagger-ui-bundle.js", "graphiql.min.js", "react.production.min.js")
    missing = [name for name in needed if not (VENDOR / name).exists()]
    # named relative to the project: the 503 page must not show where the server is installed
    return f"missing {', '.join(missing)} in api/web/vendor: run `make web`" if missing else None


def _page_or_hint(path: Path) -> HTMLResponse | FileResponse:
    problem = assets_missing()
    if problem:
        return HTMLResponse(f"<h1>ClaimGraph</h1><p>The page's assets are not built: {problem}.</p>", status_code=503)
    return FileResponse(path)


@router.get("/", response_model=None)
def index() -> HTMLResponse | FileResponse:
    return _page_or_hint(WEB / "index.html")


@router.get("/docs")
def swagger() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="ClaimGraph API",
        swagger_js_url=f"{STATIC}/vendor/swagger-ui-bundle.js",
        swagger_css_url=f"{STATIC}/vendor/swagger-ui.css",
        swagger_favicon_url=f"{STATIC}/favicon.svg",
    )


def graphiql_html() -> str:
    """GraphiQL from the vendored React and GraphiQL builds, opened with the XNLI question."""
    return (WEB / "graphiql.html").read_text(encoding="utf-8")
