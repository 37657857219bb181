"""Decisions by sales ops: approve, reject, reassign; reasons, versions and transitions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.identifiers import identifier_hash
from backend.accounts.models import EmployeeIdentifier
from backend.accounts.services import employee_deactivate
from referrals.models import Attribution, AttributionEvent, LiveCustomer
from referrals.services.signups import signup_activate, signup_cancel
from tests.ops.conftest import decide, ingest

pytestmark = pytest.mark.django_db


def events_of(attribution: Attribution) -> list[tuple[str, str, str]]:
    return list(
        AttributionEvent.objects.filter(attribution=attribution)
        .order_by("id")
        .values_list("from_status", "to_status", "reason")
    )


def test_approving_a_flagged_attribution_makes_it_pending_with_an_audited_event(
    sales_ops, sales_ops_client, employee, referred_by
) -> None:
    flagged = referred_by(employee, sales_channel="dealer")
    assert (flagged.status, flagged.version) == ("needs_review", 1)

    response = decide(sales_ops_client, flagged, action="approve", reason="Friend confirmed it.")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["reason"], body["version"]) == ("pending", "approved_by_ops", 2)
    event = AttributionEvent.objects.filter(attribution=flagged).latest("id")
    assert (event.from_status, event.to_status, event.reason) == (
        "needs_review",
        "pending",
        "approved_by_ops",
    )
    assert (event.actor, event.note) == (sales_ops, "Friend confirmed it.")


def test_approving_after_the_withdrawal_period_confirms_at_once(
    sales_ops_client, employee, referred_by
) -> None:
    flagged = referred_by(
        employee, sales_channel="telesales", occurred_at=timezone.now() - timedelta(days=30)
    )
    signup_activate(
        source="crm",
        external_id=flagged.signup.external_id,
        activated_at=timezone.now() - timedelta(days=20),
    )

    response = decide(sales_ops_client, flagged, action="approve")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"
    flagged.refresh_from_db()
    assert flagged.confirmed_at is not None


def test_rejecting_releases_the_customer_for_another_referral(
    sales_ops_client, employee, other_employee, referred_by
) -> None:
    first = referred_by(employee, email="friend@example.com")
    assert LiveCustomer.objects.filter(attribution=first).count() == 1

    response = decide(sales_ops_client, first, action="reject", reason="Fraud ring.")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    assert LiveCustomer.objects.filter(attribution=first).count() == 0
    second = referred_by(other_employee, email="friend@example.com")
    assert second.status == "pending"


def test_reassigning_moves_the_credit_and_records_both_employees(
    sales_ops, sales_ops_client, employee, other_employee, referred_by
) -> None:
    pending = referred_by(employee)

    response = decide(
        sales_ops_client, pending, action="reassign", employee=other_employee.pk, reason="Bram."
    )

    assert response.status_code == 200, response.content
    assert response.json()["employee"]["id"] == other_employee.pk
    assert response.json()["status"] == "pending"
    event = AttributionEvent.objects.filter(attribution=pending).latest("id")
    assert (event.from_employee, event.to_employee, event.actor) == (
        employee,
        other_employee,
        sales_ops,
    )
    assert (event.from_status, event.to_status, event.reason) == (
        "pending",
        "pending",
        "reassigned_by_ops",
    )


def test_reassigning_an_unattributed_sign_up_assigns_and_approves_it(
    sales_ops_client, employee
) -> None:
    orphan = ingest()
    assert orphan.status == "unattributed"

    response = decide(sales_ops_client, orphan, action="reassign", employee=employee.pk)

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["employee"]["id"]) == (
        "pending",
        employee.pk,
    )
    assert LiveCustomer.objects.filter(attribution=orphan).count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"action": "approve", "version": 1},
        {"action": "approve", "version": 1, "reason": ""},
        {"action": "approve", "version": 1, "reason": "   "},
        {"action": "reassign", "version": 1, "reason": "x"},
        {"action": "approve", "reason": "x"},
        {"action": "approve", "version": 1, "reason": "x", "employee": 1},
        {"action": "approve", "version": 1, "reason": "x", "status": "confirmed"},
        {"action": "approve", "version": "1", "reason": "x"},
        {"action": "promote", "version": 1, "reason": "x"},
    ],
)
def test_a_decision_without_reason_or_with_bad_fields_is_400_and_writes_nothing(
    sales_ops_client, employee, referred_by, body
) -> None:
    flagged = referred_by(employee, sales_channel="dealer")

    response = sales_ops_client.post(
        f"/api/v1/ops/attributions/{flagged.pk}/decide/", body, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    flagged.refresh_from_db()
    assert (flagged.status, flagged.version) == ("needs_review", 1)
    assert AttributionEvent.objects.filter(attribution=flagged).count() == 1


def test_a_decision_on_a_changed_record_is_409_and_writes_nothing(
    sales_ops_client, employee, referred_by
) -> None:
    flagged = referred_by(employee, sales_channel="dealer")
    seen = flagged.version
    signup_cancel(source="crm", external_id=flagged.signup.external_id, cancelled_at=timezone.now())

    response = decide(sales_ops_client, flagged, action="reject", version=seen)

    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["current_version"] == seen + 1
    flagged.refresh_from_db()
    assert flagged.status == "reversed"
    assert [e[1] for e in events_of(flagged)] == ["needs_review", "reversed"]


@pytest.mark.parametrize(
    ("setup", "action", "code"),
    [
        ("pending", "approve", "already_approved"),
        ("rejected", "reject", "already_rejected"),
        ("unattributed", "approve", "no_referrer"),
        ("unattributed", "reject", "no_referrer"),
        ("unknown_code", "approve", "no_referrer"),
        ("reversed", "approve", "signup_withdrawn"),
        ("reversed", "reject", "signup_withdrawn"),
        ("own", "approve", "own_attribution"),
    ],
)
def test_impossible_transitions_are_409_with_a_code_saying_why(
    sales_ops, sales_ops_client, employee, referred_by, setup, action, code
) -> None:
    if setup == "pending":
        target = referred_by(employee)
    elif setup == "rejected":
        target = referred_by(employee, is_new_customer=False)
    elif setup == "unattributed":
        target = ingest()
    elif setup == "unknown_code":
        target = ingest(code="ZZZZZ-ZZZZZ")
    elif setup == "reversed":
        target = referred_by(employee)
        signup_cancel(
            source="crm", external_id=target.signup.external_id, cancelled_at=timezone.now()
        )
        target.refresh_from_db()
    else:
        target = referred_by(sales_ops, sales_channel="dealer")
    before = (target.status, target.version)

    response = decide(sales_ops_client, target, action=action)

    assert response.status_code == 409, response.content
    assert response.json()["code"] == code
    target.refresh_from_db()
    assert (target.status, target.version) == before


def test_reassigning_to_someone_who_left_or_to_the_same_employee_is_refused(
    sales_ops_client, employee, other_employee, referred_by
) -> None:
    pending = referred_by(employee)
    employee_deactivate(employee=other_employee)

    gone = decide(sales_ops_client, pending, action="reassign", employee=other_employee.pk)
    same = decide(sales_ops_client, pending, action="reassign", employee=employee.pk)
    unknown = decide(sales_ops_client, pending, action="reassign", employee=999999)

    assert (gone.status_code, gone.json()["code"]) == (409, "employee_inactive")
    assert (same.status_code, same.json()["code"]) == (409, "already_assigned")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "employee_not_found")
    pending.refresh_from_db()
    assert (pending.employee, pending.version) == (employee, 1)


def test_reassigning_to_the_customer_themselves_is_a_self_referral(
    sales_ops_client, employee, other_employee, referred_by
) -> None:
    pending = referred_by(employee, email="bram.private@example.com")
    EmployeeIdentifier.objects.create(
        employee=other_employee,
        kind="email",
        value_hash=identifier_hash("email", "bram.private@example.com"),
    )

    response = decide(sales_ops_client, pending, action="reassign", employee=other_employee.pk)

    assert (response.status_code, response.json()["code"]) == (409, "self_referral")


def test_approving_a_duplicate_while_the_first_is_live_is_refused(
    sales_ops_client, employee, other_employee, referred_by
) -> None:
    referred_by(employee, email="same@example.com")
    duplicate = referred_by(other_employee, email="same@example.com")
    assert (duplicate.status, duplicate.reason) == ("rejected", "duplicate_customer")

    response = decide(sales_ops_client, duplicate, action="approve")

    assert (response.status_code, response.json()["code"]) == (409, "duplicate_customer")
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.version) == ("rejected", 1)


def test_an_unknown_attribution_is_404(sales_ops_client) -> None:
    response = sales_ops_client.post(
        "/api/v1/ops/attributions/987654/decide/",
        {"action": "approve", "version": 1, "reason": "x"},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (404, "attribution_not_found")


def bulk(client, attributions, **body):
    body.setdefault("reason", "Weekly review.")
    body.setdefault("items", [{"id": a.pk, "version": a.version} for a in attributions])
    return client.post("/api/v1/ops/attributions/bulk-decide/", body, format="json")


def test_bulk_decide_applies_one_decision_to_all(sales_ops_client, employee, referred_by) -> None:
    flagged = [referred_by(employee, sales_channel="dealer") for _ in range(3)]

    response = bulk(sales_ops_client, flagged, action="approve")

    assert response.status_code == 200, response.content
    assert response.json()["decided"] == 3
    assert [r["id"] for r in response.json()["results"]] == [a.pk for a in flagged]
    assert set(
        Attribution.objects.filter(pk__in=[a.pk for a in flagged]).values_list("status", flat=True)
    ) == {"pending"}


def test_bulk_decide_is_all_or_nothing_and_lists_each_refusal(
    sales_ops_client, employee, referred_by
) -> None:
    flagged = [referred_by(employee, sales_channel="dealer") for _ in range(3)]
    already = referred_by(employee)
    items = [{"id": a.pk, "version": a.version} for a in flagged]
    items[1]["version"] = 7
    items.append({"id": already.pk, "version": 1})

    response = bulk(sales_ops_client, [], action="approve", items=items)

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "decisions_refused"
    assert [(e["id"], e["code"]) for e in response.json()["errors"]] == [
        (flagged[1].pk, "stale_version"),
        (already.pk, "already_approved"),
    ]
    assert set(
        Attribution.objects.filter(pk__in=[a.pk for a in flagged]).values_list("status", "version")
    ) == {("needs_review", 1)}
    assert AttributionEvent.objects.count() == 4


def test_an_attribution_listed_twice_with_the_same_version_is_decided_once(
    sales_ops_client, employee, referred_by
) -> None:
    one = referred_by(employee, sales_channel="dealer")
    repeated = [{"id": one.pk, "version": 1}, {"id": one.pk, "version": 1}]

    response = bulk(sales_ops_client, [], action="reject", items=repeated)

    assert response.status_code == 200, response.content
    one.refresh_from_db()
    assert (one.status, one.version) == ("rejected", 2)
    assert AttributionEvent.objects.filter(attribution=one).count() == 2


def test_bulk_decide_refuses_more_than_500_unknown_ids_and_two_versions_of_one(
    sales_ops_client, employee, referred_by
) -> None:
    one = referred_by(employee, sales_channel="dealer")
    too_many = [{"id": n, "version": 1} for n in range(1, 502)]
    two_versions = [{"id": one.pk, "version": 1}, {"id": one.pk, "version": 2}]
    unknown = [{"id": one.pk, "version": 1}, {"id": 999999, "version": 1}]

    big = bulk(sales_ops_client, [], action="reject", items=too_many)
    twice = bulk(sales_ops_client, [], action="reject", items=two_versions)
    missing = bulk(sales_ops_client, [], action="reject", items=unknown)

    assert (big.status_code, list(big.json()["fields"])) == (400, ["items.non_field_errors"])
    assert (twice.status_code, twice.json()["code"]) == (409, "stale_version")
    assert (missing.status_code, missing.json()["code"]) == (404, "attribution_not_found")
    assert missing.json()["ids"] == [999999]
    one.refresh_from_db()
    assert (one.status, one.version) == ("needs_review", 1)


def test_reassigning_to_an_employee_whose_work_email_is_the_customers_is_refused(
    sales_ops_client, employee, other_employee, referred_by
) -> None:
    pending = referred_by(employee, email=other_employee.email.upper())

    response = decide(sales_ops_client, pending, action="reassign", employee=other_employee.pk)

    assert (response.status_code, response.json()["code"]) == (409, "self_referral")
    pending.refresh_from_db()
    assert (pending.employee, pending.version) == (employee, 1)
