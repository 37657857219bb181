"""Ending sessions: every refresh token issued before a password change, a leave or an
administrator's "end all sessions" stops working; a new login works."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from backend.accounts.models import Employee
from backend.accounts.services import _pair_for, employee_deactivate, employee_sessions_end
from tests.conftest import login

REFRESH_URL = "/api/v1/auth/token/refresh/"
NEW_PASSWORD = "a-new-Passw0rd-for-tests"
SESSION_ENDED = {
    "code": "session_ended",
    "message": "This session has ended: the password was changed or all sessions were ended.",
}


def refresh(token: str) -> tuple[int, dict[str, str]]:
    response = APIClient().post(REFRESH_URL, {"refresh": token}, format="json")
    return response.status_code, response.json()


def test_a_password_change_ends_refresh_tokens_issued_before_it(employee: Employee) -> None:
    before = login(employee)
    employee.set_password(NEW_PASSWORD)
    employee.save()

    assert refresh(before.refresh_token) == (401, SESSION_ENDED)  # type: ignore[attr-defined]
    assert before.get("/api/v1/me/").status_code == 401
    after = login(employee, NEW_PASSWORD)
    assert refresh(after.refresh_token)[0] == 200  # type: ignore[attr-defined]


def test_a_pair_rotated_before_the_password_change_is_ended_as_well(employee: Employee) -> None:
    status, rotated = refresh(login(employee).refresh_token)  # type: ignore[attr-defined]
    assert status == 200
    employee.set_password(NEW_PASSWORD)
    employee.save()

    assert refresh(rotated["refresh"]) == (401, SESSION_ENDED)


def test_the_admin_password_form_ends_sessions(employee: Employee, staff: Employee) -> None:
    session = login(employee)
    admin = Client()
    admin.force_login(staff)

    response = admin.post(
        f"/admin/accounts/employee/{employee.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert refresh(session.refresh_token) == (401, SESSION_ENDED)  # type: ignore[attr-defined]


def test_changepassword_ends_sessions(employee: Employee, monkeypatch: pytest.MonkeyPatch) -> None:
    session = login(employee)
    monkeypatch.setattr(
        "django.contrib.auth.management.commands.changepassword.getpass.getpass",
        lambda prompt="": NEW_PASSWORD,
    )

    call_command("changepassword", employee.email)

    assert refresh(session.refresh_token) == (401, SESSION_ENDED)  # type: ignore[attr-defined]


def test_sessions_from_before_a_leave_stay_ended_after_a_return(employee: Employee) -> None:
    session = login(employee)
    employee_deactivate(employee=employee)
    Employee.objects.filter(pk=employee.pk).update(is_active=True, left_at=None)

    assert refresh(session.refresh_token) == (401, SESSION_ENDED)  # type: ignore[attr-defined]
    assert session.get("/api/v1/me/").status_code == 401


def test_a_leave_in_the_roster_ends_sessions(employee: Employee, tmp_path: Path) -> None:
    session = login(employee)
    roster = tmp_path / "roster.csv"
    line = f"{employee.employee_number},{employee.email},{employee.display_name},,,nl"
    roster.write_text(
        f"employee_number,email,display_name,department,team,language,status\n{line},left\n",
        encoding="utf-8",
    )
    call_command("import_employees", str(roster), stdout=StringIO())
    roster.write_text(roster.read_text().replace(",left\n", ",active\n"), encoding="utf-8")
    call_command("import_employees", str(roster), stdout=StringIO())

    employee.refresh_from_db()
    assert employee.is_active is True
    assert refresh(session.refresh_token) == (401, SESSION_ENDED)  # type: ignore[attr-defined]


def test_marking_an_employee_as_left_in_the_admin_ends_sessions(
    employee: Employee, staff: Employee
) -> None:
    # `is_active` is read-only in the admin form: leaving is the "Mark as left" action,
    # which goes through the employment action (left_at, codes, sessions).
    session = login(employee)
    admin = Client()
    admin.force_login(staff)

    response = admin.post(
        "/admin/accounts/employee/",
        {"action": "deactivate_selected", "_selected_action": [employee.pk]},
    )

    assert response.status_code == 302
    Employee.objects.filter(pk=employee.pk).update(is_active=True, left_at=None)
    assert refresh(session.refresh_token) == (401, SESSION_ENDED)  # type: ignore[attr-defined]


def test_the_admin_action_ends_all_sessions_of_the_selected(
    employee: Employee, other_employee: Employee, staff: Employee
) -> None:
    sessions = [login(employee), login(employee)]
    untouched = login(other_employee)
    admin = Client()
    admin.force_login(staff)

    response = admin.post(
        "/admin/accounts/employee/",
        {"action": "end_sessions_selected", "_selected_action": [employee.pk]},
    )

    assert response.status_code == 302
    for session in sessions:
        assert refresh(session.refresh_token) == (401, SESSION_ENDED)  # type: ignore[attr-defined]
        assert session.get("/api/v1/me/").json()["code"] == "session_ended"
    assert refresh(untouched.refresh_token)[0] == 200  # type: ignore[attr-defined]
    assert refresh(login(employee).refresh_token)[0] == 200  # type: ignore[attr-defined]


def test_ending_sessions_blacklists_the_outstanding_refresh_tokens(employee: Employee) -> None:
    login(employee)
    login(employee)

    employee_sessions_end(employee=employee)

    tokens = OutstandingToken.objects.filter(user=employee)
    assert tokens.count() == 2
    assert tokens.filter(blacklistedtoken__isnull=True).count() == 0
    assert employee.session_epoch == 1


def test_ending_sessions_ends_the_admin_browser_session(staff: Employee) -> None:
    browser = Client()
    browser.force_login(staff)
    assert browser.get("/admin/").status_code == 200

    employee_sessions_end(employee=staff)

    assert browser.get("/admin/").status_code == 302


def test_a_stale_full_save_does_not_revive_ended_sessions(employee: Employee) -> None:
    session = login(employee)
    stale = Employee.objects.get(pk=employee.pk)
    employee_sessions_end(employee=employee)

    stale.display_name = "Anna de Vries-Smit"
    stale.save()

    assert Employee.objects.get(pk=employee.pk).session_epoch == 1
    assert refresh(session.refresh_token) == (401, SESSION_ENDED)  # type: ignore[attr-defined]


def test_a_token_without_the_session_claims_cannot_refresh(employee: Employee) -> None:
    # A pair from before session epochs existed carries simplejwt's claims only.
    legacy = RefreshToken.for_user(employee)

    assert refresh(str(legacy)) == (401, SESSION_ENDED)


def test_a_pair_issued_while_sessions_were_being_ended_cannot_refresh(
    employee: Employee,
) -> None:
    # A refresh that read the employee just before the end returns a pair the blacklist
    # never saw; the epoch it carries is the old one.
    read_before_the_end = Employee.objects.get(pk=employee.pk)
    employee_sessions_end(employee=employee)

    racing = _pair_for(read_before_the_end)

    assert refresh(racing.refresh) == (401, SESSION_ENDED)
    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {racing.access}")
    assert response.status_code == 401
    assert response.json()["code"] == "session_ended"


def test_tokens_carry_the_password_claim_simplejwt_checks_and_the_epoch(employee: Employee) -> None:
    token = AccessToken(_pair_for(employee).access)

    assert token["hash_password"] == get_md5_hash_password(employee.password)
    assert token["session_epoch"] == 0
