"""Single sign-on: ID tokens from a real OpenID provider on loopback -> our JWT pair."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import jwt
import pytest
from django.utils import timezone
from jwt.utils import base64url_decode, base64url_encode
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from backend.accounts.employment import employee_leave, employee_return
from backend.accounts.models import Employee, UsedIdToken
from backend.accounts.tasks import purge_expired_tokens
from tests.accounts.oidc import CLIENT_ID, OpenIdProvider
from tests.concurrency import run_concurrently

URL = "/api/v1/auth/sso/token/"
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


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


def test_an_id_token_signs_in_once(provider: OpenIdProvider, employee: Employee) -> None:
    token = provider.id_token(employee.email)

    first, again = sign_in(token), sign_in(token)

    assert first.status_code == 200
    assert refused(again) == (401, "id_token_replayed")
    assert sign_in(provider.id_token(employee.email)).status_code == 200  # a new one does


def test_the_same_claims_under_another_valid_signature_are_the_same_token(
    provider: OpenIdProvider, employee: Employee
) -> None:
    """An ECDSA signature (r, s) has a twin (r, n - s) that verifies too: whoever holds a
    token can make a second one that differs only in its signature. It is the same
    sign-in."""
    provider.add_key("ec-1", "ES256")
    token = provider.id_token(employee.email, kid="ec-1")
    header, claims, signature = token.split(".")
    raw = base64url_decode(signature)
    s = int.from_bytes(raw[32:], "big")
    twin_signature = raw[:32] + (P256_ORDER - s).to_bytes(32, "big")
    twin = f"{header}.{claims}.{base64url_encode(twin_signature).decode()}"

    assert sign_in(token).status_code == 200
    assert refused(sign_in(twin)) == (401, "id_token_replayed")


def test_a_refused_sign_in_leaves_the_token_unused(
    provider: OpenIdProvider, employee: Employee
) -> None:
    employee_leave(employee=employee)
    token = provider.id_token(employee.email)
    assert refused(sign_in(token)) == (403, "account_inactive")

    employee_return(employee=employee)

    assert sign_in(token).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ins_with_one_id_token_give_one_session(
    provider: OpenIdProvider, employee: Employee
) -> None:
    token = provider.id_token(employee.email)

    responses = run_concurrently(lambda _: sign_in(token), 5)

    assert sorted(r.status_code for r in responses) == [200, 401, 401, 401, 401]
    assert {r.json()["code"] for r in responses if r.status_code == 401} == {"id_token_replayed"}
    assert OutstandingToken.objects.filter(user=employee).count() == 1
    assert UsedIdToken.objects.count() == 1


def test_expired_tokens_are_forgotten_and_live_ones_kept(
    provider: OpenIdProvider, employee: Employee
) -> None:
    for _ in range(2):
        assert sign_in(provider.id_token(employee.email)).status_code == 200
    expired_refresh, live_refresh = OutstandingToken.objects.order_by("pk")
    past = timezone.now() - timedelta(seconds=1)
    OutstandingToken.objects.filter(pk=expired_refresh.pk).update(expires_at=past)
    UsedIdToken.objects.filter(pk=UsedIdToken.objects.order_by("expires_at")[0].pk).update(
        expires_at=past
    )

    purge_expired_tokens(timestamp=0)

    assert list(OutstandingToken.objects.values_list("pk", flat=True)) == [live_refresh.pk]
    assert [used.expires_at > timezone.now() for used in UsedIdToken.objects.all()] == [True]
