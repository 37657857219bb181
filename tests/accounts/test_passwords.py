"""Invitations and password reset, with mails received by a real SMTP server."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.employment import employee_leave
from backend.accounts.mails import MailNotSent
from backend.accounts.models import Employee
from backend.accounts.passwords import password_reset_mail_send
from tests.accounts.smtp import Inbox
from tests.concurrency import run_concurrently
from tests.conftest import login
from tests.factories import PASSWORD

NEW_PASSWORD = "paars-fietspad-1987"
RESET = "/api/v1/auth/password/reset/"
CONFIRM = "/api/v1/auth/password/reset/confirm/"


def without_password(make_employee: Any, **fields: Any) -> Employee:
    return make_employee(password=None, **fields)


def invite(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("invite_employees", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def confirm(uid: str, token: str, password: str = NEW_PASSWORD) -> Any:
    body = {"uid": uid, "token": token, "new_password": password}
    return APIClient().post(CONFIRM, body, format="json")


def can_log_in(employee: Employee, password: str) -> bool:
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": employee.email, "password": password}, format="json"
    )
    return response.status_code == 200


def test_an_invitation_mail_is_received_and_its_link_sets_the_password(
    smtp_inbox: Inbox, make_employee: Any
) -> None:
    anna = without_password(make_employee, language="nl", email="anna@ceo-telecom.example")
    bram = without_password(make_employee, language="en", email="bram@ceo-telecom.example")
    with_password = make_employee(email="cor@ceo-telecom.example")

    output, skipped = invite(anna.email, bram.email.upper(), with_password.email, "x@y.example")

    assert output == "invited=2 skipped=2"
    assert skipped.splitlines() == [
        "skipped cor@ceo-telecom.example: already has a password",
        "skipped x@y.example: unknown",
    ]
    [dutch], [english] = smtp_inbox.to(anna.email), smtp_inbox.to(bram.email)
    assert dutch["Subject"] == "Welkom bij de CEO-app: kies je wachtwoord"
    assert english["Subject"] == "Welcome to the CEO app: choose your password"
    assert smtp_inbox.to(with_password.email) == []
    _, uid, token = smtp_inbox.link(dutch)

    assert confirm(uid, token).status_code == 204
    assert can_log_in(anna, NEW_PASSWORD)
    assert not can_log_in(bram, NEW_PASSWORD)


def test_invite_all_reaches_only_active_employees_without_a_password(
    smtp_inbox: Inbox, make_employee: Any
) -> None:
    waiting = without_password(make_employee)
    gone = without_password(make_employee)
    employee_leave(employee=gone)
    make_employee()

    assert invite("--all")[0] == "invited=1 skipped=0"
    assert [m["To"] for m in smtp_inbox.messages] == [waiting.email]


@pytest.mark.django_db
def test_invite_needs_emails_or_all() -> None:
    with pytest.raises(CommandError):
        invite()


def queued_reset_jobs() -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT args::text FROM procrastinate_jobs WHERE task_name = %s ORDER BY id",
            ["accounts.password_reset_mail"],
        )
        return [json.loads(row[0]) for row in cursor.fetchall()]


def test_a_reset_request_only_queues_a_job_that_names_no_address(
    smtp_inbox: Inbox, employee: Employee
) -> None:
    known = APIClient().post(RESET, {"email": employee.email.upper()}, format="json")
    unknown = APIClient().post(RESET, {"email": "nobody@ceo-telecom.example"}, format="json")

    assert [known.status_code, unknown.status_code] == [202, 202]
    assert (smtp_inbox.connections, smtp_inbox.messages) == (0, [])
    first, second = queued_reset_jobs()
    assert (list(first), list(second)) == (["sealed_email"], ["sealed_email"])
    for args in (first, second):
        assert "@" not in args["sealed_email"]
    assert password_reset_mail_send(sealed_email=second["sealed_email"]) is False
    assert password_reset_mail_send(sealed_email=first["sealed_email"]) is True
    assert [m["To"] for m in smtp_inbox.messages] == [employee.email]
    assert password_reset_mail_send(sealed_email="not-a-sealed-address") is False


def test_a_reset_link_works_once_and_ends_existing_sessions(employee: Employee) -> None:
    session = login(employee)
    uid, token = _link_parts(employee)

    first = confirm(uid, token)
    reused = confirm(uid, token, "een-ander-wachtwoord-42")

    assert first.status_code == 204
    assert (reused.status_code, reused.json()["code"]) == (400, "reset_link_invalid")
    assert can_log_in(employee, NEW_PASSWORD)
    assert not can_log_in(employee, "een-ander-wachtwoord-42")
    assert session.get("/api/v1/me/").status_code == 401


def test_an_expired_link_is_refused_and_changes_nothing(
    employee: Employee, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    uid, token = _link_parts(employee)
    # The generator counts in naive local time (its own `_now`), one minute past the limit.
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)

    response = confirm(uid, token)

    assert response.status_code == 400, response
    assert response.json()["code"] == "reset_link_invalid"
    assert can_log_in(employee, PASSWORD)


def _link_parts(employee: Employee) -> tuple[str, str]:
    from backend.accounts.mails import password_link

    uid, token = password_link(employee).rstrip("/").split("/")[-2:]
    return uid, token


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("kort1", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("12345678901234", "This password is entirely numeric."),
    ],
)
def test_the_password_rules_apply_and_nothing_changes_on_refusal(
    employee: Employee, password: str, reason: str
) -> None:
    uid, token = _link_parts(employee)

    response = confirm(uid, token, password)

    assert response.status_code == 400
    assert reason in [error["message"] for error in response.json()["fields"]["new_password"]]
    assert can_log_in(employee, PASSWORD)
    assert confirm(uid, token).status_code == 204  # the link was not used up


@pytest.mark.parametrize(("uid", "token"), [("MQ", "nonsense-token"), ("!!", "x"), ("", "x")])
def test_made_up_links_are_refused(db: None, uid: str, token: str) -> None:
    response = confirm(uid, token)

    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_one_link_used_twice_at_once_sets_the_password_once(make_employee: Any) -> None:
    employee = without_password(make_employee)
    uid, token = _link_parts(employee)
    passwords = ["eerste-wachtwoord-771", "tweede-wachtwoord-882"]

    statuses = run_concurrently(lambda i: confirm(uid, token, passwords[i]).status_code, 2)

    assert sorted(statuses) == [204, 400]
    winner = passwords[statuses.index(204)]
    assert Employee.objects.get(pk=employee.pk).check_password(winner)


def test_the_page_sets_the_password_in_the_employees_language(
    make_employee: Any,
) -> None:
    employee = without_password(make_employee, language="nl")
    uid, token = _link_parts(employee)
    url = f"/account/set-password/{uid}/{token}/"
    browser = Client(enforce_csrf_checks=True)

    form = browser.get(url)
    csrf = form.cookies["csrftoken"].value
    mismatch = browser.post(
        url,
        {
            "new_password": NEW_PASSWORD,
            "new_password_again": "iets anders",
            "csrfmiddlewaretoken": csrf,
        },
    )
    weak = browser.post(
        url,
        {"new_password": "password", "new_password_again": "password", "csrfmiddlewaretoken": csrf},
    )
    done = browser.post(
        url,
        {
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
            "csrfmiddlewaretoken": csrf,
        },
    )
    again = browser.get(url, HTTP_ACCEPT_LANGUAGE="nl")  # used up: whose it was is not shown

    assert form.status_code == 200
    assert form["Content-Security-Policy"].startswith("default-src 'self'")
    assert (form["Referrer-Policy"], form["Cache-Control"]) == ("same-origin", "no-store")
    assert "Kies je wachtwoord" in form.content.decode()
    assert (mismatch.status_code, "niet gelijk" in mismatch.content.decode()) == (200, True)
    assert (weak.status_code, "te algemeen" in weak.content.decode()) == (200, True)
    assert (done.status_code, "Je wachtwoord is opgeslagen" in done.content.decode()) == (
        200,
        True,
    )
    assert (again.status_code, "Deze link werkt niet meer" in again.content.decode()) == (
        400,
        True,
    )
    assert can_log_in(employee, NEW_PASSWORD)


def test_a_mail_server_that_is_down_skips_the_invitation_and_fails_the_reset_job(
    employee: Employee, make_employee: Any, settings: Any
) -> None:
    from tests.accounts.smtp import _free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nobody listens
    settings.EMAIL_USE_TLS = False
    waiting = without_password(make_employee)

    assert APIClient().post(RESET, {"email": employee.email}, format="json").status_code == 202
    [job] = queued_reset_jobs()

    output, skipped = invite(waiting.email)

    assert output == "invited=0 skipped=1"
    assert skipped == f"skipped {waiting.email}: the mail could not be sent (see the log)"
    # The job fails, so the queue retries it (MAIL_RETRY_SCHEDULE); the error names no one.
    with pytest.raises(MailNotSent) as failure:
        password_reset_mail_send(sealed_email=job["sealed_email"])
    assert str(failure.value) == "ConnectionRefusedError"


def test_on_the_demo_the_reset_mail_goes_out_in_process_and_a_failure_is_no_500(
    smtp_inbox: Inbox, employee: Employee, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.accounts.smtp import _free_port

    settings.JOBS_IN_PROCESS = True  # the SQLite demo: no queue, the job runs after commit

    with django_capture_on_commit_callbacks(execute=True):
        sent = APIClient().post(RESET, {"email": employee.email}, format="json")
    settings.EMAIL_PORT = _free_port()  # nobody listens
    with django_capture_on_commit_callbacks(execute=True):
        failed = APIClient().post(RESET, {"email": employee.email}, format="json")

    assert (sent.status_code, failed.status_code) == (202, 202)
    assert [m["To"] for m in smtp_inbox.messages] == [employee.email]
    assert queued_reset_jobs() == []


def test_the_page_refuses_a_password_longer_than_the_api_allows(make_employee: Any) -> None:
    employee = without_password(make_employee)
    uid, token = _link_parts(employee)
    long_password = "paars-fietspad-" + "x" * 114  # 129 characters

    response = Client().post(
        f"/account/set-password/{uid}/{token}/",
        {"new_password": long_password, "new_password_again": long_password},
    )

    assert (response.status_code, "At most 128 characters." in response.content.decode()) == (
        200,
        True,
    )
    assert not Employee.objects.get(pk=employee.pk).has_usable_password()
