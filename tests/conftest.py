from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from backend.accounts.roles import Role
from backend.accounts.services import employee_set_roles
from tests.factories import PASSWORD, EmployeeFactory


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Throttle counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


ThrottleRates = Callable[..., None]


@pytest.fixture(autouse=True)
def _own_search_index(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test searches its own index, built from its own database on first use."""
    from knowledge.search.reader import index_reader_forget

    settings.SEARCH_INDEX_DIR = str(tmp_path_factory.mktemp("search-index"))
    index_reader_forget()
    yield
    index_reader_forget()


@pytest.fixture
def throttle_rates(settings: Any) -> ThrottleRates:
    """Sets throttle rates for one test, e.g. `throttle_rates(login="3/min")`."""

    def set_rates(**rates: str) -> None:
        current = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {
            **current,
            "DEFAULT_THROTTLE_RATES": {**current["DEFAULT_THROTTLE_RATES"], **rates},
        }

    return set_rates


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[str]:
    """Points the default cache at the real Redis (REDIS_URL, else a local test db)."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    redis.Redis.from_url(url).flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_employee(db: None) -> Callable[..., Employee]:
    def make(*, roles: tuple[Role, ...] = (), **fields: Any) -> Employee:
        employee = EmployeeFactory(**fields)
        if roles:
            employee_set_roles(employee=employee, roles=roles)
        return employee

    return make


@pytest.fixture
def employee(make_employee: Callable[..., Employee]) -> Employee:
    return make_employee(display_name="Anna de Vries")


@pytest.fixture
def other_employee(make_employee: Callable[..., Employee]) -> Employee:
    return make_employee(display_name="Bram Visser", department="Customer Service", team="Billing")


@pytest.fixture
def editor(make_employee: Callable[..., Employee]) -> Employee:
    return make_employee(display_name="Eva Jansen", roles=(Role.EDITOR,))


@pytest.fixture
def sales_ops(make_employee: Callable[..., Employee]) -> Employee:
    return make_employee(display_name="Sam Bakker", roles=(Role.SALES_OPS,))


@pytest.fixture
def staff(make_employee: Callable[..., Employee]) -> Employee:
    return make_employee(display_name="Admin Beheer", is_staff=True)


def login(employee: Employee, password: str = PASSWORD) -> APIClient:
    """A client holding a real access token from the real login endpoint."""
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"email": employee.email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    client.refresh_token = response.json()["refresh"]  # type: ignore[attr-defined]
    return client


@pytest.fixture
def employee_client(employee: Employee) -> APIClient:
    return login(employee)


@pytest.fixture
def other_client(other_employee: Employee) -> APIClient:
    return login(other_employee)


@pytest.fixture
def editor_client(editor: Employee) -> APIClient:
    return login(editor)


@pytest.fixture
def sales_ops_client(sales_ops: Employee) -> APIClient:
    return login(sales_ops)


@pytest.fixture
def staff_client(staff: Employee) -> APIClient:
    return login(staff)


# Real app servers and faulty links, shared by the reliability and contract tests.
from tests.reliability.fixtures import faulty_link, production_employee, start_server  # noqa: E402,F401
