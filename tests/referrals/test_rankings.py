"""Rankings: someone who opts out (or leaves) is off the company board from the next
request on, although the company's numbers are shared through the cache for minutes."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from backend.accounts.models import Employee
from backend.accounts.services import employee_deactivate
from referrals.services.attribution import attributions_finalize
from tests.conftest import login
from tests.referrals.conftest import personal_code
from tests.referrals.test_employee_views import report_activated_long_ago

IMPACT = "/api/v1/referrals/impact/"


def board(client: APIClient) -> list[tuple[int, str, int]]:
    body = client.get(IMPACT).json()
    return [(p["rank"], p["display_name"], p["signups_confirmed"]) for p in body["company_leaders"]]


def confirmed(crm: APIClient, person: Employee, count: int) -> None:
    for _ in range(count):
        report_activated_long_ago(crm, code=personal_code(person).code)


def test_opting_out_takes_effect_on_the_next_request(
    make_employee: Any, crm: APIClient, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.IMPACT_COMPANY_REFRESH_SECONDS = 300
    lotte = make_employee(display_name="Lotte Mulder", team="Store A")
    bas = make_employee(display_name="Bas Bakker", team="Store B")
    viewer = login(make_employee(display_name="Vera Vos", team="Store C"))
    confirmed(crm, lotte, 3)
    confirmed(crm, bas, 1)
    attributions_finalize()
    assert board(viewer) == [(1, "Lotte Mulder", 3), (2, "Bas Bakker", 1)]

    response = login(lotte).patch("/api/v1/me/", {"ranking_opt_out": True}, format="json")
    assert response.status_code == 200

    # auth, own and team numbers, who of the cached leaders may be listed now
    with django_assert_num_queries(3):
        body = viewer.get(IMPACT).json()
    assert [(p["rank"], p["display_name"]) for p in body["company_leaders"]] == [(1, "Bas Bakker")]
    assert body["company"]["signups_confirmed"] == 4  # still counted, never named


def test_an_opt_out_set_anywhere_and_a_leave_take_effect_at_once(
    make_employee: Any, crm: APIClient, settings: Any
) -> None:
    settings.IMPACT_COMPANY_REFRESH_SECONDS = 300
    people = [make_employee(display_name=f"Collega {n}", team="Store A") for n in range(3)]
    viewer = login(make_employee(display_name="Vera Vos", team="Store C"))
    for n, person in enumerate(people):
        confirmed(crm, person, 3 - n)
    attributions_finalize()
    assert [name for _, name, _ in board(viewer)] == ["Collega 0", "Collega 1", "Collega 2"]

    Employee.objects.filter(pk=people[0].pk).update(ranking_opt_out=True)  # admin, roster
    employee_deactivate(employee=people[1])

    assert board(viewer) == [(1, "Collega 2", 1)]
