"""The shared Redis cache, behind a circuit breaker.

Every use of the cache fails open (throttles let requests through, search ranks in the
database), but a Redis that accepts connections and never answers still cost each call
its full socket timeout: a login paid it twice, a search three times. After a failure
the breaker skips that Redis server for `CACHE_CIRCUIT_BREAKER_SECONDS`: every call
fails at once with `CacheCircuitOpen` (a `redis.ConnectionError`, so the existing
fail-open paths handle it) without touching the network. The first call after the
pause tries the server again. The outage is logged once when it starts and once when
the server answers again, not once per request.

It sits in the connection class, the one place every cache call, pipeline included,
goes through.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from typing import Any

import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import connection as redis_connection
from redis import exceptions as redis_exceptions

logger = logging.getLogger(__name__)

_FAILURES = (redis_exceptions.ConnectionError, redis_exceptions.TimeoutError, OSError)


class CacheCircuitOpen(redis_exceptions.ConnectionError):
    """The server failed moments ago; it is not called until the pause ends."""


class CircuitBreaker:
    """Per Redis server and process: open for a while after a failure."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._open_until = 0.0
        self._failing = False
        self._lock = threading.Lock()

    def check(self) -> None:
        if time.monotonic() < self._open_until:
            raise CacheCircuitOpen(f"{self.name} failed moments ago; not calling it now")

    def failed(self, error: BaseException) -> None:
        pause = float(settings.CACHE_CIRCUIT_BREAKER_SECONDS)
        with self._lock:
            self._open_until = time.monotonic() + pause
            first, self._failing = not self._failing, True
        if first:
            logger.warning(
                "cache unreachable, not calling it for %ss at a time until it answers",
                pause,
                extra={"cache": self.name, "error": type(error).__name__},
            )

    def succeeded(self) -> None:
        if self._failing:
            with self._lock:
                recovered, self._failing = self._failing, False
            if recovered:
                logger.info("cache answers again", extra={"cache": self.name})


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def circuit_breaker_for(name: str) -> CircuitBreaker:
    breaker = _breakers.get(name)  # every cache call asks: no lock, no new object then
    if breaker is None:
        with _breakers_lock:
            breaker = _breakers.setdefault(name, CircuitBreaker(name))
    return breaker


class _BreakerMixin:
    """Wraps the three calls through which a redis-py connection does I/O."""

    host: str
    port: int
    path: str

    @functools.cached_property
    def breaker(self) -> CircuitBreaker:  # a connection's server never changes
        where = getattr(self, "path", None) or f"{self.host}:{self.port}"
        return circuit_breaker_for(f"redis {where}")

    def _guarded(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        breaker = self.breaker
        breaker.check()
        try:
            result = call(*args, **kwargs)
        except CacheCircuitOpen:
            raise
        except _FAILURES as error:
            breaker.failed(error)
            raise
        breaker.succeeded()
        return result

    def connect_check_health(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded(super().connect_check_health, *args, **kwargs)  # type: ignore[misc]

    def send_packed_command(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded(super().send_packed_command, *args, **kwargs)  # type: ignore[misc]

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded(super().read_response, *args, **kwargs)  # type: ignore[misc]


class BreakerConnection(_BreakerMixin, redis_connection.Connection):
    pass


class BreakerSSLConnection(_BreakerMixin, redis_connection.SSLConnection):
    pass


class BreakerUnixConnection(_BreakerMixin, redis_connection.UnixDomainSocketConnection):
    pass


_CONNECTION_CLASSES = {
    "redis": BreakerConnection,
    "rediss": BreakerSSLConnection,
    "unix": BreakerUnixConnection,
}


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one `redis.Redis` per connection pool.

    Django builds a new `redis.Redis` for every cache call, and building one copies its
    table of response callbacks: 200 µs on the benchmark machine, more than the round trip
    to Redis itself, paid by every throttled request. A client only borrows connections
    from its pool per command, so one serves every call (and, redis-py documents, every
    thread)."""

    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # not in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = redis.Redis(connection_pool=pool)
        return client


class CircuitBreakerRedisCache(RedisCache):
    """Django's Redis cache with the breaker in its connections, reusing its clients."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        scheme = str(server).split(",")[0].split("://", 1)[0]
        options = {"connection_class": _CONNECTION_CLASSES[scheme], **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClientRedisCacheClient


def cache_outage_warning(
    log: logging.Logger, message: str, error: BaseException, **extra: str
) -> None:
    """A caller's warning that the cache failed it, except while the breaker is open:
    the breaker logged the outage once already."""
    if not isinstance(error, CacheCircuitOpen):
        log.warning(message, extra={**extra, "error": type(error).__name__})
