"""A Redis that accepts connections but never answers costs one timeout, not one per
call: the circuit breaker skips it for a while, everything fails open, the outage is
logged once, and the cache is used again once the server answers.

Real Redis behind a real TCP proxy that can hang (accept, read, never answer).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import redis
from django.core.cache import caches
from rest_framework.test import APIClient

from backend.api.cache import CacheCircuitOpen
from tests.reliability.proxy import FaultyLink

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PAUSE = 2


@pytest.fixture
def link() -> Iterator[FaultyLink]:
    target = urlsplit(REDIS_URL)
    link = FaultyLink(target.hostname or "127.0.0.1", target.port or 6379)
    yield link
    link.close()


@pytest.fixture
def hung_redis_cache(link: FaultyLink, settings) -> Iterator[FaultyLink]:
    """The default cache is the project's Redis cache, reached through `link`."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    settings.CACHE_CIRCUIT_BREAKER_SECONDS = PAUSE
    settings.CACHES = {
        "default": {
            "BACKEND": "backend.api.cache.CircuitBreakerRedisCache",
            "LOCATION": f"redis://127.0.0.1:{link.port}/{urlsplit(REDIS_URL).path.lstrip('/')}",
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
        }
    }
    yield link
    redis.Redis.from_url(REDIS_URL).flushdb()


def _outcome(call) -> str:  # type: ignore[no-untyped-def]
    try:
        call()
    except CacheCircuitOpen:
        return "skipped"
    except (redis.ConnectionError, redis.TimeoutError):
        return "failed"
    return "ok"


def test_a_hung_redis_is_called_once_then_skipped_until_it_answers_again(
    hung_redis_cache: FaultyLink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="backend.api.cache")
    link, cache = hung_redis_cache, caches["default"]
    cache.set("greeting", "hoi")

    link.hang()
    first = _outcome(lambda: cache.get("greeting"))
    sent_while_hung = link.swallowed
    during = {
        _outcome(call)
        for call in [
            lambda: cache.get("greeting"),
            lambda: cache.set("greeting", "dag"),
            lambda: cache.get_many(["a", "b"]),
            lambda: cache.incr("greeting"),
        ]
        * 10
    }
    link.restore()
    still_paused = _outcome(lambda: cache.get("greeting"))
    time.sleep(PAUSE + 0.2)  # the pause ends; the next call tries the server again
    after = cache.get("greeting")

    assert first == "failed"
    assert sent_while_hung > 0
    assert during == {"skipped"}
    assert link.swallowed == sent_while_hung, "no byte went to the hung server while paused"
    assert still_paused == "skipped"
    assert after == "hoi"
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "WARNING",
            f"cache unreachable, not calling it for {float(PAUSE)}s at a time until it answers",
        ),
        ("INFO", "cache answers again"),
    ]


def test_requests_are_served_without_waiting_on_a_hung_redis(
    hung_redis_cache: FaultyLink,
    employee,
    throttle_rates,
    caplog: pytest.LogCaptureFixture,
) -> None:
    throttle_rates(login="3/min")
    link = hung_redis_cache
    link.hang()

    statuses = [
        APIClient()
        .post("/api/v1/auth/token/", {"email": employee.email, "password": "correct-horse-battery"})
        .status_code
        for _ in range(6)
    ]
    sent = link.swallowed
    statuses.append(
        APIClient()
        .post("/api/v1/auth/token/", {"email": "x@y.example", "password": "z"})
        .status_code
    )

    assert statuses == [200] * 6 + [401], "throttles fail open"
    assert link.swallowed == sent
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    # One failed call logs it (the throttle that met it, and the breaker), then silence.
    assert warnings == [
        "cache unreachable, not calling it for 2.0s at a time until it answers",
        "throttle cache unavailable, allowing request",
    ]


def test_cache_calls_reuse_one_redis_client_per_server(settings) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "backend.api.cache.CircuitBreakerRedisCache", "LOCATION": REDIS_URL}
    }
    cache = caches["default"]

    cache.set("greeting", "hoi")
    first = cache._cache.get_client("greeting", write=True)
    second = cache._cache.get_client("other")

    assert first is second
    assert cache.get("greeting") == "hoi"
    assert cache.add("greeting-count", 1)
    assert cache.incr("greeting-count") == 2
    cache.delete_many(["greeting", "greeting-count"])
