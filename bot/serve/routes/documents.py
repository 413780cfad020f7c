"""``GET /api/documents``: the documents the bot answers from, each with the company it speaks for.

A page about one document passes its ``source`` as ``document`` to ``POST /api/ask`` (the widget's
``data-document``) so answers quote that document only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..schemas import StrictJSONRoute
from . import service_of

router = APIRouter(route_class=StrictJSONRoute, tags=["api"])


@router.get("/api/documents", summary="List the documents and their owners")
async def api_documents(request: Request) -> dict[str, list[dict[str, object]]]:
    """Every document of the corpus: `source` (what `document` in `POST /api/ask` takes), `title`, `owner` (the
    company it speaks for; documents of different owners are never quoted together) and its section titles.
    503 while the bot loads."""
    service = service_of(request)
    service.require_ready()
    bot = service.bot
    return {
        "documents": [
            {
                "source": p.source,
                "title": p.title,
                "owner": p.owner,
                "sections": [s.title for s in bot.index.document(p.source).sections],
            }
            for p in bot.owners.profiles
        ]
    }
