from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from backend.accounts import extensions
from backend.accounts.models import Employee


def test_me_shows_the_profile_and_roles(editor: Employee, editor_client: APIClient) -> None:
    response = editor_client.get("/api/v1/me/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == editor.pk
    assert body["email"] == editor.email
    assert body["employee_number"] == editor.employee_number
    assert body["display_name"] == "Eva Jansen"
    assert body["roles"] == ["editor"]
    assert body["is_staff"] is False
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", body["personal_code"])
    assert "password" not in body


def test_me_shows_no_personal_code_when_no_app_reads_one(
    employee_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extensions, "_personal_code_readers", [])

    response = employee_client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["personal_code"] is None


def test_the_first_registered_reader_that_knows_a_code_answers(
    employee: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extensions, "_personal_code_readers", [])
    knows_none = lambda employee: None  # noqa: E731
    extensions.personal_code_reader_register(knows_none)
    extensions.personal_code_reader_register(lambda employee: "AAAAA-AAAAA")
    extensions.personal_code_reader_register(lambda employee: "BBBBB-BBBBB")
    extensions.personal_code_reader_register(knows_none)  # a second ready() adds nothing

    assert extensions._personal_code_readers[0] is knows_none
    assert len(extensions._personal_code_readers) == 3
    assert extensions.personal_code_of(employee) == "AAAAA-AAAAA"


def test_me_without_a_token_is_401(api_client: APIClient, db: None) -> None:
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
    }
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_me_with_a_forged_token_is_401(api_client: APIClient, db: None) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln")

    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_employee_changes_language_and_ranking_opt_out(
    employee: Employee, employee_client: APIClient
) -> None:
    response = employee_client.patch("/api/v1/me/", {"language": "en", "ranking_opt_out": True})

    assert response.status_code == 200
    assert response.json()["language"] == "en"
    employee.refresh_from_db()
    assert (employee.language, employee.ranking_opt_out) == ("en", True)


def test_me_update_refuses_fields_an_employee_may_not_change(
    employee: Employee, employee_client: APIClient
) -> None:
    response = employee_client.patch(
        "/api/v1/me/", {"language": "en", "is_staff": True, "department": "IT"}
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "department": [{"code": "unknown_field", "message": "Unknown field."}],
        "is_staff": [{"code": "unknown_field", "message": "Unknown field."}],
    }
    employee.refresh_from_db()
    assert employee.language == "nl"
    assert (employee.is_staff, employee.department) == (False, "Retail")


def test_me_update_rejects_an_unknown_language(employee_client: APIClient) -> None:
    response = employee_client.patch("/api/v1/me/", {"language": "de"})

    assert response.status_code == 400
    assert response.json()["fields"]["language"][0]["code"] == "invalid_choice"


def test_me_reads_in_a_fixed_number_of_queries(
    employee_client: APIClient, django_assert_num_queries
) -> None:
    # user with role names (authentication), personal code
    with django_assert_num_queries(2):
        assert employee_client.get("/api/v1/me/").status_code == 200
