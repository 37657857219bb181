from __future__ import annotations

import logging

import pytest
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from backend.accounts.models import Employee
from backend.accounts.services import employee_deactivate
from tests.caches import UNREACHABLE_CACHES
from tests.concurrency import run_concurrently
from tests.conftest import ThrottleRates, login
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
LOGOUT_URL = "/api/v1/auth/logout/"


def test_login_returns_a_token_pair_that_opens_me(
    api_client: APIClient, employee: Employee
) -> None:
    response = api_client.post(TOKEN_URL, {"email": employee.email, "password": PASSWORD})

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    me = api_client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["email"] == employee.email


def test_login_ignores_case_and_spaces_in_the_email(
    api_client: APIClient, employee: Employee
) -> None:
    response = api_client.post(
        TOKEN_URL, {"email": f"  {employee.email.upper()} ", "password": PASSWORD}
    )

    assert response.status_code == 200


def test_wrong_password_is_refused_with_the_error_shape(
    api_client: APIClient, employee: Employee
) -> None:
    response = api_client.post(TOKEN_URL, {"email": employee.email, "password": "wrong"})

    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "Email or password is wrong, or the account is not active.",
    }


def test_login_without_fields_names_each_missing_field(api_client: APIClient, db: None) -> None:
    response = api_client.post(TOKEN_URL, {})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {
        "email": [{"code": "required", "message": "This field is required."}],
        "password": [{"code": "required", "message": "This field is required."}],
    }


def test_deactivated_employee_cannot_log_in(api_client: APIClient, employee: Employee) -> None:
    employee_deactivate(employee=employee)

    response = api_client.post(TOKEN_URL, {"email": employee.email, "password": PASSWORD})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_access_token_of_a_deactivated_employee_stops_working(employee: Employee) -> None:
    client = login(employee)
    employee_deactivate(employee=employee)

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


def test_refresh_rotates_and_the_old_refresh_token_is_refused(employee: Employee) -> None:
    client = login(employee)
    old_refresh = client.refresh_token  # type: ignore[attr-defined]

    first = APIClient().post(REFRESH_URL, {"refresh": old_refresh})
    second = APIClient().post(REFRESH_URL, {"refresh": old_refresh})

    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}
    assert first.json()["refresh"] != old_refresh
    assert second.status_code == 401
    assert second.json()["code"] == "token_not_valid"
    assert APIClient().post(REFRESH_URL, {"refresh": first.json()["refresh"]}).status_code == 200


def test_deactivated_employee_cannot_refresh(employee: Employee) -> None:
    client = login(employee)
    employee_deactivate(employee=employee)

    response = APIClient().post(REFRESH_URL, {"refresh": client.refresh_token})  # type: ignore[attr-defined]

    assert response.status_code == 401
    assert response.json()["code"] == "account_inactive"


def test_refresh_with_garbage_is_401(api_client: APIClient, db: None) -> None:
    response = api_client.post(REFRESH_URL, {"refresh": "not-a-jwt"})

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_access_token_cannot_be_used_as_refresh_token(employee: Employee) -> None:
    client = login(employee)
    access = client._credentials["HTTP_AUTHORIZATION"].split()[1]  # type: ignore[attr-defined]

    response = APIClient().post(REFRESH_URL, {"refresh": access})

    assert response.status_code == 401


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_with_one_token_rotate_it_only_once(employee: Employee) -> None:
    refresh = login(employee).refresh_token  # type: ignore[attr-defined]

    statuses = run_concurrently(
        lambda _: APIClient().post(REFRESH_URL, {"refresh": refresh}, format="json").status_code, 6
    )

    assert sorted(statuses) == [200, 401, 401, 401, 401, 401]
    assert BlacklistedToken.objects.count() == 1


def test_logout_ends_the_session(employee: Employee) -> None:
    client = login(employee)

    response = client.post(LOGOUT_URL, {"refresh": client.refresh_token})  # type: ignore[attr-defined]

    assert response.status_code == 204
    again = APIClient().post(REFRESH_URL, {"refresh": client.refresh_token})  # type: ignore[attr-defined]
    assert again.status_code == 401
    assert client.post(LOGOUT_URL, {"refresh": client.refresh_token}).status_code == 204  # type: ignore[attr-defined]


def test_logout_refuses_another_employees_refresh_token(
    employee: Employee, other_employee: Employee
) -> None:
    mine = login(employee)
    theirs = login(other_employee)

    response = mine.post(LOGOUT_URL, {"refresh": theirs.refresh_token})  # type: ignore[attr-defined]

    assert response.status_code == 401
    assert BlacklistedToken.objects.count() == 0


def test_logout_requires_authentication(api_client: APIClient, db: None) -> None:
    response = api_client.post(LOGOUT_URL, {"refresh": "x"})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_password_change_revokes_existing_access_tokens(employee: Employee) -> None:
    client = login(employee)
    employee.set_password("a-new-password-123")
    employee.save()

    assert client.get("/api/v1/me/").status_code == 401


def test_login_is_throttled_per_client_address(
    api_client: APIClient, employee: Employee, throttle_rates: ThrottleRates
) -> None:
    throttle_rates(login="3/min", login_identity="100/min")

    statuses = [
        api_client.post(TOKEN_URL, {"email": employee.email, "password": "wrong"}).status_code
        for _ in range(4)
    ]

    assert statuses == [401, 401, 401, 429]
    blocked = api_client.post(TOKEN_URL, {"email": employee.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert 1 <= int(blocked["Retry-After"]) <= 60


def test_login_is_throttled_per_account_across_addresses(
    employee: Employee, throttle_rates: ThrottleRates
) -> None:
    throttle_rates(login="100/min", login_identity="2/min")

    def attempt(address: str) -> int:
        client = APIClient(REMOTE_ADDR=address)
        return client.post(TOKEN_URL, {"email": employee.email, "password": "x"}).status_code

    assert [attempt("10.0.0.1"), attempt("10.0.0.2"), attempt("10.0.0.3")] == [401, 401, 429]


def test_login_throttle_counts_in_redis_when_configured(
    api_client: APIClient, employee: Employee, redis_cache: str
) -> None:
    import redis

    api_client.post(TOKEN_URL, {"email": employee.email, "password": "wrong"})
    api_client.post(TOKEN_URL, {"email": employee.email, "password": "wrong"})

    keys = redis.Redis.from_url(redis_cache).keys("*throttle:login:127.0.0.1:*")
    assert len(keys) == 1
    assert int(redis.Redis.from_url(redis_cache).get(keys[0])) == 2


def test_login_still_works_when_the_cache_is_down(
    api_client: APIClient, employee: Employee, caplog: pytest.LogCaptureFixture
) -> None:
    with override_settings(CACHES=UNREACHABLE_CACHES), caplog.at_level(logging.WARNING):
        response = api_client.post(TOKEN_URL, {"email": employee.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "throttle cache unavailable, allowing request" in caplog.messages
