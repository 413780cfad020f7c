"""One ``APIRouter`` per concern: ``ask``, ``feedback``, ``health``, ``policy`` (the policy page) and ``site`` (the
demo page, the widget's files, the API docs). Each reads the shared resources from ``request.app.state``.

The rate-limited ones (``ask``, ``feedback``) are built by ``make_router(settings, limiter)``: slowapi fixes a
route's limit when the route is declared. The others are plain module-level ``router`` objects.
"""

from __future__ import annotations

from fastapi import Request

from ..service import Service


def service_of(request: Request) -> Service:
    """The app's :class:`Service` (created in the lifespan)."""
    service: Service = request.app.state.service
    return service
