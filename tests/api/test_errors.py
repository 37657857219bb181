"""Every error status comes in the same documented shape: code, message, optional fields."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.urls("tests.api.urls")


def test_400_names_nested_fields_with_dotted_paths(api_client: APIClient) -> None:
    response = api_client.post(
        "/api/test/validate/", {"name": "too long", "items": [{"email": "a@b.example"}, {}]}
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": (
            "name: Ensure this field has no more than 5 characters.; "
            "items.1.email: This field is required."
        ),
        "fields": {
            "name": [
                {
                    "code": "max_length",
                    "message": "Ensure this field has no more than 5 characters.",
                }
            ],
            "items.1.email": [{"code": "required", "message": "This field is required."}],
        },
    }


def test_400_for_malformed_json(api_client: APIClient) -> None:
    response = api_client.post(
        "/api/test/validate/", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert set(response.json()) == {"code", "message"}


def test_415_for_a_body_that_is_not_json(api_client: APIClient) -> None:
    response = api_client.post("/api/test/validate/", data="name=x", content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_403_for_a_role_the_caller_lacks(employee_client: APIClient) -> None:
    response = employee_client.get("/api/test/editor-only/")

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "Only knowledge editors may do this.",
    }


def test_editor_passes_the_role_check(editor_client: APIClient) -> None:
    assert editor_client.get("/api/test/editor-only/").status_code == 200


def test_a_view_without_declared_permissions_is_closed(api_client: APIClient) -> None:
    response = api_client.get("/api/test/no-permissions/")

    assert response.status_code == 403
    assert response.json()["message"] == "This endpoint has no access rule and is closed."


def test_404_for_an_unknown_api_address_is_json(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No endpoint at this address."}


def test_405_names_the_allowed_methods(employee_client: APIClient) -> None:
    response = employee_client.delete("/api/v1/me/")

    assert response.status_code == 405
    assert response.json() == {
        "code": "method_not_allowed",
        "message": 'Method "DELETE" not allowed.',
    }
    assert response["Allow"] == "GET, PATCH, HEAD, OPTIONS"


def test_409_from_a_domain_error_keeps_its_code(employee_client: APIClient) -> None:
    response = employee_client.post("/api/test/conflict/", {})

    assert response.status_code == 409
    assert response.json() == {"code": "stale_version", "message": "Someone changed this first."}


def test_an_unexpected_integrity_error_is_a_409_not_a_500(api_client: APIClient) -> None:
    response = api_client.get("/api/test/integrity/")

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_413_for_a_body_over_the_limit(api_client: APIClient, settings) -> None:
    settings.MAX_REQUEST_BODY_BYTES = 1024
    body = json.dumps({"name": "x" * 2000, "items": []})

    response = api_client.post("/api/test/validate/", data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {
        "code": "request_too_large",
        "message": "The request body is larger than 1024 bytes.",
    }


def test_400_for_a_nul_byte_in_the_query_string(api_client: APIClient) -> None:
    response = api_client.get("/healthz?q=%00")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_503_when_the_database_is_unavailable(api_client: APIClient) -> None:
    response = api_client.get("/api/test/database-down/")

    assert response.status_code == 503
    assert response.json() == {
        "code": "service_unavailable",
        "message": "The service is temporarily unavailable. Please retry shortly.",
    }
    assert response["Retry-After"] == "5"


def test_an_unhandled_bug_is_a_json_500_without_a_traceback() -> None:
    client = APIClient(raise_request_exception=False)

    response = client.get("/api/test/bug/")

    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "Something went wrong on our side.",
    }


def test_every_response_carries_a_request_id(api_client: APIClient) -> None:
    generated = api_client.get("/healthz")
    kept = api_client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    replaced = api_client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")

    assert len(generated["X-Request-ID"]) == 32
    assert kept["X-Request-ID"] == "abc-123"
    assert replaced["X-Request-ID"] != "bad id with spaces"


def test_logged_server_errors_name_the_route_not_the_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = APIClient(raise_request_exception=False)

    with caplog.at_level("ERROR", logger="django.request"):
        client.get("/api/test/bug/SECRET-TOKEN-123/", HTTP_X_REQUEST_ID="req-42")

    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Internal Server Error: /api/test/bug/<str:secret>/"
    assert record.request == "GET /api/test/bug/<str:secret>/"
    assert record.request_id == "req-42"
    assert "SECRET-TOKEN-123" not in record.getMessage()


def test_414_for_a_url_over_the_limit(api_client: APIClient, settings) -> None:
    settings.MAX_URL_BYTES = 2000

    response = api_client.get("/healthz", {"q": "x" * 2100})

    assert response.status_code == 414
    assert response.json() == {
        "code": "uri_too_long",
        "message": "The URL is longer than 2000 bytes.",
    }
