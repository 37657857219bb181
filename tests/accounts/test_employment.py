"""The one employment action: hire, change, leave, return, through every door."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from backend.accounts.employment import (
    employee_change,
    employee_hire,
    employee_leave,
    employee_return,
)
from backend.accounts.models import Employee
from backend.api.errors import Conflict
from referrals.models import ReferralCode
from tests.concurrency import run_concurrently
from tests.factories import PASSWORD, EmployeeFactory


def codes_of(employee: Employee) -> list[tuple[bool, bool]]:
    """(is_personal, frozen) per live code."""
    return sorted(
        (code.is_personal, code.frozen_at is not None)
        for code in ReferralCode.objects.filter(owner=employee, revoked_at__isnull=True)
    )


def new_employee(**fields: str) -> Employee:
    employee = Employee(
        email=fields.get("email", "Nina@CEO-telecom.example"),
        employee_number=fields.get("employee_number", "E100"),
        display_name="Nina Bos",
    )
    employee.set_unusable_password()
    return employee


@pytest.mark.django_db
def test_hire_stores_the_employee_and_issues_a_personal_code() -> None:
    employee = employee_hire(employee=new_employee())

    assert Employee.objects.get(pk=employee.pk).email == "nina@ceo-telecom.example"
    assert codes_of(employee) == [(True, False)]


@pytest.mark.django_db
def test_hiring_a_taken_email_is_a_conflict_and_writes_nothing(employee: Employee) -> None:
    with pytest.raises(Conflict) as raised, transaction.atomic():
        employee_hire(employee=new_employee(email=employee.email.upper()))

    assert raised.value.code == "duplicate_employee"
    assert Employee.objects.count() == 1
    assert ReferralCode.objects.exclude(owner=employee).count() == 0


@pytest.mark.django_db
def test_leave_records_the_date_and_freezes_codes_return_unfreezes(employee: Employee) -> None:
    left_at = timezone.now() - timedelta(days=2)

    assert employee_leave(employee=employee, left_at=left_at) is True
    assert employee_leave(employee=employee) is False  # the first date stays
    stored = Employee.objects.get(pk=employee.pk)
    assert (stored.is_active, stored.left_at) == (False, left_at)
    assert codes_of(employee) == [(True, True)]

    assert employee_return(employee=employee) is True
    assert employee_return(employee=employee) is False
    stored.refresh_from_db()
    assert (stored.is_active, stored.left_at) == (True, None)
    assert codes_of(employee) == [(True, False)]


@pytest.mark.django_db
def test_change_sets_profile_fields_and_refuses_someone_elses_email(
    employee: Employee, other_employee: Employee
) -> None:
    assert employee_change(employee=employee, data={"team": "Zuid", "language": "nl"}) == ["team"]

    with pytest.raises(Conflict):
        employee_change(employee=employee, data={"email": other_employee.email})

    stored = Employee.objects.get(pk=employee.pk)
    assert (stored.team, stored.email) == ("Zuid", employee.email)
    assert employee.email != other_employee.email


@pytest.mark.django_db
def test_the_database_refuses_an_inactive_employee_without_a_leave_date(
    employee: Employee,
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Employee.objects.filter(pk=employee.pk).update(is_active=False)


@pytest.mark.django_db(transaction=True)
def test_concurrent_leaves_record_one_date() -> None:
    employee = EmployeeFactory()
    dates = [timezone.now() - timedelta(days=n) for n in (1, 2, 3, 4)]

    outcomes = run_concurrently(
        lambda i: employee_leave(employee=Employee.objects.get(pk=employee.pk), left_at=dates[i]),
        4,
    )

    assert sorted(outcomes) == [False, False, False, True]
    stored = Employee.objects.get(pk=employee.pk)
    assert stored.left_at == dates[outcomes.index(True)]


def admin_client(employee: Employee) -> Client:
    client = Client()
    assert client.login(email=employee.email, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_an_employee_added_in_the_admin_is_hired_with_a_code(staff: Employee) -> None:
    response = admin_client(staff).post(
        "/admin/accounts/employee/add/",
        {
            "email": "Kees@ceo-telecom.example",
            "employee_number": "A777",
            "display_name": "Kees Mol",
            "language": "nl",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "identifiers-TOTAL_FORMS": "0",
            "identifiers-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["errors"]
    kees = Employee.objects.get(employee_number="A777")
    assert (kees.email, kees.is_active) == ("kees@ceo-telecom.example", True)
    assert codes_of(kees) == [(True, False)]


@pytest.mark.django_db
def test_admin_actions_leave_and_return_through_the_action(
    staff: Employee, employee: Employee
) -> None:
    client = admin_client(staff)

    client.post(
        "/admin/accounts/employee/",
        {"action": "deactivate_selected", "_selected_action": [employee.pk]},
    )
    left = Employee.objects.get(pk=employee.pk)
    frozen = codes_of(employee)
    client.post(
        "/admin/accounts/employee/",
        {"action": "reactivate_selected", "_selected_action": [employee.pk]},
    )
    back = Employee.objects.get(pk=employee.pk)

    assert (left.is_active, left.left_at is not None, frozen) == (False, True, [(True, True)])
    assert (back.is_active, back.left_at, codes_of(employee)) == (True, None, [(True, False)])


@pytest.mark.django_db
def test_the_admin_form_cannot_switch_an_employee_off_without_the_action(
    staff: Employee, employee: Employee
) -> None:
    page = admin_client(staff).get(f"/admin/accounts/employee/{employee.pk}/change/")

    assert page.status_code == 200
    assert 'name="is_active"' not in page.content.decode()


def test_the_platform_imports_no_app() -> None:
    """Dependencies point one way: apps reach the platform through its extension points
    (signals, `backend.accounts.extensions`), and no module of the platform imports an
    app, migrations included, at the top of a module or inside a function."""
    base = Path(settings.BASE_DIR)
    offenders = []
    for path in sorted((base / "backend").rglob("*.py")):
        relative = str(path.relative_to(base))
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [
                f"{relative}: {name}"
                for name in names
                if name.split(".")[0] in ("knowledge", "referrals")
            ]

    assert offenders == []


@pytest.mark.django_db
def test_a_roster_import_announces_its_hires_and_leaves_once_each(tmp_path: Path) -> None:
    from backend.accounts.employment import employees_hired, employees_left
    from backend.accounts.roster import roster_import, roster_parse

    heard: list[tuple[str, list[str]]] = []

    def listener(kind: str):
        return lambda sender, employees, **kwargs: heard.append(
            (kind, sorted(e.employee_number for e in employees))
        )

    on_hire, on_leave = listener("hired"), listener("left")
    employees_hired.connect(on_hire)
    employees_left.connect(on_leave)
    try:
        roster_import(
            rows=roster_parse(
                "employee_number,email,display_name,status\n"
                "R1,r1@ceo-telecom.example,R One,active\n"
                "R2,r2@ceo-telecom.example,R Two,left\n"
                "R3,r3@ceo-telecom.example,R Three,active\n"
            )
        )
    finally:
        employees_hired.disconnect(on_hire)
        employees_left.disconnect(on_leave)

    assert heard == [("hired", ["R1", "R2", "R3"]), ("left", ["R2"])]
