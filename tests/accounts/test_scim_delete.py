"""SCIM DELETE as RFC 7644 3.6 asks: the row stays (past attributions keep their owner,
the employee has left) but the user is gone for SCIM until the provider creates them again,
which is their return."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from tests.accounts.test_scim import (
    ENTERPRISE,
    ENTRA_CREATE,
    OKTA_CREATE,
    PATCH_OP,
    Provisioner,
    codes,
    create_token,
    entra_patch,
)
from tests.concurrency import run_concurrently
from tests.conftest import login
from tests.factories import PASSWORD

NOT_FOUND = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
    "status": "404",
    "detail": "No such user.",
    "code": "not_found",
    "message": "No such user.",
}


@pytest.fixture
def entra(db: None) -> Provisioner:
    return Provisioner(create_token("entra-id"))


def scim_body(employee: Employee) -> dict[str, Any]:
    """The employee as the provider first sent them (Entra ID's create request)."""
    return {
        **ENTRA_CREATE,
        "userName": employee.email,
        "emails": [{"primary": True, "type": "work", "value": employee.email}],
        ENTERPRISE: {"employeeNumber": employee.employee_number, "department": "Retail"},
    }


def test_a_deleted_user_is_404_for_every_operation_and_absent_from_lists(
    entra: Provisioner, employee: Employee, make_employee: Any
) -> None:
    other = make_employee()
    session = login(employee)

    deleted = entra.call("DELETE", f"Users/{employee.pk}")

    assert (deleted.status_code, deleted.content) == (204, b"")
    path = f"Users/{employee.pk}"
    patch = entra_patch({"op": "Replace", "path": "displayName", "value": "Changed"})
    for method, body in (("GET", None), ("PATCH", patch), ("PUT", scim_body(employee))):
        response = entra.call(method, path, body)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), method
    again = entra.call("DELETE", path)
    assert (again.status_code, again.json()) == (404, NOT_FOUND)
    listing = entra.call("GET", "Users").json()
    assert (listing["totalResults"], [r["id"] for r in listing["Resources"]]) == (
        1,
        [str(other.pk)],
    )
    for query in (
        f'userName eq "{employee.email}"',
        f'emails[type eq "work"].value eq "{employee.email}"',
        f'{ENTERPRISE}:employeeNumber eq "{employee.employee_number}"',
    ):
        found = entra.call("GET", f"Users?filter={query}").json()
        assert (found["totalResults"], found["Resources"]) == (0, []), query
    # The row stays: the employee has left, nothing about them changed on the way.
    stored = Employee.objects.get(pk=employee.pk)
    assert (stored.is_active, stored.left_at is not None) == (False, True)
    assert stored.scim_deleted_at is not None
    assert stored.display_name == employee.display_name
    assert codes(employee.pk) == [True]
    assert session.get("/api/v1/me/").status_code == 401
    refreshed = APIClient().post(
        "/api/v1/auth/token/refresh/", {"refresh": session.refresh_token}, format="json"
    )
    assert refreshed.status_code == 401


def test_deleting_a_deactivated_user_keeps_the_date_they_left(entra: Provisioner) -> None:
    user = entra.call("POST", "Users", ENTRA_CREATE).json()
    entra.call(
        "PATCH",
        f"Users/{user['id']}",
        entra_patch({"op": "Replace", "path": "active", "value": "False"}),
    )
    left_at = Employee.objects.get(pk=user["id"]).left_at

    response = entra.call("DELETE", f"Users/{user['id']}")

    assert response.status_code == 204
    stored = Employee.objects.get(pk=user["id"])
    assert (stored.left_at, stored.scim_deleted_at is not None) == (left_at, True)
    assert entra.call("GET", f"Users/{user['id']}").status_code == 404


def test_creating_a_deleted_user_again_is_their_return(db: None) -> None:
    okta = Provisioner(create_token("okta"))
    first = okta.call("POST", "Users", OKTA_CREATE).json()
    employee = Employee.objects.get(pk=first["id"])
    old_session = login(_with_password(employee))
    assert okta.call("DELETE", f"Users/{employee.pk}").status_code == 204

    again = okta.call(
        "POST", "Users", {**OKTA_CREATE, "userName": "Pieter.Jansen@ceo-telecom.example"}
    )

    assert again.status_code == 201, again.content
    body = again.json()
    assert (body["id"], body["active"]) == (first["id"], True)
    assert again["Location"] == f"http://testserver/scim/v2/Users/{employee.pk}"
    assert Employee.objects.count() == 1
    stored = Employee.objects.get(pk=employee.pk)
    assert (stored.is_active, stored.left_at, stored.scim_deleted_at) == (True, None, None)
    assert codes(employee.pk) == [False]
    assert okta.call("GET", f"Users/{employee.pk}").json()["userName"] == (
        "pieter.jansen@ceo-telecom.example"
    )
    # Sessions that ended at the delete stay ended; a new login works.
    assert old_session.get("/api/v1/me/").status_code == 401
    assert login(stored).get("/api/v1/me/").status_code == 200


def test_a_return_by_employee_number_replaces_the_profile(entra: Provisioner) -> None:
    user = entra.call("POST", "Users", ENTRA_CREATE).json()
    entra.call("DELETE", f"Users/{user['id']}")

    renamed = {
        **ENTRA_CREATE,
        "userName": "sanne.devries@ceo-telecom.example",
        "displayName": "Sanne de Vries",
    }
    response = entra.call("POST", "Users", renamed)

    assert (response.status_code, response.json()["id"]) == (201, user["id"])
    stored = Employee.objects.get(pk=user["id"])
    assert (stored.email, stored.display_name, stored.is_active) == (
        "sanne.devries@ceo-telecom.example",
        "Sanne de Vries",
        True,
    )


def test_a_return_sent_inactive_is_visible_and_has_left(entra: Provisioner) -> None:
    user = entra.call("POST", "Users", ENTRA_CREATE).json()
    entra.call("DELETE", f"Users/{user['id']}")

    response = entra.call("POST", "Users", {**ENTRA_CREATE, "active": False})

    assert (response.status_code, response.json()["active"]) == (201, False)
    stored = Employee.objects.get(pk=user["id"])
    assert (stored.is_active, stored.left_at is not None, stored.scim_deleted_at) == (
        False,
        True,
        None,
    )
    assert codes(stored.pk) == [True]
    assert entra.call("GET", f"Users/{user['id']}").json()["active"] is False


def test_a_username_of_an_active_user_stays_a_conflict_even_next_to_a_deleted_one(
    entra: Provisioner, employee: Employee
) -> None:
    user = entra.call("POST", "Users", ENTRA_CREATE).json()
    entra.call("DELETE", f"Users/{user['id']}")

    # The deleted user's employeeNumber, the active employee's userName.
    response = entra.call("POST", "Users", {**ENTRA_CREATE, "userName": employee.email})
    active_duplicate = entra.call("POST", "Users", scim_body(employee))

    assert (response.status_code, response.json()["scimType"]) == (409, "uniqueness")
    assert (active_duplicate.status_code, active_duplicate.json()["scimType"]) == (
        409,
        "uniqueness",
    )
    stored = Employee.objects.get(pk=user["id"])
    assert (stored.email, stored.is_active, stored.scim_deleted_at is not None) == (
        "sanne.kok@ceo-telecom.example",
        False,
        True,
    )
    assert codes(stored.pk) == [True]
    assert Employee.objects.count() == 2


def test_a_deactivated_user_stays_visible_and_a_post_for_them_conflicts(
    entra: Provisioner,
) -> None:
    user = entra.call("POST", "Users", ENTRA_CREATE).json()
    okta_style = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    entra.call("PATCH", f"Users/{user['id']}", okta_style)

    shown = entra.call("GET", f"Users/{user['id']}")
    listed = entra.call("GET", 'Users?filter=userName eq "sanne.kok@ceo-telecom.example"')
    posted = entra.call("POST", "Users", ENTRA_CREATE)

    assert (shown.status_code, shown.json()["active"]) == (200, False)
    assert [r["id"] for r in listed.json()["Resources"]] == [user["id"]]
    assert posted.status_code == 409
    assert Employee.objects.get(pk=user["id"]).scim_deleted_at is None


def test_the_admin_return_action_clears_the_delete_mark(
    entra: Provisioner, staff: Employee, employee: Employee
) -> None:
    entra.call("DELETE", f"Users/{employee.pk}")
    client = Client()
    assert client.login(email=staff.email, password=PASSWORD)

    response = client.post(
        "/admin/accounts/employee/",
        {"action": "reactivate_selected", "_selected_action": [employee.pk]},
    )

    assert response.status_code == 302
    stored = Employee.objects.get(pk=employee.pk)
    assert (stored.is_active, stored.left_at, stored.scim_deleted_at) == (True, None, None)
    assert codes(employee.pk) == [False]
    assert entra.call("GET", f"Users/{employee.pk}").json()["active"] is True


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creates_of_a_deleted_user_return_them_once() -> None:
    token = create_token("entra-id")
    user = Provisioner(token).call("POST", "Users", ENTRA_CREATE).json()
    Provisioner(token).call("DELETE", f"Users/{user['id']}")

    statuses = run_concurrently(
        lambda i: Provisioner(token).call("POST", "Users", ENTRA_CREATE).status_code, 2
    )

    assert sorted(statuses) == [201, 409]
    stored = Employee.objects.get(employee_number="E-4711")
    assert (stored.pk, stored.is_active, stored.scim_deleted_at) == (int(user["id"]), True, None)
    assert codes(stored.pk) == [False]


def _with_password(employee: Employee) -> Employee:
    employee.set_password(PASSWORD)
    employee.save(update_fields=["password"])
    return employee
