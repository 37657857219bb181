"""Every review signal is kept: an attribution flagged for velocity and channel conflict
shows both, and filtering by either finds it."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from backend.accounts.identifiers import identifier_hash
from referrals.models import Attribution
from referrals.services.signups import COPY_FROM, SignupInput, signups_ingest
from tests.factories import PASSWORD
from tests.referrals.conftest import personal_code

QUEUE = "/api/v1/ops/attributions/"


def test_an_attribution_with_two_signals_shows_both_and_either_filter_finds_it(
    settings, sales_ops_client, employee, referred_by
) -> None:
    settings.VELOCITY_LIMIT = 1
    only_velocity = referred_by(employee)  # the first is not flagged; the second is
    only_velocity = referred_by(employee)
    both = referred_by(employee, sales_channel="dealer")

    by_velocity = sales_ops_client.get(QUEUE, {"reason": "velocity"}).json()["results"]
    by_channel = sales_ops_client.get(QUEUE, {"reason": "channel_conflict"}).json()["results"]

    assert (both.status, both.reason, both.review_signals) == (
        "needs_review",
        "velocity",
        ["velocity", "channel_conflict"],
    )
    assert only_velocity.review_signals == ["velocity"]
    assert sorted(row["id"] for row in by_velocity) == sorted([only_velocity.pk, both.pk])
    assert [row["id"] for row in by_channel] == [both.pk]
    assert next(r for r in by_channel if r["id"] == both.pk)["review_signals"] == [
        "velocity",
        "channel_conflict",
    ]


def test_the_admin_filters_by_review_signal(settings, sales_ops, employee, referred_by) -> None:
    settings.VELOCITY_LIMIT = 1
    referred_by(employee)
    both = referred_by(employee, sales_channel="dealer")
    admin = Client()
    admin.login(username=sales_ops.email, password=PASSWORD)

    page = admin.get("/admin/referrals/attribution/", {"signal": "channel_conflict"})

    listed = page.context["cl"].result_list
    assert [a.pk for a in listed] == [both.pk]
    assert Attribution.objects.count() == 2


def test_a_large_batch_keeps_every_signal_too(settings, employee) -> None:
    settings.VELOCITY_LIMIT = 1
    code = personal_code(employee).code
    items = [
        SignupInput(
            external_id=f"BATCH-{n:03d}",
            occurred_at=timezone.now() - timedelta(minutes=5),
            sales_channel="dealer",
            is_new_customer=True,
            customer_hashes={"email": identifier_hash("email", f"batch{n}@example.com")},
            code=code,
            share_token="",
            product="Sim Only",
        )
        for n in range(COPY_FROM)
    ]

    signups_ingest(source="crm", items=items)

    signals = Attribution.objects.order_by("signup__external_id").values_list(
        "review_signals", flat=True
    )
    assert list(signals) == [["channel_conflict"]] + [["velocity", "channel_conflict"]] * (
        COPY_FROM - 1
    )
