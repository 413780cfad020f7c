"""``GET /api/health``: 503 while the bot loads (or failed to), then 200 with what the index was built from."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..schemas import StrictJSONRoute
from . import service_of

router = APIRouter(route_class=StrictJSONRoute, tags=["api"])


@router.get("/api/health")
async def api_health(request: Request) -> JSONResponse:
    """503 while the bot loads; then 200 with the index manifest (corpus hashes, model fingerprint) and the queue:
    questions being answered now, questions waiting for the models, and how many may wait before 503."""
    service = service_of(request)
    if service.state != "ready":
        return JSONResponse(
            {"status": service.state, "detail": service.error}, status_code=503, headers={"Retry-After": "5"}
        )
    index = service.bot.index
    m = index.manifest
    return JSONResponse(
        {
            "status": "ok",
            "documents": [
                {"source": d.source, "title": d.title, "sections": len(d.sections)} for d in index.documents.values()
            ],
            "corpus": m.get("corpus", {}),
            "embedding_fingerprint": m.get("embedding_fingerprint"),
            "chunking": m.get("chunking"),
            "chunks": m.get("chunks"),
            "built_at": m.get("built_at"),
            "reranker": bool(service.settings.reranker_dir),
            "queue": service.queue(),
        }
    )
