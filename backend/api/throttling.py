"""Rate limits as sliding-window counters in the shared cache.

Each window of the rate's period has a counter; a request counts as the current window's
count plus the previous window's, weighted by how much of it still overlaps the last
period. That avoids the double burst a plain fixed window allows at its boundary.

With REDIS_URL set every app server counts against the same keys, so a limit holds across
the whole deployment. `cache.add` + `cache.incr` are atomic in Redis, unlike DRF's
read-modify-write history list. When the cache is unreachable the throttle fails open
(logs a warning and lets the request through): losing rate limiting for a while is
better than refusing every request.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import Any, cast

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from backend.api.cache import cache_outage_warning

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/min' -> (10, 60). Raises ValueError on anything else."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[0]]


def _redis_counts(backend: RedisCache, key: str, previous_key: str, ttl: int) -> tuple[int, int]:
    """This window's count with this request counted, and the previous window's, in ONE
    round trip (create with expiry unless present, increment, read the previous window).
    Django's cache API would take four (add, exists, incr, get) on every throttled
    request. The values stay what the cache API reads and writes (plain integers)."""
    client = backend._cache.get_client(key, write=True)
    pipe = client.pipeline(transaction=False)
    pipe.set(backend.make_and_validate_key(key), 0, ex=ttl, nx=True)
    pipe.incr(backend.make_and_validate_key(key))
    pipe.get(backend.make_and_validate_key(previous_key))
    _, count, previous = pipe.execute()
    return int(count), int(previous or 0)


class CacheCounterThrottle(BaseThrottle):
    scope: str = ""

    def __init__(self) -> None:
        self._wait: float | None = None

    def get_ident_key(self, request: Request, view: Any) -> str | None:
        """What is counted; None means this request is not throttled."""
        return self.get_ident(request)

    def allow_request(self, request: Request, view: Any) -> bool:
        # DRF's rates are "N/period" strings; its stubs type them as numbers.
        rate = cast(str | None, api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))
        if not rate:
            return True
        ident = self.get_ident_key(request, view)
        if ident is None:
            return True
        limit, period = parse_rate(rate)
        now = time.time()
        window = int(now // period)
        key = f"throttle:{self.scope}:{ident}:{window}"
        previous_key = f"throttle:{self.scope}:{ident}:{window - 1}"
        try:
            backend = caches["default"]
            if isinstance(backend, RedisCache):
                count, previous = _redis_counts(backend, key, previous_key, 2 * period + 1)
            else:
                count = self._increment(key, period)
                previous = cache.get(previous_key) or 0
        except Exception as exc:
            cache_outage_warning(
                logger, "throttle cache unavailable, allowing request", exc, scope=self.scope
            )
            return True
        overlap = 1 - (now % period) / period
        if count + previous * overlap > limit:
            self._wait = max(1.0, period - (now % period))
            return False
        return True

    @staticmethod
    def _increment(key: str, period: int) -> int:
        # Counters outlive their window by one period: the next window weighs them.
        if cache.add(key, 1, 2 * period + 1):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:
            # The key expired between add and incr: this request opens the window again.
            cache.add(key, 1, 2 * period + 1)
            return 1

    def wait(self) -> float | None:
        return math.ceil(self._wait) if self._wait is not None else None


class EmployeeWriteThrottle(CacheCounterThrottle):
    """Writes (POST) per employee; reads are not counted."""

    def get_ident_key(self, request: Request, view: Any) -> str | None:
        return f"employee-{request.user.pk}" if request.method == "POST" else None


class LoginRateThrottle(CacheCounterThrottle):
    """Login attempts per client address."""

    scope = "login"


class LoginIdentityThrottle(CacheCounterThrottle):
    """Login attempts per account, so one address cannot be guessed at from many clients."""

    scope = "login_identity"

    def get_ident_key(self, request: Request, view: Any) -> str | None:
        data = request.data if isinstance(request.data, dict) else {}
        email = data.get("email")
        if not isinstance(email, str) or not email.strip():
            return None
        # Hashed so that addresses never sit in the cache in the clear.
        return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


class PasswordResetIdentityThrottle(LoginIdentityThrottle):
    """Reset mails per address asked for, so nobody can flood one inbox."""

    scope = "password_reset"


class TokenRefreshThrottle(CacheCounterThrottle):
    scope = "token_refresh"
