"""SCIM 2.0 provisioning with requests shaped exactly as Microsoft Entra ID's and Okta's
provisioning clients send them (their published SCIM integration guides)."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import Employee, ScimToken
from referrals.models import ReferralCode
from tests.concurrency import run_concurrently
from tests.conftest import login
from tests.factories import PASSWORD

SCIM = "application/scim+json"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def create_token(name: str = "entra-id") -> str:
    out = StringIO()
    call_command("create_scim_token", name, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


class Provisioner:
    """A SCIM client: bearer token, application/scim+json both ways."""

    def __init__(self, token: str) -> None:
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body) if body is not None else None
        return self.client.generic(
            method, f"/scim/v2/{path}", data or "", content_type=SCIM, HTTP_ACCEPT=SCIM
        )


@pytest.fixture
def entra(db: None) -> Provisioner:
    return Provisioner(create_token("entra-id"))


def codes(employee_id: int) -> list[bool]:
    """Frozen flags of the live codes."""
    return sorted(
        code.frozen_at is not None
        for code in ReferralCode.objects.filter(owner_id=employee_id, revoked_at__isnull=True)
    )


# Microsoft Entra ID: "Create User" request, with the enterprise extension mapped.
ENTRA_CREATE = {
    "schemas": [CORE, ENTERPRISE],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Sanne.Kok@ceo-telecom.example",
    "active": True,
    "displayName": "Sanne Kok",
    "emails": [{"primary": True, "type": "work", "value": "Sanne.Kok@ceo-telecom.example"}],
    "meta": {"resourceType": "User"},
    "name": {"formatted": "Sanne Kok", "familyName": "Kok", "givenName": "Sanne"},
    "roles": [],
    ENTERPRISE: {"employeeNumber": "E-4711", "department": "Retail"},
}


def entra_patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def test_entra_id_creates_finds_updates_disables_and_reenables_an_employee(
    entra: Provisioner,
) -> None:
    created = entra.call("POST", "Users", ENTRA_CREATE)
    assert created.status_code == 201, created.content
    assert created["Content-Type"].startswith(SCIM)
    user = created.json()
    employee = Employee.objects.get(pk=int(user["id"]))
    assert (employee.email, employee.employee_number, employee.department) == (
        "sanne.kok@ceo-telecom.example",
        "E-4711",
        "Retail",
    )
    assert employee.has_usable_password() is False
    assert created["Location"] == f"http://testserver/scim/v2/Users/{employee.pk}"
    assert codes(employee.pk) == [False]

    found = entra.call("GET", 'Users?filter=userName+eq+"SANNE.KOK%40ceo-telecom.example"')
    assert (found.json()["totalResults"], found.json()["Resources"][0]["id"]) == (1, user["id"])

    updated = entra.call(
        "PATCH",
        f"Users/{employee.pk}",
        entra_patch(
            {"op": "Replace", "path": "userName", "value": "Sanne.Kok-deVries@ceo-telecom.example"},
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "sanne@private.example",  # not the login: ignored
            },
            {"op": "Replace", "path": "name.familyName", "value": "Kok-de Vries"},
            {"op": "Replace", "path": "displayName", "value": "Sanne Kok-de Vries"},
            {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Customer Service"},
        ),
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["userName"] == "sanne.kok-devries@ceo-telecom.example"
    assert updated.json()["emails"][0]["value"] == "sanne.kok-devries@ceo-telecom.example"
    employee.refresh_from_db()
    assert (employee.display_name, employee.department) == (
        "Sanne Kok-de Vries",
        "Customer Service",
    )

    disabled = entra.call(
        "PATCH",
        f"Users/{employee.pk}",
        entra_patch({"op": "Replace", "path": "active", "value": "False"}),
    )
    assert (disabled.status_code, disabled.json()["active"]) == (200, False)
    employee.refresh_from_db()
    assert (employee.is_active, employee.left_at is not None) == (False, True)
    assert codes(employee.pk) == [True]

    enabled = entra.call(
        "PATCH",
        f"Users/{employee.pk}",
        entra_patch({"op": "Replace", "path": "active", "value": "True"}),
    )
    assert (enabled.status_code, enabled.json()["active"]) == (200, True)
    employee.refresh_from_db()
    assert (employee.is_active, employee.left_at) == (True, None)
    assert codes(employee.pk) == [False]


# Okta: "Create the user" request of its SCIM 2.0 guide (it sends a password and groups).
OKTA_CREATE = {
    "schemas": [CORE],
    "userName": "pieter.jansen@ceo-telecom.example",
    "name": {"givenName": "Pieter", "familyName": "Jansen"},
    "emails": [{"primary": True, "value": "pieter.jansen@ceo-telecom.example", "type": "work"}],
    "displayName": "Pieter Jansen",
    "locale": "en-US",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "groups": [],
    "password": "1mz050nq",
    "active": True,
    ENTERPRISE: {"employeeNumber": "E-5000"},
}


def test_okta_creates_replaces_deactivates_and_reactivates_an_employee(
    db: None, make_employee: Any
) -> None:
    okta = Provisioner(create_token("okta"))
    lookup = okta.call(
        "GET",
        "Users?filter=userName%20eq%20%22pieter.jansen%40ceo-telecom.example%22"
        "&startIndex=1&count=100",
    )
    assert lookup.json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0,
        "startIndex": 1,
        "itemsPerPage": 0,
        "Resources": [],
    }

    created = okta.call("POST", "Users", OKTA_CREATE)
    assert created.status_code == 201, created.content
    employee = Employee.objects.get(pk=int(created.json()["id"]))
    assert (employee.language, employee.external_id) == ("en", "00ujl29u0le5T6Aj10h7")
    assert employee.has_usable_password() is False  # SCIM never sets passwords

    replaced = okta.call(
        "PUT",
        f"Users/{employee.pk}",
        {**created.json(), "displayName": "Pieter J. Jansen", "locale": "nl-NL"},
    )
    assert replaced.status_code == 200, replaced.content
    employee.refresh_from_db()
    assert (employee.display_name, employee.language) == ("Pieter J. Jansen", "nl")

    session = login_after_setting_password(employee)
    deactivated = okta.call(
        "PATCH",
        f"Users/{employee.pk}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert (deactivated.status_code, deactivated.json()["active"]) == (200, False)
    assert codes(employee.pk) == [True]
    # Sessions end at leave: neither the access token nor the refresh token works.
    assert session.get("/api/v1/me/").status_code == 401
    refreshed = APIClient().post(
        "/api/v1/auth/token/refresh/", {"refresh": session.refresh_token}, format="json"
    )
    assert refreshed.status_code == 401

    reactivated = okta.call(
        "PATCH",
        f"Users/{employee.pk}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": True}}]},
    )
    assert (reactivated.status_code, reactivated.json()["active"]) == (200, True)
    assert codes(employee.pk) == [False]
    # Coming back does not revive the sessions that ended at leave.
    assert session.get("/api/v1/me/").status_code == 401


def login_after_setting_password(employee: Employee) -> APIClient:
    employee.set_password(PASSWORD)
    employee.save(update_fields=["password"])
    return login(employee)


@pytest.mark.parametrize(
    "authorization",
    ["Bearer scim_not-a-real-token", "Basic ZW50cmE6c2VjcmV0", None],
)
def test_calls_without_a_valid_scim_token_get_401_and_write_nothing(
    db: None, authorization: str | None
) -> None:
    client = APIClient()
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)

    response = client.generic("POST", "/scim/v2/Users", json.dumps(ENTRA_CREATE), content_type=SCIM)

    assert response.status_code == 401
    body = response.json()
    assert (body["schemas"], body["status"], body["code"]) == (
        ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "401",
        "authentication_failed"
        if authorization and "scim_" in authorization
        else "not_authenticated",
    )
    assert Employee.objects.count() == 0


def test_a_revoked_token_and_an_employee_jwt_are_refused(
    entra: Provisioner, staff: Employee
) -> None:
    token = create_token("okta")
    admin = Client()
    admin.login(email=staff.email, password=PASSWORD)
    admin.post(
        "/admin/accounts/scimtoken/",
        {"action": "revoke_selected", "_selected_action": [ScimToken.objects.get(name="okta").pk]},
    )
    jwt_client = login(staff)

    revoked = Provisioner(token).call("GET", "Users")
    with_jwt = jwt_client.get("/scim/v2/Users")

    assert revoked.status_code == 401
    assert with_jwt.status_code == 401
    assert entra.call("GET", "Users").status_code == 200


def test_only_the_hash_of_a_token_is_stored(db: None) -> None:
    token = create_token("entra-id")

    stored = ScimToken.objects.get(name="entra-id")
    assert token.startswith("scim_")
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ScimToken.objects.values_list()))


def test_a_taken_username_is_a_uniqueness_conflict(entra: Provisioner, employee: Employee) -> None:
    response = entra.call("POST", "Users", {**ENTRA_CREATE, "userName": employee.email.upper()})

    assert (response.status_code, response.json().get("scimType")) == (409, "uniqueness")
    assert Employee.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({**ENTRA_CREATE, ENTERPRISE: {"department": "Retail"}}, "invalidValue"),
        ({**ENTRA_CREATE, "userName": ""}, "invalidValue"),
        ({**ENTRA_CREATE, "favouriteColour": "blue"}, "invalidPath"),
        ({**ENTRA_CREATE, "active": "maybe"}, "invalidValue"),
    ],
)
def test_a_bad_user_document_is_a_400_and_writes_nothing(
    entra: Provisioner, body: dict[str, Any], scim_type: str
) -> None:
    response = entra.call("POST", "Users", body)

    assert (response.status_code, response.json().get("scimType")) == (400, scim_type)
    assert Employee.objects.count() == 0
    assert ReferralCode.objects.count() == 0


def test_a_patch_with_a_bad_operation_changes_nothing(
    entra: Provisioner, employee: Employee
) -> None:
    response = entra.call(
        "PATCH",
        f"Users/{employee.pk}",
        entra_patch(
            {"op": "Replace", "path": "displayName", "value": "Changed"},
            {"op": "Replace", "path": "active", "value": "perhaps"},
        ),
    )

    assert (response.status_code, response.json()["scimType"]) == (400, "invalidValue")
    assert Employee.objects.get(pk=employee.pk).display_name == employee.display_name


def test_unsupported_filters_are_refused(entra: Provisioner) -> None:
    response = entra.call("GET", 'Users?filter=userName+co+"anna"')

    assert (response.status_code, response.json()["scimType"]) == (400, "invalidFilter")


def test_filters_on_external_id_and_pages_by_start_index(
    entra: Provisioner, make_employee: Any
) -> None:
    people = [make_employee(external_id=f"ext-{n}") for n in range(3)]

    by_external = entra.call("GET", 'Users?filter=externalId eq "ext-1"')
    second_page = entra.call("GET", "Users?startIndex=2&count=1")

    assert [r["id"] for r in by_external.json()["Resources"]] == [str(people[1].pk)]
    page = second_page.json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (3, 2, 1)
    assert [r["id"] for r in page["Resources"]] == [str(people[1].pk)]


def test_delete_means_the_employee_left_and_the_row_stays(
    entra: Provisioner, employee: Employee
) -> None:
    response = entra.call("DELETE", f"Users/{employee.pk}")

    assert response.status_code == 204
    stored = Employee.objects.get(pk=employee.pk)
    assert (stored.is_active, stored.left_at is not None) == (False, True)
    assert entra.call("GET", "Users/999999").status_code == 404


def test_discovery_documents_describe_what_is_supported(entra: Provisioner) -> None:
    config = entra.call("GET", "ServiceProviderConfig").json()
    types = entra.call("GET", "ResourceTypes").json()
    schemas = entra.call("GET", "Schemas").json()
    user_type = entra.call("GET", "ResourceTypes/User")
    enterprise = entra.call("GET", f"Schemas/{ENTERPRISE}")

    assert (config["patch"], config["filter"]) == (
        {"supported": True},
        {"supported": True, "maxResults": 200},
    )
    assert [t["id"] for t in types["Resources"]] == ["User"]
    assert [s["id"] for s in schemas["Resources"]] == [CORE, ENTERPRISE]
    assert user_type.json()["schemaExtensions"] == [{"schema": ENTERPRISE, "required": False}]
    assert [a["name"] for a in enterprise.json()["attributes"]] == ["employeeNumber", "department"]
    assert entra.call("GET", "Schemas/urn:nope").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creates_of_one_user_make_one_employee() -> None:
    token = create_token("entra-id")

    statuses = run_concurrently(
        lambda i: Provisioner(token).call("POST", "Users", ENTRA_CREATE).status_code, 2
    )

    assert sorted(statuses) == [201, 409]
    assert Employee.objects.filter(employee_number="E-4711").count() == 1
    assert ReferralCode.objects.count() == 1


@pytest.mark.parametrize("count", [1, 5])
def test_listing_users_costs_the_same_queries_at_any_page_size(
    entra: Provisioner, make_employee: Any, django_assert_num_queries: Any, count: int
) -> None:
    for _ in range(6):
        make_employee()
    entra.call("GET", "Users?count=1")  # marks the token as used: one write per hour

    # The token lookup, the page and the total.
    with django_assert_num_queries(3):
        response = entra.call("GET", f"Users?count={count}")

    assert response.json()["itemsPerPage"] == count


@pytest.mark.parametrize(
    ("path", "status", "scim_type"),
    [
        ('Users?filter=userName eq "a\\x"', 400, "invalidFilter"),  # not a JSON escape
        ("Users?startIndex=99999999999999999999", 400, "invalidValue"),  # beyond an offset
        ("Users/%C2%B2", 404, None),  # a digit to str.isdigit(), not to int()
        ("Users/99999999999999999999", 404, None),  # beyond the id column
    ],
)
def test_malformed_filters_indexes_and_ids_are_refused(
    entra: Provisioner, path: str, status: int, scim_type: str | None
) -> None:
    response = entra.call("GET", path)

    assert (response.status_code, response.json().get("scimType")) == (status, scim_type)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_bodies_nested_too_deep_are_refused(
    entra: Provisioner, employee: Employee, method: str
) -> None:
    path = "Users" if method == "POST" else f"Users/{employee.pk}"
    deep = "[" * 5000 + "]" * 5000

    response = entra.client.generic(
        method, f"/scim/v2/{path}", deep, content_type=SCIM, HTTP_ACCEPT=SCIM
    )

    assert (response.status_code, response.json()["code"]) == (400, "parse_error")
    assert Employee.objects.count() == 1


def test_filters_take_attributes_named_with_their_schema(
    entra: Provisioner, make_employee: Any
) -> None:
    person = make_employee(employee_number="E-77")

    by_core = entra.call("GET", f'Users?filter={CORE}:userName eq "{person.email.upper()}"')
    by_enterprise = entra.call("GET", f'Users?filter={ENTERPRISE}:employeeNumber eq "E-77"')

    assert [r["id"] for r in by_core.json()["Resources"]] == [str(person.pk)]
    assert [r["id"] for r in by_enterprise.json()["Resources"]] == [str(person.pk)]
