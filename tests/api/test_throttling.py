from __future__ import annotations

from unittest import mock

import pytest
import redis
from rest_framework.test import APIRequestFactory

from backend.api.throttling import CacheCounterThrottle
from tests.conftest import ThrottleRates


class ExampleThrottle(CacheCounterThrottle):
    scope = "example"


def attempt_at(moment: float, address: str = "10.1.1.1") -> bool:
    request = APIRequestFactory().get("/", REMOTE_ADDR=address)
    with mock.patch("backend.api.throttling.time.time", return_value=moment):
        return ExampleThrottle().allow_request(request, None)


def test_the_previous_window_still_counts_just_after_the_boundary(
    throttle_rates: ThrottleRates,
) -> None:
    throttle_rates(example="3/min")

    assert [attempt_at(6000 + 59.5) for _ in range(3)] == [True, True, True]
    # One second later a new fixed window has begun, but the last minute held 3 already.
    assert attempt_at(6000 + 60.5) is False


def test_the_previous_window_fades_as_the_new_one_fills(throttle_rates: ThrottleRates) -> None:
    throttle_rates(example="3/min")
    for _ in range(3):
        attempt_at(6000 + 59.5)

    # 55 s into the next window, 3 old requests weigh 3 * 5/60 = 0.25.
    assert [attempt_at(6000 + 115) for _ in range(3)] == [True, True, False]


def test_addresses_are_counted_separately(throttle_rates: ThrottleRates) -> None:
    throttle_rates(example="1/min")

    assert attempt_at(6000, "10.0.0.1") is True
    assert attempt_at(6000, "10.0.0.2") is True
    assert attempt_at(6000, "10.0.0.1") is False


def test_a_scope_without_a_rate_is_not_throttled(throttle_rates: ThrottleRates) -> None:
    assert all(attempt_at(6000) for _ in range(100))


@pytest.mark.parametrize("cache_kind", ["memory", "redis"])
def test_the_sliding_window_is_the_same_in_memory_and_in_redis(
    cache_kind: str, throttle_rates: ThrottleRates, request: pytest.FixtureRequest
) -> None:
    if cache_kind == "redis":
        request.getfixturevalue("redis_cache")  # counted in one round trip per request
    throttle_rates(example="3/min")

    assert [attempt_at(9000 + 59.5) for _ in range(4)] == [True, True, True, False]
    # 55 s into the next window the 4 counted requests weigh 4 * 5/60 = 0.33.
    assert [attempt_at(9000 + 115) for _ in range(3)] == [True, True, False]


def test_redis_counters_expire_after_the_next_window(
    throttle_rates: ThrottleRates, redis_cache: str
) -> None:
    throttle_rates(example="3/min")

    attempt_at(9000)

    [key] = redis.Redis.from_url(redis_cache).keys("*throttle:example:10.1.1.1:*")
    assert 60 < redis.Redis.from_url(redis_cache).ttl(key) <= 121
    assert int(redis.Redis.from_url(redis_cache).get(key)) == 1
