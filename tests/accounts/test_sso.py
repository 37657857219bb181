"""Single sign-on: ID tokens from a real OpenID provider on loopback -> our JWT pair."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from backend.accounts.employment import employee_leave
from backend.accounts.models import Employee
from tests.accounts.oidc import CLIENT_ID, OpenIdProvider

URL = "/api/v1/auth/sso/token/"


@pytest.fixture
def provider(settings: Any) -> Iterator[OpenIdProvider]:
    provider = OpenIdProvider()
    provider.add_key("key-1")
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_IDS = [CLIENT_ID, "ceo-app-ios"]
    settings.OIDC_EMAIL_CLAIM = "email"
    yield provider
    provider.stop()


def sign_in(token: str) -> Any:
    return APIClient().post(URL, {"id_token": token}, format="json")


def refused(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


def test_a_signed_id_token_of_an_active_employee_gives_a_working_pair(
    provider: OpenIdProvider, employee: Employee
) -> None:
    response = sign_in(provider.id_token(employee.email.upper()))

    assert response.status_code == 200, response.content
    assert set(response.json()) == {"access", "refresh"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    me = client.get("/api/v1/me/")
    assert (me.status_code, me.json()["email"]) == (200, employee.email)
    refreshed = APIClient().post(
        "/api/v1/auth/token/refresh/", {"refresh": response.json()["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200


def test_ec_keys_and_a_second_accepted_audience_work(
    provider: OpenIdProvider, employee: Employee
) -> None:
    provider.add_key("ec-1", "ES256")

    response = sign_in(provider.id_token(employee.email, kid="ec-1", aud="ceo-app-ios"))

    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"exp": int(time.time()) - 120, "iat": int(time.time()) - 600}, "id_token_expired"),
        ({"aud": "another-app"}, "id_token_audience"),
        ({"aud": [CLIENT_ID, "another-app"]}, "id_token_audience"),  # several, no azp
        ({"aud": [CLIENT_ID, "x"], "azp": "x"}, "id_token_audience"),
        ({"iss": "https://login.evil.example"}, "id_token_issuer"),
        ({"nbf": int(time.time()) + 600}, "id_token_invalid"),
        ({"iat": None}, "id_token_invalid"),
        ({"email_verified": False}, "email_unverified"),
        ({"email": None}, "id_token_no_email"),
    ],
)
def test_tokens_a_relying_party_must_refuse_get_401(
    provider: OpenIdProvider, employee: Employee, overrides: dict[str, Any], code: str
) -> None:
    response = sign_in(provider.id_token(employee.email, **overrides))

    assert refused(response) == (401, code)
    assert OutstandingToken.objects.count() == 0


def test_several_audiences_with_our_azp_are_accepted(
    provider: OpenIdProvider, employee: Employee
) -> None:
    token = provider.id_token(employee.email, aud=[CLIENT_ID, "graph"], azp=CLIENT_ID)

    assert sign_in(token).status_code == 200


def test_a_tampered_token_is_refused(provider: OpenIdProvider, employee: Employee) -> None:
    header, _, signature = provider.id_token(employee.email).split(".")
    forged = provider.id_token("someone.else@ceo-telecom.example").split(".")[1]

    response = sign_in(f"{header}.{forged}.{signature}")

    assert refused(response) == (401, "id_token_invalid")


def test_alg_none_and_hs256_with_the_public_key_are_refused(
    provider: OpenIdProvider, employee: Employee
) -> None:
    unsigned = sign_in(provider.unsigned_token(employee.email))
    confused = sign_in(provider.hs256_with_public_key(employee.email))

    assert refused(unsigned) == (401, "id_token_algorithm")
    assert refused(confused) == (401, "id_token_algorithm")


def test_a_key_the_provider_does_not_publish_is_refused_and_refetched_once_a_minute(
    provider: OpenIdProvider, employee: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(jwt.jwks_client.time, "monotonic", lambda: clock[0])
    assert sign_in(provider.id_token(employee.email)).status_code == 200
    provider.add_key("rogue", publish=False)

    first = sign_in(provider.id_token(employee.email, kid="rogue"))
    second = sign_in(provider.id_token(employee.email, kid="rogue"))
    fetched_within_a_minute = provider.jwks_requests
    provider.published.add("rogue")  # the provider rotates its keys
    still_cooling = sign_in(provider.id_token(employee.email, kid="rogue"))
    clock[0] += 61
    after_a_minute = sign_in(provider.id_token(employee.email, kid="rogue"))

    assert refused(first) == (401, "id_token_unknown_key")
    assert refused(second) == (401, "id_token_unknown_key")
    assert fetched_within_a_minute == 1
    assert refused(still_cooling) == (401, "id_token_unknown_key")
    assert after_a_minute.status_code == 200
    assert (provider.discovery_requests, provider.jwks_requests) == (1, 2)


def test_unknown_and_departed_employees_are_refused(
    provider: OpenIdProvider, employee: Employee
) -> None:
    unknown = sign_in(provider.id_token("stranger@ceo-telecom.example"))
    employee_leave(employee=employee)
    departed = sign_in(provider.id_token(employee.email))

    assert refused(unknown) == (403, "not_on_roster")
    assert refused(departed) == (403, "account_inactive")
    assert Employee.objects.count() == 1


def test_a_configured_email_claim_is_used(
    provider: OpenIdProvider, employee: Employee, settings: Any
) -> None:
    settings.OIDC_EMAIL_CLAIM = "preferred_username"

    by_upn = sign_in(provider.id_token("x@other.example", preferred_username=employee.email))

    assert by_upn.status_code == 200


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_provider_that_cannot_be_reached_gives_503(
    provider: OpenIdProvider, employee: Employee, settings: Any
) -> None:
    token = provider.id_token(employee.email)
    settings.OIDC_ISSUER = f"http://127.0.0.1:{_closed_port()}"

    assert refused(sign_in(token)) == (503, "identity_provider_unavailable")


def test_cached_keys_keep_sign_in_working_while_the_provider_is_down(
    provider: OpenIdProvider, employee: Employee
) -> None:
    assert sign_in(provider.id_token(employee.email)).status_code == 200
    token = provider.id_token(employee.email)
    provider.stop()

    assert sign_in(token).status_code == 200


@pytest.mark.django_db
def test_sso_off_answers_404_saying_so(settings: Any) -> None:
    settings.OIDC_ISSUER = ""

    assert refused(sign_in("a.b.c")) == (404, "sso_not_configured")
