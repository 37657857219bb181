"""Password reset through the queue: a real `manage.py worker` and a real SMTP server.

The request only queues a job; the worker decides whether anybody has the address and
mails. So an answer for an employee's address and for any other is the same, and the
request never talks to the mail server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from backend.accounts.employment import employee_leave
from tests.accounts.smtp import Inbox, InboxServer, _free_port
from tests.accounts.test_passwords import NEW_PASSWORD, RESET, can_log_in, confirm
from tests.events.conftest import Worker

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("empty_queue"),
]


def mail_worker(start_worker: Callable[..., Worker], port: int, **env: str) -> Worker:
    return start_worker(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), EMAIL_USE_TLS="false", **env)


def jobs(status: str | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM procrastinate_jobs"
            " WHERE %s::procrastinate_job_status IS NULL OR status = %s",
            [status, status],
        )
        return int(cursor.fetchone()[0])


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.1)


def reset(email: str) -> Any:
    return APIClient().post(RESET, {"email": email}, format="json")


def test_the_worker_mails_the_link_in_each_language_and_the_link_works(
    smtp_inbox: Inbox, start_worker: Any, make_employee: Any, settings: Any
) -> None:
    anna = make_employee(language="nl", email="anna@ceo-telecom.example")
    bram = make_employee(language="en", email="bram@ceo-telecom.example")

    answers = [reset(anna.email.upper()).status_code, reset(bram.email).status_code]

    assert answers == [202, 202]
    assert (jobs("todo"), smtp_inbox.connections, smtp_inbox.messages) == (2, 0, [])
    worker = mail_worker(start_worker, settings.EMAIL_PORT)
    smtp_inbox.wait_for(2)
    [dutch], [english] = smtp_inbox.to(anna.email), smtp_inbox.to(bram.email)
    assert dutch["Subject"] == "Nieuw wachtwoord voor de CEO-app"
    assert english["Subject"] == "A new password for the CEO app"
    url, uid, token = smtp_inbox.link(dutch)
    assert confirm(uid, token).status_code == 204
    assert can_log_in(anna, NEW_PASSWORD)
    assert not can_log_in(bram, NEW_PASSWORD)
    wait_until(lambda: jobs() == 0)
    log = worker.log_text()
    assert "accounts.password_reset_mail" in log
    for secret in (anna.email, bram.email, "anna@", "bram@", token, url):
        assert secret not in log


def test_an_unknown_or_departed_address_gets_the_same_answer_and_no_mail(
    smtp_inbox: Inbox, start_worker: Any, make_employee: Any, settings: Any
) -> None:
    known, departed = make_employee(), make_employee()
    employee_leave(employee=departed)

    answers = [reset(known.email), reset("nobody@ceo-telecom.example"), reset(departed.email)]

    shapes = [
        (a.status_code, a.content, {k: v for k, v in a.headers.items() if k != "X-Request-ID"})
        for a in answers
    ]
    assert shapes[0][0] == 202
    assert shapes[0] == shapes[1] == shapes[2]
    assert (jobs("todo"), smtp_inbox.connections) == (3, 0)
    mail_worker(start_worker, settings.EMAIL_PORT)
    wait_until(lambda: jobs() == 0)  # all three ran (successful jobs are deleted)
    assert [m["To"] for m in smtp_inbox.messages] == [known.email]
    assert smtp_inbox.connections == 1


def test_a_mail_server_that_is_down_gets_the_mail_on_a_retry(
    start_worker: Any, make_employee: Any, settings: Any
) -> None:
    employee = make_employee()
    port = _free_port()  # nobody listens yet
    assert reset(employee.email).status_code == 202
    worker = mail_worker(start_worker, port, MAIL_RETRY_SCHEDULE="2,2,2,2,2,2")
    wait_until(lambda: "password link mail not sent" in worker.log_text())
    # The worker logs before it reschedules the job: wait for the job to be back in line.
    wait_until(lambda: jobs("todo") == 1)  # waiting for its retry
    assert jobs("failed") == 0

    inbox = Inbox()
    server = InboxServer(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        [mail] = inbox.wait_for(1)
    finally:
        server.stop()
    assert mail["To"] == employee.email
    wait_until(lambda: jobs() == 0)
    log = worker.log_text()
    assert "ConnectionRefusedError" in log
    assert employee.email not in log
