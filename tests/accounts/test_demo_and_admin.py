from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from backend.accounts.demo import DEMO_PASSWORD
from backend.accounts.models import Employee
from tests.factories import PASSWORD


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug_and_writes_nothing(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG on"):
        call_command("seed_demo", stdout=StringIO())
    assert not Employee.objects.exists()


@pytest.mark.django_db
def test_seed_demo_runs_with_debug_on(settings) -> None:
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "employees: 32 created" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_builds_an_organisation_and_a_second_run_changes_nothing() -> None:
    first = seed()
    snapshot = list(Employee.objects.order_by("pk").values())

    second = seed()

    assert "employees: 32 created" in first
    assert "employees: 0 created" in second
    assert list(Employee.objects.order_by("pk").values()) == snapshot
    assert Employee.objects.filter(groups__name="editor").exists()
    assert Employee.objects.filter(groups__name="sales_ops").exists()
    assert Employee.objects.filter(is_staff=True).exists()
    assert Employee.objects.values("department").distinct().count() >= 6
    assert f"password for all: {DEMO_PASSWORD}" in first


@pytest.mark.django_db
def test_printed_demo_logins_work(api_client) -> None:
    output = seed()
    emails = [line.split()[0] for line in output.splitlines() if "@" in line]

    assert len(emails) >= 4
    for email in emails:
        response = api_client.post(
            "/api/v1/auth/token/", {"email": email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200, email


def admin_client(employee: Employee) -> Client:
    client = Client()
    assert client.login(email=employee.email, password=PASSWORD)
    return client


def test_staff_manage_employees_in_the_admin(staff: Employee, employee: Employee) -> None:
    client = admin_client(staff)

    listing = client.get("/admin/accounts/employee/?q=Anna")
    change = client.get(f"/admin/accounts/employee/{employee.pk}/change/")

    assert listing.status_code == 200
    assert "Anna de Vries" in listing.content.decode()
    assert change.status_code == 200


def test_admin_action_marks_employees_as_left(staff: Employee, employee: Employee) -> None:
    client = admin_client(staff)

    response = client.post(
        "/admin/accounts/employee/",
        {"action": "deactivate_selected", "_selected_action": [employee.pk]},
    )

    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.is_active is False
    assert employee.left_at is not None


def test_employees_without_staff_cannot_open_the_admin(employee: Employee) -> None:
    response = admin_client(employee).get("/admin/accounts/employee/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_role_groups_get_the_permissions_the_mapping_lists(editor: Employee) -> None:
    from backend.accounts.roles import ROLE_PERMISSIONS, Role

    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in editor.groups.get(name="editor").permissions.select_related("content_type")
    }

    assert granted == set(ROLE_PERMISSIONS[Role.EDITOR])


def test_editors_can_open_the_admin_but_not_employee_records(editor: Employee) -> None:
    client = admin_client(editor)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/employee/").status_code == 403
