"""Sales ops decide claims: matching sign-ups by hash, accept (with events) or reject."""

from __future__ import annotations

import pytest

from referrals.models import AttributionEvent, Claim
from referrals.services.claims import claim_create
from tests.conftest import login
from tests.ops.conftest import ingest

pytestmark = pytest.mark.django_db
CLAIMS = "/api/v1/ops/claims/"


def test_claims_list_shows_each_claim_with_its_matching_sign_ups(
    sales_ops_client, employee, other_employee, referred_by, django_assert_num_queries
) -> None:
    first = referred_by(other_employee, email="buur@example.com")
    claim = claim_create(employee=employee, kind="email", value="Buur@Example.com", note="Buren")
    lonely = claim_create(employee=employee, kind="phone", value="0612345678")

    with django_assert_num_queries(3):  # auth (user with roles), the page, its matches
        response = sales_ops_client.get(CLAIMS, {"status": "open"})

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert [m["id"] for m in rows[claim.pk]["matches"]] == [first.signup.pk]
    assert rows[claim.pk]["matches"][0]["attribution"]["employee"]["id"] == other_employee.pk
    assert rows[lonely.pk]["matches"] == []
    assert "buur@example.com" not in response.content.decode().lower()


def test_accepting_a_claim_reassigns_the_sign_up_with_an_event(
    sales_ops, sales_ops_client, employee, other_employee, referred_by
) -> None:
    attribution = referred_by(other_employee, email="buur@example.com")
    claim = claim_create(employee=employee, kind="email", value="buur@example.com")

    response = sales_ops_client.post(
        f"{CLAIMS}{claim.pk}/accept/",
        {"signup": attribution.signup.pk, "version": 1, "reason": "Shop receipt shows Anna."},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["decided_by"]["id"]) == (
        "approved",
        sales_ops.pk,
    )
    attribution.refresh_from_db()
    assert (attribution.employee, attribution.status) == (employee, "pending")
    event = AttributionEvent.objects.filter(attribution=attribution).latest("id")
    assert (event.from_employee, event.to_employee, event.reason) == (
        other_employee,
        employee,
        "reassigned_by_ops",
    )
    assert event.note == f"Claim {claim.pk} accepted: Shop receipt shows Anna."


def test_accepting_a_claim_for_an_unattributed_sign_up_assigns_it(
    sales_ops_client, employee
) -> None:
    orphan = ingest(email="nobody@example.com")
    claim = claim_create(employee=employee, kind="email", value="nobody@example.com")

    response = sales_ops_client.post(
        f"{CLAIMS}{claim.pk}/accept/",
        {"signup": orphan.signup.pk, "version": orphan.version, "reason": "Checked."},
        format="json",
    )

    assert response.status_code == 200, response.content
    orphan.refresh_from_db()
    assert (orphan.employee, orphan.status) == (employee, "pending")


def test_a_claim_accepts_only_a_matching_sign_up_at_the_version_seen(
    sales_ops_client, employee, other_employee, referred_by
) -> None:
    match = referred_by(other_employee, email="buur@example.com")
    stranger = referred_by(other_employee, email="someone.else@example.com")
    claim = claim_create(employee=employee, kind="email", value="buur@example.com")

    wrong = sales_ops_client.post(
        f"{CLAIMS}{claim.pk}/accept/",
        {"signup": stranger.signup.pk, "version": 1, "reason": "x"},
        format="json",
    )
    stale = sales_ops_client.post(
        f"{CLAIMS}{claim.pk}/accept/",
        {"signup": match.signup.pk, "version": 5, "reason": "x"},
        format="json",
    )
    missing = sales_ops_client.post(
        f"{CLAIMS}{claim.pk}/accept/",
        {"signup": 999999, "version": 1, "reason": "x"},
        format="json",
    )

    assert (wrong.status_code, wrong.json()["code"]) == (409, "signup_does_not_match")
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")
    assert (missing.status_code, missing.json()["code"]) == (404, "signup_not_found")
    assert Claim.objects.get(pk=claim.pk).status == "open"
    match.refresh_from_db()
    assert (match.employee, match.version) == (other_employee, 1)


def test_rejecting_a_claim_needs_a_reason_and_happens_once(sales_ops_client, employee) -> None:
    claim = claim_create(employee=employee, kind="phone", value="0612345678")

    no_reason = sales_ops_client.post(f"{CLAIMS}{claim.pk}/reject/", {}, format="json")
    first = sales_ops_client.post(
        f"{CLAIMS}{claim.pk}/reject/", {"reason": "No sign-up found."}, format="json"
    )
    again = sales_ops_client.post(f"{CLAIMS}{claim.pk}/reject/", {"reason": "x"}, format="json")

    assert no_reason.status_code == 400
    assert (first.status_code, first.json()["status"]) == (200, "rejected")
    assert first.json()["decision_note"] == "No sign-up found."
    assert (again.status_code, again.json()["code"]) == (409, "claim_decided")


def test_sales_ops_cannot_decide_their_own_claim(sales_ops, sales_ops_client) -> None:
    claim = claim_create(employee=sales_ops, kind="phone", value="0612345678")

    response = sales_ops_client.post(f"{CLAIMS}{claim.pk}/reject/", {"reason": "x"}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "own_claim")


def test_an_unknown_claim_is_404(sales_ops_client) -> None:
    response = sales_ops_client.get(f"{CLAIMS}777777/")

    assert (response.status_code, response.json()["code"]) == (404, "claim_not_found")


def test_the_claimant_sees_why_a_claim_was_rejected(sales_ops_client, employee) -> None:
    claim = claim_create(employee=employee, kind="phone", value="0612345678")
    claimant = login(employee)
    before = claimant.get("/api/v1/referrals/claims/").json()["results"]
    sales_ops_client.post(
        f"{CLAIMS}{claim.pk}/reject/",
        {"reason": "The friend signed up before your share."},
        format="json",
    )

    after = claimant.get("/api/v1/referrals/claims/").json()["results"]

    assert [(c["status"], c["decision_reason"]) for c in before] == [("open", "")]
    assert [(c["status"], c["decision_reason"]) for c in after] == [
        ("rejected", "The friend signed up before your share.")
    ]
