"""The static side: the demo page (``/``), the widget's files, the site's stylesheet and the API docs (``/docs``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from ..headers import ASSET_HEADERS, DEMO_CSP, docs_csp
from ..schemas import StrictJSONRoute

STATIC = Path(__file__).resolve().parents[1] / "static"

router = APIRouter(route_class=StrictJSONRoute, tags=["pages"])


@router.get("/", response_class=HTMLResponse)
async def demo_page() -> FileResponse:
    """A small product site with the chat widget on it."""
    return FileResponse(
        STATIC / "index.html",
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": DEMO_CSP, "Cache-Control": "no-cache"},
    )


@router.get("/widget.js")
async def widget_js() -> FileResponse:
    """The chat widget: add `<script src="https://this-server/widget.js" async></script>` to a page."""
    return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8", headers=ASSET_HEADERS)


@router.get("/widget.css")
async def widget_css() -> FileResponse:
    return FileResponse(STATIC / "widget.css", media_type="text/css; charset=utf-8", headers=ASSET_HEADERS)


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    app = request.app
    page = get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - API")
    html = bytes(page.body).decode()
    return HTMLResponse(html, headers={"Content-Security-Policy": docs_csp(html), "Cache-Control": "no-cache"})


@router.get("/site.css", include_in_schema=False)
async def site_css() -> FileResponse:
    return FileResponse(
        STATIC / "site.css", media_type="text/css; charset=utf-8", headers={"Cache-Control": "public, max-age=300"}
    )
