"""Races decided by PostgreSQL: real concurrent requests, each on its own connection."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from knowledge.models import Article
from referrals.codes import generate_code
from referrals.models import Attribution, AttributionEvent, LiveCustomer, ReferralCode, Signup
from tests.concurrency import run_concurrently
from tests.conftest import login
from tests.referrals.conftest import personal_code, signup_client, signup_payload

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_identical_deliveries_at_once_store_one_sign_up_with_equal_answers(
    employee: Employee,
) -> None:
    payload = signup_payload(code=personal_code(employee).code)
    clients = [signup_client("crm") for _ in range(20)]

    responses = run_concurrently(
        lambda i: clients[i].post("/api/v1/signups/", payload, format="json"), 20
    )

    assert sorted(r.status_code for r in responses) == [200] * 19 + [201]
    assert len({r.content for r in responses}) == 1
    assert Signup.objects.count() == Attribution.objects.count() == 1
    assert AttributionEvent.objects.count() == 1
    assert Attribution.objects.get().status == "pending"


def test_two_sign_ups_of_one_customer_at_once_leave_one_live_attribution(
    employee: Employee, other_employee: Employee
) -> None:
    payloads = [
        signup_payload(code=personal_code(employee).code, phone="0612345678"),
        signup_payload(code=personal_code(other_employee).code, phone="+31 6 12345678"),
    ]
    clients = [signup_client("crm"), signup_client("crm")]

    responses = run_concurrently(
        lambda i: clients[i].post("/api/v1/signups/", payloads[i], format="json"), 2
    )

    assert [r.status_code for r in responses] == [201, 201]
    outcomes = sorted((r.json()["status"], r.json()["reason"]) for r in responses)
    assert outcomes == [("pending", ""), ("rejected", "duplicate_customer")]
    assert Attribution.objects.filter(status="pending").count() == 1
    live = Attribution.objects.get(status="pending")
    assert set(LiveCustomer.objects.values_list("attribution_id", flat=True)) == {live.pk}


def test_two_batches_sharing_customers_at_once_attribute_each_customer_once(
    make_employee,
) -> None:
    referrers = [make_employee() for _ in range(2)]
    batches = [
        [
            signup_payload(code=personal_code(referrers[b]).code, email=f"shared{n}@example.com")
            for n in range(30)
        ]
        for b in range(2)
    ]
    clients = [signup_client("crm"), signup_client("crm")]

    responses = run_concurrently(
        lambda i: clients[i].post("/api/v1/signups/batch/", {"items": batches[i]}, format="json"),
        2,
    )

    assert [r.status_code for r in responses] == [200, 200]
    assert Signup.objects.count() == 60
    live = Attribution.objects.filter(status__in=["pending", "needs_review"])
    assert live.count() == 30
    assert Attribution.objects.filter(reason="duplicate_customer").count() == 30
    assert LiveCustomer.objects.count() == 30


def test_a_revoke_racing_a_sign_up_leaves_a_consistent_result(employee: Employee) -> None:
    code = ReferralCode.objects.create(code=generate_code(), owner=employee, label="x")
    employee_client = login(employee)
    crm = signup_client("crm")
    payload = signup_payload(code=code.code, occurred_at=timezone.now())

    def work(i: int):
        if i == 0:
            return employee_client.post(f"/api/v1/referrals/codes/{code.code}/revoke/")
        return crm.post("/api/v1/signups/", payload, format="json")

    revoke, signup = run_concurrently(work, 2)

    assert (revoke.status_code, signup.status_code) == (200, 201)
    code.refresh_from_db()
    attribution = Attribution.objects.select_related("signup").get()
    occurred = attribution.signup.occurred_at
    # Either the sign-up came first (it counts) or the revoke did and predates it.
    if code.revoked_at <= occurred:
        assert (attribution.status, attribution.reason) == ("rejected", "code_revoked")
    else:
        assert attribution.status == "pending"
    assert signup.json()["status"] == attribution.status


def share_by_sms(client: APIClient, article: Article) -> str:
    """Shares `article` as the client's employee; the link's token."""
    response = client.post("/api/v1/referrals/shares/", {"channel": "sms", "article": article.slug})
    assert response.status_code == 201, response.content
    return str(response.json()["token"])


def test_concurrent_shares_and_visits_count_each_visitor_once_a_day(
    employee: Employee, article
) -> None:
    token = share_by_sms(login(employee), article)
    visitors = [APIClient() for _ in range(8)]

    responses = run_concurrently(
        lambda i: visitors[i].get(f"/s/{token}", HTTP_USER_AGENT="same phone"), 8
    )

    assert {r.status_code for r in responses} == {200}
    assert employee.shares.get().visits.count() == 1


def test_first_visits_at_once_from_different_friends_mark_the_share_opened_once(
    employee: Employee, article
) -> None:
    client = login(employee)
    token = share_by_sms(client, article)
    friends = [APIClient(REMOTE_ADDR=f"198.51.100.{i + 1}") for i in range(8)]

    responses = run_concurrently(lambda i: friends[i].get(f"/s/{token}"), 8)

    assert {r.status_code for r in responses} == {200}
    share = employee.shares.get()
    assert share.visits.count() == 8
    assert share.opened_on == timezone.localdate()
    impact = client.get("/api/v1/referrals/impact/").json()
    assert impact["own"]["friends_reached"] == 1
