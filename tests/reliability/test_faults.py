"""Faults in the backing services, against real gunicorn processes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
import redis

from backend.accounts.models import Employee
from tests.reliability.fixtures import credentials
from tests.reliability.proxy import FaultyLink
from tests.reliability.servers import AppServer, database_url

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

SERVICE_UNAVAILABLE = {
    "code": "service_unavailable",
    "message": "The service is temporarily unavailable. Please retry shortly.",
}


def eventually(check: Callable[[], bool], timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def test_database_outage_is_a_503_and_the_app_recovers_without_a_restart(
    start_server: Callable[..., AppServer],
    faulty_link: Callable[[str, int], FaultyLink],
    production_employee: Employee,
) -> None:
    link = faulty_link("127.0.0.1", 5432)
    server = start_server(env={"DATABASE_URL": database_url(port=link.port)})
    access = server.post("/api/v1/auth/token/", json=credentials(production_employee)).json()[
        "access"
    ]
    auth = {"Authorization": f"Bearer {access}"}
    assert server.get("/api/v1/me/", headers=auth).status_code == 200

    link.cut()
    ready = server.get("/readyz")
    me = server.get("/api/v1/me/", headers=auth)
    login = server.post("/api/v1/auth/token/", json=credentials(production_employee))

    assert ready.status_code == 503
    assert ready.json() == {
        "code": "service_unavailable",
        "message": "The database is unreachable.",
    }
    assert (me.status_code, me.json()) == (503, SERVICE_UNAVAILABLE)
    assert (login.status_code, login.json()) == (503, SERVICE_UNAVAILABLE)
    assert me.headers["Retry-After"] == ready.headers["Retry-After"] == "5"
    assert "Traceback" not in me.text

    link.restore()
    assert eventually(lambda: server.get("/readyz").status_code == 200)
    assert server.get("/api/v1/me/", headers=auth).status_code == 200
    assert server.process.poll() is None, "the server must recover without a restart"
    assert "Traceback" not in "".join(
        line for line in server.log_text().splitlines() if not line.startswith("{")
    )


# Longer than the five logins below take (each hashes a password), so that the breaker
# stays open between them.
PAUSE = 8


def test_redis_outage_fails_open_with_a_warning_and_limits_return_with_redis(
    start_server: Callable[..., AppServer],
    faulty_link: Callable[[str, int], FaultyLink],
    production_employee: Employee,
) -> None:
    redis.Redis(host="127.0.0.1", port=6379, db=12).flushdb()
    link = faulty_link("127.0.0.1", 6379)
    server = start_server(
        env={
            "REDIS_URL": f"redis://127.0.0.1:{link.port}/12",
            "LOGIN_THROTTLE_RATE": "3/hour",
            "CACHE_CIRCUIT_BREAKER_SECONDS": str(PAUSE),
        }
    )

    link.cut()
    during = [
        server.post("/api/v1/auth/token/", json=credentials(production_employee)).status_code
        for _ in range(5)
    ]

    assert during == [200] * 5, "with Redis away, requests are served unthrottled"
    warnings = [
        json.loads(line)
        for line in server.log_text().splitlines()
        if "throttle cache unavailable" in line
    ]
    assert warnings
    assert warnings[0]["level"] == "WARNING"
    assert warnings[0]["request_id"] != "-"
    # Logged once per worker process (two), not once per request: the circuit breaker
    # skips Redis after the first failure.
    assert len(warnings) <= 2
    assert 1 <= sum("cache unreachable" in line for line in server.log_text().splitlines()) <= 2

    link.restore()
    time.sleep(PAUSE + 0.2)  # the breaker's pause ends: Redis is called again
    after = [
        server.post("/api/v1/auth/token/", json=credentials(production_employee)).status_code
        for _ in range(4)
    ]
    assert after == [200, 200, 200, 429]
