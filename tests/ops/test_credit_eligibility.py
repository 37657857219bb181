"""Every path that credits an employee (approve, reassign, an accepted claim, bulk) asks
the same eligibility rules and answers with the same 409 codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from backend.accounts.identifiers import identifier_hash
from backend.accounts.models import Employee, EmployeeIdentifier
from referrals.models import Attribution, AttributionEvent, Claim
from referrals.services.claims import claim_create
from tests.ops.conftest import decide
from tests.ops.test_decisions import bulk

pytestmark = pytest.mark.django_db
CLAIMS = "/api/v1/ops/claims/"


def own_email(employee: Employee, email: str) -> None:
    EmployeeIdentifier.objects.create(
        employee=employee, kind="email", value_hash=identifier_hash("email", email)
    )


def unchanged(attribution: Attribution) -> tuple[Any, ...]:
    attribution.refresh_from_db()
    return (attribution.status, attribution.employee_id, attribution.version)


@pytest.fixture
def self_referral(employee: Employee, referred_by: Any) -> Attribution:
    own_email(employee, "anna.private@example.com")
    attribution = referred_by(employee, email="anna.private@example.com")
    assert (attribution.status, attribution.reason) == ("rejected", "self_referral")
    return attribution


@pytest.fixture
def left_before(employee: Employee, referred_by: Any) -> Attribution:
    """Signed up with the code of someone who had already left (their code was frozen
    later than it should have been, e.g. a roster import that ran late)."""
    attribution = referred_by(employee, occurred_at=timezone.now() - timedelta(days=2))
    Employee.objects.filter(pk=employee.pk).update(
        is_active=False, left_at=timezone.now() - timedelta(days=3)
    )
    return attribution


def test_approving_a_self_referral_is_refused(sales_ops_client: Any, self_referral: Any) -> None:
    before = unchanged(self_referral)

    response = decide(sales_ops_client, self_referral, action="approve")

    assert (response.status_code, response.json()["code"]) == (409, "self_referral")
    assert unchanged(self_referral) == before
    assert AttributionEvent.objects.filter(attribution=self_referral).count() == 1


def test_approving_a_referrer_who_had_left_at_the_sign_up_is_refused(
    sales_ops_client: Any, left_before: Attribution
) -> None:
    Attribution.objects.filter(pk=left_before.pk).update(status="needs_review")
    before = unchanged(left_before)

    response = decide(sales_ops_client, left_before, action="approve")

    assert (response.status_code, response.json()["code"]) == (409, "referrer_inactive")
    assert unchanged(left_before) == before


def test_a_referrer_who_left_after_the_sign_up_may_still_be_approved(
    sales_ops_client: Any, employee: Employee, referred_by: Any
) -> None:
    flagged = referred_by(
        employee, sales_channel="dealer", occurred_at=timezone.now() - timedelta(days=2)
    )
    Employee.objects.filter(pk=employee.pk).update(is_active=False, left_at=timezone.now())

    response = decide(sales_ops_client, flagged, action="approve")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"


def test_bulk_approve_names_each_ineligible_attribution_and_changes_nothing(
    sales_ops_client: Any, self_referral: Attribution, other_employee: Employee, referred_by: Any
) -> None:
    flagged = referred_by(other_employee, sales_channel="dealer")

    response = bulk(sales_ops_client, [flagged, self_referral], action="approve")

    assert response.status_code == 409, response.content
    assert [(e["id"], e["code"]) for e in response.json()["errors"]] == [
        (self_referral.pk, "self_referral")
    ]
    assert unchanged(flagged)[0] == "needs_review"


def test_bulk_reassign_to_the_customer_themselves_is_refused(
    sales_ops_client: Any, employee: Employee, other_employee: Employee, referred_by: Any
) -> None:
    own_email(other_employee, "bram.private@example.com")
    plain = referred_by(employee)
    theirs = referred_by(employee, email="bram.private@example.com")

    response = bulk(
        sales_ops_client, [plain, theirs], action="reassign", employee=other_employee.pk
    )

    assert [(e["id"], e["code"]) for e in response.json()["errors"]] == [
        (theirs.pk, "self_referral")
    ]
    assert unchanged(plain)[1] == employee.pk


def test_accepting_a_claim_for_the_claimants_own_sign_up_is_refused(
    sales_ops_client: Any, employee: Employee, self_referral: Attribution
) -> None:
    claim = Claim.objects.create(
        employee=employee,
        kind="email",
        value_hash=identifier_hash("email", "anna.private@example.com"),
        signup=self_referral.signup,
    )
    before = unchanged(self_referral)

    response = sales_ops_client.post(
        f"{CLAIMS}{claim.pk}/accept/",
        {"signup": self_referral.signup.pk, "version": self_referral.version, "reason": "Ok."},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (409, "self_referral")
    assert unchanged(self_referral) == before
    assert Claim.objects.get(pk=claim.pk).status == "open"


def test_accepting_a_claim_of_someone_who_had_left_at_the_sign_up_is_refused(
    sales_ops_client: Any, employee: Employee, other_employee: Employee, referred_by: Any
) -> None:
    attribution = referred_by(
        other_employee, email="buur@example.com", occurred_at=timezone.now() - timedelta(days=2)
    )
    claim = claim_create(employee=employee, kind="email", value="buur@example.com")
    Employee.objects.filter(pk=employee.pk).update(
        is_active=False, left_at=timezone.now() - timedelta(days=3)
    )

    response = sales_ops_client.post(
        f"{CLAIMS}{claim.pk}/accept/",
        {"signup": attribution.signup.pk, "version": attribution.version, "reason": "Ok."},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (409, "employee_inactive")
    assert unchanged(attribution)[1] == other_employee.pk
