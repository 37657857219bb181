"""Share tokens, codes and query strings never reach the log, whichever logger writes:
the real handler's output is captured, as it would reach stdout in production."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from backend.api.logging import redact
from referrals.services.shares import share_create
from tests.factories import EmployeeFactory


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the configured console handler writes (formatter and filters included)."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert isinstance(handler, logging.StreamHandler)
    output = io.StringIO()
    previous = handler.setStream(output)
    yield output
    handler.setStream(previous)


@pytest.fixture
def token(db: None) -> str:
    return share_create(employee=EmployeeFactory(), channel="whatsapp", article_slug=None).token


def _records(output: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in output.getvalue().splitlines()]


def test_a_bad_host_header_logs_no_token_and_no_query(log_output: io.StringIO, token: str) -> None:
    response = Client().get(f"/s/{token}", {"q": "zoë's new iphone"}, HTTP_HOST="evil.example")

    assert response.status_code == 400
    records = _records(log_output)
    assert [r["logger"] for r in records] == ["django.security.DisallowedHost"]
    text = log_output.getvalue()
    assert token not in text
    assert "iphone" not in text
    assert records[0]["request"] == "GET (unmatched)"


def test_a_csrf_failure_on_the_set_password_page_logs_the_route_only(
    log_output: io.StringIO,
) -> None:
    # The set-password page is a cookie-protected form whose path carries a reset token.
    secret = "cy0-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d"
    response = Client(enforce_csrf_checks=True).post(
        f"/account/set-password/MTIz/{secret}/?src=mail", {"new_password": "x"}
    )

    assert response.status_code == 403
    [csrf] = [r for r in _records(log_output) if r["logger"] == "django.security.csrf"]
    route = "/account/set-password/<str:uidb64>/<str:token>/"
    assert csrf["message"] == f"Forbidden (CSRF cookie not set.): {route}"
    assert csrf["request"] == f"POST {route}"
    assert secret not in log_output.getvalue()
    assert "src=mail" not in log_output.getvalue()


def test_any_logger_is_redacted(log_output: io.StringIO) -> None:
    logging.getLogger("some.library").warning(
        "fetched %s", "https://ceo.example/api/v1/public/codes/ABCDE-FGHJK/?x=secret+words"
    )

    [record] = _records(log_output)
    assert record["message"] == "fetched https://ceo.example/api/v1/public/codes/<code>/?<redacted>"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("/s/tok3n", "/s/<token>"),
        ("GET /s/tok3n/feedback?x=1 HTTP/1.1", "GET /s/<token>/feedback?<redacted> HTTP/1.1"),
        ("/api/v1/public/shares/tok3n/feedback/", "/api/v1/public/shares/<token>/feedback/"),
        ("/api/v1/referrals/codes/ABCDE-FGHJK/revoke/", "/api/v1/referrals/codes/<code>/revoke/"),
        ("/api/v1/referrals/shares/tok3n/qr/", "/api/v1/referrals/shares/<token>/qr/"),
        ("/api/v1/referrals/shares/", "/api/v1/referrals/shares/"),
        ("/api/v1/knowledge/articles/?q=bill", "/api/v1/knowledge/articles/?<redacted>"),
        ("Is this right? Yes.", "Is this right? Yes."),
    ],
)
def test_redact(raw: str, clean: str) -> None:
    assert redact(raw) == clean
