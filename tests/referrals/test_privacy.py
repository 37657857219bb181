"""Data protection: visitor detail past retention, and a friend's erasure request."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.identifiers import identifier_hash
from backend.accounts.models import Employee
from knowledge.models import Article
from referrals.models import (
    Attribution,
    Claim,
    CustomerErasure,
    LiveCustomer,
    Share,
    ShareFeedback,
    Signup,
    Visit,
)
from referrals.services.shares import share_create
from tests.referrals.conftest import personal_code, signup_payload


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def share(employee: Employee, article: Article) -> Share:
    return share_create(employee=employee, channel="whatsapp", article_slug=article.slug)


def visit(share: Share, days_ago: int, visitor: str) -> Visit:
    moment = timezone.now() - timedelta(days=days_ago, hours=3, minutes=17)
    return Visit.objects.create(
        share=share, day=timezone.localdate(moment), visitor_hash=visitor * 64, at=moment
    )


def test_purge_erases_visitor_detail_past_retention_and_keeps_the_counts(
    share: Share, employee_client: APIClient
) -> None:
    old = [visit(share, 200, "a"), visit(share, 200, "b"), visit(share, 181, "c")]
    recent = visit(share, 30, "d")
    ShareFeedback.objects.create(share=share, day=old[0].day, visitor_hash="e" * 64, helpful=True)
    before = employee_client.get("/api/v1/referrals/shares/").json()["results"][0]

    output = run("purge_visitor_data")

    cutoff = (timezone.localdate() - timedelta(days=180)).isoformat()
    assert output == f"visitor detail erased before {cutoff}: visits=3 feedback=1"
    for row in old:
        row.refresh_from_db()
        assert row.visitor_hash is None
        assert timezone.localtime(row.at) == timezone.make_aware(
            datetime.combine(row.day, time.min)
        )
    recent.refresh_from_db()
    assert recent.visitor_hash == "d" * 64
    assert ShareFeedback.objects.get().visitor_hash is None
    after = employee_client.get("/api/v1/referrals/shares/").json()["results"][0]
    assert after["visit_count"] == before["visit_count"] == 4


def test_purge_is_idempotent_and_takes_the_retention_as_an_option(share: Share) -> None:
    visit(share, 40, "a")
    visit(share, 10, "b")

    first = run("purge_visitor_data", "--older-than", "30")
    second = run("purge_visitor_data", "--older-than", "30")

    assert first.endswith("visits=1 feedback=0")
    assert second.endswith("visits=0 feedback=0")
    assert Visit.objects.filter(visitor_hash__isnull=True).count() == 1


def test_purge_refuses_a_retention_of_zero_days(share: Share) -> None:
    visit(share, 1, "a")

    with pytest.raises(CommandError, match="Keep at least one day"):
        run("purge_visitor_data", "--older-than", "0")

    assert Visit.objects.get().visitor_hash == "a" * 64


@pytest.fixture
def friend_signups(employee: Employee, other_employee: Employee, crm: APIClient) -> list[Signup]:
    """The friend signed up twice (once by email, once by phone), and a stranger once."""
    code = personal_code(employee).code
    payloads = [
        signup_payload(code=code, email="friend@example.com", phone="0612345678"),
        signup_payload(email="stranger@example.com"),
    ]
    for payload in payloads:
        assert crm.post("/api/v1/signups/", payload, format="json").status_code == 201
    later = signup_payload(phone="+31 6 1234 5678", email="other@example.com")
    assert crm.post("/api/v1/signups/", later, format="json").status_code == 201
    return list(Signup.objects.order_by("pk"))


def test_erasure_removes_the_friends_hashes_and_detaches_their_sign_ups(
    friend_signups: list[Signup], other_employee: Employee, employee: Employee
) -> None:
    claim = Claim.objects.create(
        employee=other_employee,
        kind="phone",
        value_hash=identifier_hash("phone", "0612345678"),
        signup=friend_signups[0],
    )
    statuses = list(Attribution.objects.order_by("pk").values_list("status", "employee_id"))

    output = run(
        "erase_customer", "--email", "Friend@Example.com", "--requested-by", "privacy desk"
    )

    assert output == "erased: signups=2 claims=1"
    first, stranger, later = (Signup.objects.get(pk=s.pk) for s in friend_signups)
    for erased in (first, later):
        assert (erased.email_hash, erased.phone_hash, erased.account_hash) == ("", "", "")
        assert erased.external_id == f"erased-{erased.pk}"
        assert erased.payload_hash == ""
    assert stranger.email_hash == identifier_hash("email", "stranger@example.com")
    claim.refresh_from_db()
    assert claim.value_hash == f"erased-{claim.pk}"
    assert not LiveCustomer.objects.filter(attribution__signup__in=[first, later]).exists()
    # Anonymous counts and the referrer's recognition stand.
    assert list(Attribution.objects.order_by("pk").values_list("status", "employee_id")) == (
        statuses
    )
    audit = CustomerErasure.objects.get()
    assert (audit.requested_by, audit.identifier_kinds, audit.signups, audit.claims) == (
        "privacy desk",
        "email",
        2,
        1,
    )
    assert "friend" not in str(CustomerErasure.objects.values().get()).lower()


def test_after_erasure_the_friend_is_no_longer_recognised(
    friend_signups: list[Signup], employee: Employee, crm: APIClient
) -> None:
    run("erase_customer", "--phone", "06-12345678")

    again = signup_payload(code=personal_code(employee).code, phone="0612345678")
    response = crm.post("/api/v1/signups/", again, format="json")

    assert response.status_code == 201
    assert response.json()["reason"] != "duplicate_customer"


def test_erasure_needs_a_valid_identifier_and_writes_nothing_otherwise(
    friend_signups: list[Signup],
) -> None:
    hashes = list(Signup.objects.values_list("email_hash", flat=True))

    with pytest.raises(CommandError, match="Give at least one"):
        run("erase_customer")
    with pytest.raises(CommandError, match="valid email"):
        run("erase_customer", "--email", "not-an-email", "--phone", "0612345678")

    assert list(Signup.objects.values_list("email_hash", flat=True)) == hashes
    assert not CustomerErasure.objects.exists()


def test_erasing_someone_unknown_is_recorded_and_changes_nothing(
    friend_signups: list[Signup],
) -> None:
    output = run("erase_customer", "--account", "NL-999-999")

    assert output == "erased: signups=0 claims=0"
    assert CustomerErasure.objects.get().signups == 0


def test_the_erasure_never_logs_the_identifier(
    friend_signups: list[Signup], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        run("erase_customer", "--email", "friend@example.com")

    assert "friend@example.com" not in caplog.text
