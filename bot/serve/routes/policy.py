"""``GET /policy``: the policy as HTML, one ``id`` per section, a cited span marked (``bot.serve.pages``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from ..headers import PAGE_CSP
from ..pages import parse_range, policy_page
from ..schemas import StrictJSONRoute
from . import service_of

router = APIRouter(route_class=StrictJSONRoute, tags=["pages"])


@router.get("/policy", response_class=HTMLResponse)
async def policy(request: Request, source: str | None = None, hl: str | None = None) -> HTMLResponse:
    """The policy as HTML, one `id` per section; `hl=START-END` marks those characters; `source` picks
    the document when there are several."""
    service = service_of(request)
    service.require_ready()
    documents = service.bot.index.documents
    if source is None:
        doc = next(iter(documents.values()))
    elif source in documents:
        doc = documents[source]
    else:
        raise HTTPException(404, f"no policy document {source!r}; known: {', '.join(documents)}")
    span = None
    if hl is not None:
        try:
            span = parse_range(hl, len(doc.text))
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
    html = policy_page(doc, documents.values(), span)
    return HTMLResponse(html, headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"})
