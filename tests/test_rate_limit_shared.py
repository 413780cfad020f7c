"""Rate limits that hold across replicas: two real server processes counting in one real Redis (issue 17, item 1).

With the default ``memory://`` storage each replica counts alone, so behind N replicas a client gets N times the
limit; with ``BOT_RATE_LIMIT_STORAGE=redis://...`` the count is shared. If Redis goes away the replicas keep
answering, each counting in its own memory again, and say so in the log.
"""

from __future__ import annotations

import secrets

import httpx
import pytest
import redis
from live_server import LiveServer, serve
from redis_support import throwaway_redis

LIMIT = 4


def _feedback(server: LiveServer) -> int:
    """One rate-limited request that costs no model time: feedback on an unknown answer (404 once counted)."""
    body = {"id": secrets.token_hex(16), "rating": "up"}
    return httpx.post(server.url + "/api/feedback", json=body, timeout=30).status_code


def test_two_replicas_share_one_limit_in_redis(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = {"rate_limit": f"{LIMIT}/minute"}
    with (
        throwaway_redis() as (url, stop_redis),
        serve(tmp_path_factory, "replica-a", rate_limit_storage=url, **settings) as a,
        serve(tmp_path_factory, "replica-b", rate_limit_storage=url, **settings) as b,
    ):
        # Alternating between the replicas: each sees only half the requests, yet the limit is the shared count.
        statuses = [_feedback(a if i % 2 == 0 else b) for i in range(LIMIT)]
        assert statuses == [404] * LIMIT
        assert (_feedback(a), _feedback(b)) == (429, 429)
        keys = redis.Redis.from_url(url).keys("*policybot*")
        assert keys, "the counts are not in Redis"

        # Redis gone: no request fails; each replica counts in its own memory again, and logs that it does.
        stop_redis()
        assert _feedback(a) in (404, 429)
        assert _feedback(b) in (404, 429)
        assert "falling back to in-memory storage" in a.log()
