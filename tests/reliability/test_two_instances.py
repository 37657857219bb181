"""Two app servers sharing PostgreSQL and Redis behave as one service."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis

from backend.accounts.models import Employee
from tests.reliability.fixtures import credentials
from tests.reliability.servers import AppServer

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def two_servers(start_server: Callable[..., AppServer]) -> tuple[AppServer, AppServer]:
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {"REDIS_URL": REDIS_URL, "LOGIN_THROTTLE_RATE": "4/hour"}
    first, second = start_server(env=env), start_server(env=env)
    assert first.port != second.port
    return first, second


def test_login_throttle_is_global_across_instances(
    two_servers: tuple[AppServer, AppServer], production_employee: Employee
) -> None:
    first, second = two_servers
    wrong = {**credentials(production_employee), "password": "wrong"}

    statuses = [
        server.post("/api/v1/auth/token/", json=wrong).status_code
        for server in (first, second, first, second, first, second)
    ]

    assert statuses == [401, 401, 401, 401, 429, 429]
