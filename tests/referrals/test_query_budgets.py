"""The referral reads outside the paginated lists (those have their own tests) cost a fixed
number of queries, the same for little and for much data; the company-wide impact numbers
that make that possible are shared through the cache and refreshed after their period."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from backend.accounts.roles import Role
from backend.accounts.services import employee_set_roles
from referrals.models import Share, Visit
from referrals.services.attribution import attributions_finalize
from tests.conftest import login
from tests.referrals.conftest import personal_code
from tests.referrals.test_employee_views import report, report_activated_long_ago


def test_impact_costs_the_same_for_a_new_and_a_busy_team(
    make_employee, crm: APIClient, article, django_assert_num_queries
) -> None:
    me = make_employee(team="Store A")
    client = login(me)
    # auth user with roles, own and team numbers (one statement); then the company's
    # totals (one statement) and leaders when the shared cache holds none (2)
    for expected in (4, 2):
        with django_assert_num_queries(expected):
            assert client.get("/api/v1/referrals/impact/").status_code == 200

    for n in range(4):
        mate = make_employee(team="Store A", display_name=f"Collega {n}")
        share = Share.objects.create(
            token=f"t{n}" + "x" * 20, employee=mate, code=personal_code(mate), channel="sms"
        )
        Visit.objects.create(share=share, day=timezone.localdate(), visitor_hash=f"{n}" * 64)
        report_activated_long_ago(crm, code=personal_code(mate).code)
        report(crm, code=personal_code(me).code)
    cache.clear()
    for expected in (4, 2):
        with django_assert_num_queries(expected):
            body = client.get("/api/v1/referrals/impact/").json()
    assert body["team_members"] == 5
    assert body["own"]["signups_attributed"] == 4


def test_me_costs_the_same_with_and_without_roles(make_employee, django_assert_num_queries) -> None:
    person = make_employee()
    client = login(person)
    # the employee with role names (authentication), the personal code
    with django_assert_num_queries(2):
        assert client.get("/api/v1/me/").json()["roles"] == []
    employee_set_roles(employee=person, roles=(Role.EDITOR, Role.SALES_OPS))
    with django_assert_num_queries(2):
        assert client.get("/api/v1/me/").json()["roles"] == ["editor", "sales_ops"]


def test_the_public_share_and_landing_page_cost_the_same_with_and_without_an_answer(
    employee: Employee,
    employee_client: APIClient,
    article,
    running_campaign,
    django_assert_num_queries,
) -> None:
    with_answer = employee_client.post(
        "/api/v1/referrals/shares/", {"channel": "sms", "article": article.slug}
    ).json()["token"]
    code_only = employee_client.post("/api/v1/referrals/shares/", {"channel": "qr"}).json()["token"]
    friend = Client()
    friend.get(f"/s/{code_only}")  # today's visitor salt is read once per process
    # A share's first visit also marks it opened, in one transaction with the visit (here
    # a savepoint): the share, savepoint, visit, mark, release.
    with django_assert_num_queries(5):
        assert Client(REMOTE_ADDR="203.0.113.9").get(f"/s/{with_answer}").status_code == 200

    # share with code, owner, campaign and answer; the visit (insert, in a savepoint)
    for token in (with_answer, code_only):
        with django_assert_num_queries(2):
            assert friend.get(f"/s/{token}").status_code == 200
        with django_assert_num_queries(2):
            assert friend.get(f"/api/v1/public/shares/{token}/").status_code == 200


def clock(at: float) -> Any:
    """The impact selector's clock only (the cache keeps real time)."""
    return mock.patch("referrals.selectors.impact.time", time=mock.Mock(return_value=at))


def test_company_impact_is_shared_and_refreshed_after_its_period(
    make_employee, crm: APIClient, settings, django_assert_num_queries
) -> None:
    settings.IMPACT_COMPANY_REFRESH_SECONDS = 60
    me, other = make_employee(team="Store A"), make_employee(team="Store B")
    client = login(me)
    report_activated_long_ago(crm, code=personal_code(other).code)
    attributions_finalize()
    now = time.time()

    with clock(now):
        first = client.get("/api/v1/referrals/impact/").json()["company"]
    report_activated_long_ago(crm, code=personal_code(other).code)
    attributions_finalize()
    with clock(now + 59):
        cached = client.get("/api/v1/referrals/impact/").json()["company"]
    with clock(now + 61):
        refreshed = client.get("/api/v1/referrals/impact/").json()["company"]

    assert (first["signups_confirmed"], cached["signups_confirmed"]) == (1, 1)
    assert refreshed["signups_confirmed"] == 2


def test_while_one_request_refreshes_the_company_numbers_others_show_the_previous(
    make_employee, crm: APIClient, settings
) -> None:
    settings.IMPACT_COMPANY_REFRESH_SECONDS = 60
    client = login(make_employee())
    now = time.time()
    with clock(now):
        client.get("/api/v1/referrals/impact/")
    report_activated_long_ago(crm, code=personal_code(make_employee()).code)
    attributions_finalize()
    cache.add("referrals:impact:company:v3:refreshing", 1, 60)  # another request refreshes

    with clock(now + 61):
        body = client.get("/api/v1/referrals/impact/").json()

    assert body["company"]["signups_confirmed"] == 0
