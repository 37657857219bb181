"""The admin login is rate limited (django-axes): repeated wrong passwords lock the
account and the address out for the cool-off period; the API login is not affected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from tests.factories import PASSWORD

LOGIN = "/admin/login/?next=/admin/"
pytestmark = pytest.mark.django_db


def _admin_login(email: str, password: str, address: str = "198.51.100.7") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.response = client.post(  # type: ignore[attr-defined]
        LOGIN, {"username": email, "password": password, "next": "/admin/"}
    )
    return client


def _signed_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def test_five_wrong_passwords_lock_the_account_out_of_the_admin(staff: Employee, settings) -> None:
    wrong = [_admin_login(staff.email, f"guess-{n}").response.status_code for n in range(5)]
    # The right password, from another address: the account itself is locked.
    right = _admin_login(staff.email, PASSWORD, address="203.0.113.9")

    assert settings.AXES_FAILURE_LIMIT == 5
    # The form again with its error, and the fifth failure shows the lockout page.
    assert wrong == [200, 200, 200, 200, 429]
    assert right.response.status_code == 429
    assert right.response["Retry-After"] == "900"
    assert b"Too many failed sign-ins" in right.response.content
    assert not _signed_in(right)


def test_the_address_is_locked_whichever_accounts_it_tries(staff: Employee, make_employee) -> None:
    for n in range(5):
        _admin_login(f"nobody{n}@ceo-telecom.example", "guess")

    locked = _admin_login(staff.email, PASSWORD)
    elsewhere = _admin_login(staff.email, PASSWORD, address="203.0.113.9")

    assert locked.response.status_code == 429
    assert not _signed_in(locked)
    assert elsewhere.response.status_code == 302
    assert _signed_in(elsewhere)


def test_the_account_counts_however_its_email_is_capitalised(staff: Employee) -> None:
    spellings = [staff.email.upper(), staff.email.title(), f"  {staff.email} "] * 2
    for n, email in enumerate(spellings[:5]):
        _admin_login(email, "guess", address=f"198.51.100.{n + 1}")

    assert _admin_login(staff.email, PASSWORD, address="203.0.113.9").response.status_code == 429


def test_the_lock_ends_after_the_cool_off(staff: Employee, settings) -> None:
    for _ in range(5):
        _admin_login(staff.email, "guess")
    assert _admin_login(staff.email, PASSWORD).response.status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )
    later = _admin_login(staff.email, PASSWORD)

    assert later.response.status_code == 302
    assert _signed_in(later)


def test_the_api_login_is_neither_counted_nor_locked_by_the_admin_limit(
    staff: Employee, throttle_rates, caplog: pytest.LogCaptureFixture
) -> None:
    throttle_rates(login="100/min", login_identity="100/min")
    api = APIClient(REMOTE_ADDR="198.51.100.7")

    failed = [
        api.post("/api/v1/auth/token/", {"email": staff.email, "password": "guess"}).status_code
        for _ in range(6)
    ]
    for _ in range(5):
        _admin_login(staff.email, "guess")
    after_lockout = api.post("/api/v1/auth/token/", {"email": staff.email, "password": PASSWORD})

    assert failed == [401] * 6
    assert AccessAttempt.objects.get().failures_since_start == 5  # the admin's only
    assert after_lockout.status_code == 200
    assert set(after_lockout.json()) == {"access", "refresh"}
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
