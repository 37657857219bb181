"""Deeply nested JSON is a parse error (400), on every JSON endpoint, authenticated or not,
also where a throttle reads the body before the view does."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from backend.api.parsers import MAX_JSON_DEPTH
from tests.referrals.conftest import signup_client

TOO_DEEP = {
    "just past the limit": "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
    "past the decoder's recursion limit": "[" * 5000 + "]" * 5000,
    "objects": '{"a":' * 2000 + "1" + "}" * 2000,
}
PARSE_ERROR = {
    "code": "parse_error",
    "message": f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.",
}


def _post_raw(client: APIClient, url: str, body: str) -> tuple[int, dict]:
    response = client.post(url, data=body, content_type="application/json")
    return response.status_code, response.json()


@pytest.mark.parametrize("body", sorted(TOO_DEEP))
def test_nesting_past_the_limit_is_a_parse_error_before_any_view(
    body: str, employee_client: APIClient
) -> None:
    raw = TOO_DEEP[body]
    answers = {
        "login (the throttle reads the body first)": _post_raw(
            APIClient(), "/api/v1/auth/token/", raw
        ),
        "employee write": _post_raw(employee_client, "/api/v1/referrals/shares/", raw),
        "sign-up system": _post_raw(signup_client("crm"), "/api/v1/signups/", raw),
    }

    assert answers == {name: (400, PARSE_ERROR) for name in answers}


def test_nesting_at_the_limit_reaches_validation(employee_client: APIClient) -> None:
    deep: object = "x"
    for _ in range(MAX_JSON_DEPTH - 1):
        deep = [deep]

    response = employee_client.post(
        "/api/v1/referrals/shares/", {"channel": "sms", "note": deep}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"]["note"][0]["code"] == "unknown_field"
