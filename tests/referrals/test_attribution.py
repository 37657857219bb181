"""The attribution rules, in order, each leaving a trace line; status changes and events."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.identifiers import identifier_hash
from backend.accounts.models import Employee
from backend.accounts.services import employee_deactivate, employee_identifiers_replace
from referrals.codes import ALPHABET
from referrals.models import Attribution, AttributionEvent, LiveCustomer, Share
from tests.factories import PASSWORD
from tests.referrals.conftest import personal_code, signup_payload


def report(crm: APIClient, **fields) -> Attribution:
    payload = signup_payload(**fields)
    response = crm.post("/api/v1/signups/", payload, format="json")
    assert response.status_code == 201, response.content
    return Attribution.objects.select_related("signup").get(
        signup__external_id=payload["external_id"]
    )


def rules(attribution: Attribution) -> list[tuple[str, str]]:
    return [(line["rule"], line["result"]) for line in attribution.trace]


def make_share(employee: Employee, **fields) -> Share:
    # A link exists before the sign-ups it is credited for.
    fields.setdefault("created_at", timezone.now() - timedelta(hours=1))
    return Share.objects.create(
        token=f"tok{Share.objects.count():06d}xxxxxxxxxxx",
        employee=employee,
        code=personal_code(employee),
        channel="whatsapp",
        **fields,
    )


def test_all_rules_pass_and_each_leaves_a_line(employee: Employee, crm: APIClient) -> None:
    attribution = report(crm, code=personal_code(employee).code)

    assert (attribution.status, attribution.reason) == ("pending", "")
    assert rules(attribution) == [
        ("referrer", "pass"),
        ("code", "pass"),
        ("window", "skip"),
        ("self_referral", "pass"),
        ("customer", "pass"),
        ("review", "pass"),
    ]
    event = AttributionEvent.objects.get(attribution=attribution)
    assert (event.from_status, event.to_status, event.actor) == ("", "pending", None)


def test_neither_code_nor_share_is_stored_unattributed(crm: APIClient, db: None) -> None:
    attribution = report(crm)

    assert (attribution.status, attribution.reason, attribution.employee) == (
        "unattributed",
        "no_referrer",
        None,
    )
    assert rules(attribution) == [("referrer", "fail")]


def test_a_typed_code_wins_over_a_share_token(
    employee: Employee, other_employee: Employee, crm: APIClient
) -> None:
    share = make_share(other_employee)

    attribution = report(crm, code=personal_code(employee).code, share_token=share.token)

    assert attribution.employee == employee
    assert attribution.share is None
    assert "wins over the share token" in attribution.trace[0]["detail"]


def test_a_share_of_the_same_code_links_its_answer(
    employee: Employee, crm: APIClient, article
) -> None:
    share = make_share(employee, article=article)

    attribution = report(crm, code=personal_code(employee).display, share_token=share.token)

    assert (attribution.share, attribution.article) == (share, article)


def test_a_share_token_alone_attributes_to_its_code(employee: Employee, crm: APIClient) -> None:
    share = make_share(employee)

    attribution = report(crm, share_token=share.token)

    assert (attribution.status, attribution.employee, attribution.share) == (
        "pending",
        employee,
        share,
    )
    assert rules(attribution)[2] == ("window", "pass")


def test_an_unknown_code_is_rejected(crm: APIClient, db: None) -> None:
    attribution = report(crm, code="00000-0000" + "0")

    assert (attribution.status, attribution.reason, attribution.employee) == (
        "rejected",
        "unknown_code",
        None,
    )


def test_a_code_with_a_typo_is_rejected_as_a_typo(employee: Employee, crm: APIClient) -> None:
    code = personal_code(employee).code
    typo = code[:3] + next(s for s in ALPHABET if s != code[3]) + code[4:]

    attribution = report(crm, code=typo)

    assert (attribution.status, attribution.reason) == ("rejected", "code_typo")


def test_an_unknown_share_token_is_rejected(crm: APIClient, db: None) -> None:
    attribution = report(crm, share_token="no-such-token-anywhere")

    assert (attribution.status, attribution.reason) == ("rejected", "unknown_share")


def test_a_code_revoked_before_the_sign_up_is_rejected_after_it_still_counts(
    employee: Employee, crm: APIClient
) -> None:
    code = personal_code(employee)
    code.revoked_at = timezone.now() - timedelta(hours=1)
    code.save()

    before = report(crm, code=code.code, occurred_at=timezone.now() - timedelta(minutes=10))
    after = report(crm, code=code.code, occurred_at=timezone.now() - timedelta(hours=2))

    assert (before.status, before.reason) == ("rejected", "code_revoked")
    assert before.employee == employee
    assert after.status == "pending"


def test_a_referrer_who_left_before_the_sign_up_is_rejected(
    employee: Employee, crm: APIClient
) -> None:
    code = personal_code(employee).code
    employee_deactivate(employee=employee, left_at=timezone.now() - timedelta(days=1))

    left = report(crm, code=code)
    earlier = report(crm, code=code, occurred_at=timezone.now() - timedelta(days=2))

    assert (left.status, left.reason) == ("rejected", "referrer_inactive")
    assert earlier.status == "pending"


def test_a_share_older_than_the_window_is_rejected(
    employee: Employee, crm: APIClient, settings
) -> None:
    settings.ATTRIBUTION_WINDOW_DAYS = 30
    share = make_share(employee, created_at=timezone.now() - timedelta(days=31))

    attribution = report(crm, share_token=share.token)

    assert (attribution.status, attribution.reason) == ("rejected", "window_expired")
    assert rules(attribution)[-1] == ("window", "fail")


def test_a_share_link_made_after_the_sign_up_earns_no_credit(
    employee: Employee, crm: APIClient
) -> None:
    signed_up = timezone.now() - timedelta(hours=2)
    share = make_share(employee, created_at=signed_up + timedelta(hours=1))

    attribution = report(crm, share_token=share.token, occurred_at=signed_up)

    assert (attribution.status, attribution.reason) == ("rejected", "share_after_signup")
    assert attribution.trace[-1] == {
        "rule": "window",
        "result": "fail",
        "detail": "share link was created after the sign-up",
    }
    assert not LiveCustomer.objects.exists()


def test_a_share_link_a_little_younger_than_the_sign_up_is_clock_skew(
    employee: Employee, crm: APIClient, settings
) -> None:
    settings.CLOCK_SKEW_SECONDS = 300
    signed_up = timezone.now() - timedelta(hours=2)
    share = make_share(employee, created_at=signed_up + timedelta(seconds=299))
    late = make_share(employee, created_at=signed_up + timedelta(seconds=301))

    within = report(crm, share_token=share.token, occurred_at=signed_up)
    beyond = report(crm, share_token=late.token, occurred_at=signed_up)

    assert (within.status, within.share_id) == ("pending", share.pk)
    assert (beyond.status, beyond.reason) == ("rejected", "share_after_signup")


def test_a_typed_code_still_counts_but_a_later_link_does_not_claim_the_answer(
    employee: Employee, crm: APIClient
) -> None:
    signed_up = timezone.now() - timedelta(hours=2)
    share = make_share(employee, created_at=signed_up + timedelta(hours=1))

    attribution = report(
        crm, code=personal_code(employee).code, share_token=share.token, occurred_at=signed_up
    )

    assert (attribution.status, attribution.share_id) == ("pending", None)


def test_the_referrers_own_identifier_is_a_self_referral(
    employee: Employee, crm: APIClient
) -> None:
    employee_identifiers_replace(
        employee=employee, hashes={"phone": identifier_hash("phone", "+31612345678")}
    )

    attribution = report(crm, code=personal_code(employee).code, phone="06-12345678")

    assert (attribution.status, attribution.reason) == ("rejected", "self_referral")
    assert not LiveCustomer.objects.exists()


def test_the_referrers_work_email_is_a_self_referral(employee: Employee, crm: APIClient) -> None:
    attribution = report(crm, code=personal_code(employee).code, email=f" {employee.email.upper()}")

    assert (attribution.status, attribution.reason) == ("rejected", "self_referral")
    assert attribution.trace[-1] == {
        "rule": "self_referral",
        "result": "fail",
        "detail": "customer email is the referrer's own",
    }
    assert not LiveCustomer.objects.exists()


def test_an_existing_customer_is_rejected(employee: Employee, crm: APIClient) -> None:
    attribution = report(crm, code=personal_code(employee).code, is_new_customer=False)

    assert (attribution.status, attribution.reason) == ("rejected", "existing_customer")


def test_a_customer_with_a_live_attribution_is_a_duplicate(
    employee: Employee, other_employee: Employee, crm: APIClient
) -> None:
    first = report(crm, code=personal_code(employee).code, phone="0612345678")

    second = report(
        crm,
        code=personal_code(other_employee).code,
        email="other@example.com",
        phone="+31612345678",
    )

    assert first.status == "pending"
    assert (second.status, second.reason) == ("rejected", "duplicate_customer")
    assert "phone" in second.trace[-1]["detail"]
    assert set(LiveCustomer.objects.values_list("attribution_id", flat=True)) == {first.pk}


def test_a_duplicate_inside_one_batch_is_caught(employee: Employee, crm: APIClient) -> None:
    code = personal_code(employee).code
    items = [
        signup_payload(code=code, email="same@example.com"),
        signup_payload(code=code, email="SAME@example.com "),
    ]

    response = crm.post("/api/v1/signups/batch/", {"items": items}, format="json")

    statuses = [(r["signup"]["status"], r["signup"]["reason"]) for r in response.json()]
    assert statuses == [("pending", ""), ("rejected", "duplicate_customer")]


def test_more_than_the_velocity_limit_in_24_hours_goes_to_review(
    employee: Employee, crm: APIClient, settings
) -> None:
    settings.VELOCITY_LIMIT = 3
    code = personal_code(employee).code
    items = [signup_payload(code=code) for _ in range(5)]

    response = crm.post("/api/v1/signups/batch/", {"items": items}, format="json")

    statuses = [(r["signup"]["status"], r["signup"]["reason"]) for r in response.json()]
    assert statuses == [("pending", "")] * 3 + [("needs_review", "velocity")] * 2


@pytest.mark.parametrize("channel", ["dealer", "telesales"])
def test_a_commissioned_channel_goes_to_review(
    employee: Employee, crm: APIClient, channel: str
) -> None:
    attribution = report(crm, code=personal_code(employee).code, sales_channel=channel)

    assert (attribution.status, attribution.reason) == ("needs_review", "channel_conflict")
    assert LiveCustomer.objects.filter(attribution=attribution).count() == 1


# --- activation, withdrawal, finalisation ----------------------------------------------------


def activate(crm: APIClient, attribution: Attribution, at) -> None:
    response = crm.post(
        f"/api/v1/signups/{attribution.signup.external_id}/activate/",
        {"activated_at": at.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content


def finalize() -> str:
    out = StringIO()
    call_command("finalize_attributions", stdout=out)
    return out.getvalue().strip()


def test_finalize_confirms_after_the_withdrawal_period_and_is_idempotent(
    employee: Employee, crm: APIClient
) -> None:
    due = report(
        crm, code=personal_code(employee).code, occurred_at=timezone.now() - timedelta(days=20)
    )
    activate(crm, due, timezone.now() - timedelta(days=15))
    recent = report(
        crm, code=personal_code(employee).code, occurred_at=timezone.now() - timedelta(days=5)
    )
    activate(crm, recent, timezone.now() - timedelta(days=4))
    never_activated = report(crm, code=personal_code(employee).code)

    first, second = finalize(), finalize()

    assert (first, second) == ("confirmed=1", "confirmed=0")
    due.refresh_from_db()
    recent.refresh_from_db()
    never_activated.refresh_from_db()
    assert (due.status, due.reason, due.version) == ("confirmed", "withdrawal_period_passed", 2)
    assert due.confirmed_at is not None
    assert (recent.status, never_activated.status) == ("pending", "pending")
    assert list(
        AttributionEvent.objects.filter(attribution=due).values_list("from_status", "to_status")
    ) == [("", "pending"), ("pending", "confirmed")]


def cancel(crm: APIClient, attribution: Attribution, at) -> dict:
    response = crm.post(
        f"/api/v1/signups/{attribution.signup.external_id}/cancel/",
        {"cancelled_at": at.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_a_cancellation_inside_the_withdrawal_period_reverses_it(
    employee: Employee, crm: APIClient
) -> None:
    attribution = report(
        crm,
        code=personal_code(employee).code,
        email="returning@example.com",
        occurred_at=timezone.now() - timedelta(days=9),
    )
    activate(crm, attribution, timezone.now() - timedelta(days=8))

    body = cancel(crm, attribution, timezone.now() - timedelta(days=1))

    assert (body["status"], body["reason"]) == ("reversed", "withdrawn")
    attribution.refresh_from_db()
    assert attribution.version == 2
    assert not LiveCustomer.objects.filter(attribution=attribution).exists()
    assert finalize() == "confirmed=0"
    # the customer is free again for a later sign-up
    again = report(crm, code=personal_code(employee).code, email="returning@example.com")
    assert (again.status, again.reason) == ("pending", "")


def test_a_cancellation_after_the_withdrawal_period_keeps_it(
    employee: Employee, crm: APIClient
) -> None:
    attribution = report(
        crm, code=personal_code(employee).code, occurred_at=timezone.now() - timedelta(days=40)
    )
    activate(crm, attribution, timezone.now() - timedelta(days=39))
    finalize()

    body = cancel(crm, attribution, timezone.now())

    assert body["status"] == "confirmed"
    assert body["cancelled_at"] is not None


def test_cancelling_twice_at_other_moments_is_a_conflict(
    employee: Employee, crm: APIClient
) -> None:
    attribution = report(crm, code=personal_code(employee).code)
    cancel(crm, attribution, timezone.now())

    response = crm.post(
        f"/api/v1/signups/{attribution.signup.external_id}/cancel/",
        {"cancelled_at": (timezone.now() + timedelta(seconds=1)).isoformat()},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "already_cancelled"
    assert AttributionEvent.objects.filter(attribution=attribution).count() == 2


# --- the audit trail -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_change_or_delete_events(
    employee: Employee, crm: APIClient
) -> None:
    attribution = report(crm, code=personal_code(employee).code)
    event = AttributionEvent.objects.get(attribution=attribution)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AttributionEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AttributionEvent.objects.filter(pk=event.pk).delete()

    event.refresh_from_db()
    assert event.note == ""


def test_events_are_read_only_in_the_admin_even_for_administrators(
    staff: Employee, sales_ops: Employee, employee: Employee, crm: APIClient
) -> None:
    attribution = report(crm, code=personal_code(employee).code)
    event = AttributionEvent.objects.get(attribution=attribution)
    for person in (staff, sales_ops):
        client = Client()
        assert client.login(email=person.email, password=PASSWORD)

        view = client.get(f"/admin/referrals/attributionevent/{event.pk}/change/")
        delete = client.post(
            f"/admin/referrals/attributionevent/{event.pk}/delete/", {"post": "yes"}
        )
        attribution_page = client.get(f"/admin/referrals/attribution/{attribution.pk}/change/")

        assert view.status_code == 200
        assert 'name="_save"' not in view.content.decode()
        assert delete.status_code == 403
        assert attribution_page.status_code == 200
        assert "pending" in attribution_page.content.decode()
    assert AttributionEvent.objects.filter(pk=event.pk).exists()


def test_a_sign_up_never_activated_expires_after_activation_days_with_an_event(
    employee: Employee, crm: APIClient, settings
) -> None:
    settings.ACTIVATION_DAYS = 60
    code = personal_code(employee).code
    stale = report(crm, code=code, occurred_at=timezone.now() - timedelta(days=61))
    activated = report(crm, code=code, occurred_at=timezone.now() - timedelta(days=70))
    activate(crm, activated, timezone.now() - timedelta(days=65))
    recent = report(crm, code=code, occurred_at=timezone.now() - timedelta(days=59))
    out = StringIO()

    call_command("expire_attributions", stdout=out)
    call_command("expire_attributions", stdout=out)

    assert out.getvalue().split() == ["expired=1", "expired=0"]
    stale.refresh_from_db()
    activated.refresh_from_db()
    recent.refresh_from_db()
    assert (stale.status, stale.reason, stale.version) == ("reversed", "not_activated", 2)
    assert (activated.status, recent.status) == ("pending", "pending")  # not this job's to touch
    assert list(
        AttributionEvent.objects.filter(attribution=stale).values_list(
            "from_status", "to_status", "reason"
        )
    ) == [("", "pending", ""), ("pending", "reversed", "not_activated")]
    assert not LiveCustomer.objects.filter(attribution=stale).exists()
    assert LiveCustomer.objects.filter(attribution=recent).count() == 1
