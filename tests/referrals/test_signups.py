"""Sign-up ingestion over HTTP: API keys, idempotency, validation, batches."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from backend.accounts.identifiers import identifier_hash
from backend.accounts.models import Employee
from backend.api.input_plan import PlannedInput
from backend.api.serializers import StrictInputSerializer
from referrals.models import Attribution, AttributionEvent, LiveCustomer, Signup
from tests.referrals.conftest import personal_code, signup_client, signup_payload


def nothing_written() -> bool:
    return not (
        Signup.objects.exists()
        or Attribution.objects.exists()
        or AttributionEvent.objects.exists()
        or LiveCustomer.objects.exists()
    )


# --- authentication --------------------------------------------------------------------


def test_sign_ups_need_an_api_key(api_client: APIClient, db: None) -> None:
    response = api_client.post("/api/v1/signups/", signup_payload(), format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Api-Key"
    assert nothing_written()


def test_a_wrong_or_revoked_api_key_is_refused(db: None) -> None:
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Api-Key abcdefgh.not-a-real-key")
    api_key, key = APIKey.objects.create_key(name="crm")
    api_key.revoked = True
    api_key.save()
    revoked = APIClient()
    revoked.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    for client in (wrong, revoked):
        response = client.post("/api/v1/signups/", signup_payload(), format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"
    assert nothing_written()


def test_an_employee_token_cannot_report_sign_ups(employee_client: APIClient) -> None:
    response = employee_client.post("/api/v1/signups/", signup_payload(), format="json")

    assert response.status_code == 401
    assert nothing_written()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me/"),
        ("get", "/api/v1/referrals/codes/"),
        ("get", "/api/v1/referrals/shares/"),
        ("get", "/api/v1/referrals/attributions/"),
        ("get", "/api/v1/referrals/impact/"),
        ("post", "/api/v1/referrals/claims/"),
    ],
)
def test_the_api_key_opens_only_the_sign_up_endpoints(
    crm: APIClient, method: str, path: str
) -> None:
    response = getattr(crm, method)(path)

    assert response.status_code == 401


def test_create_api_key_prints_the_key_once_and_stores_its_hash(db: None) -> None:
    out = StringIO()

    call_command("create_api_key", "crm-prod", stdout=out)

    key = out.getvalue().strip().splitlines()[-1]
    stored = APIKey.objects.get(name="crm-prod")
    assert key not in stored.hashed_key
    assert APIKey.objects.is_valid(key)


# --- one sign-up -------------------------------------------------------------------------


def test_a_sign_up_with_a_code_is_attributed_pending(employee: Employee, crm: APIClient) -> None:
    code = personal_code(employee)
    payload = signup_payload(code=code.display.lower(), phone="06 1234 5678")

    response = crm.post("/api/v1/signups/", payload, format="json")

    assert response.status_code == 201
    signup = Signup.objects.get()
    assert response.json() == {
        "id": signup.pk,
        "external_id": payload["external_id"],
        "occurred_at": response.json()["occurred_at"],
        "status": "pending",
        "reason": "",
        "activated_at": None,
        "cancelled_at": None,
    }
    assert signup.source == "crm"
    assert signup.email_hash == identifier_hash("email", payload["customer"]["email"])
    assert signup.phone_hash == identifier_hash("phone", "+31612345678")
    attribution = signup.attribution
    assert (attribution.employee, attribution.code, attribution.status) == (
        employee,
        code,
        "pending",
    )
    assert attribution.version == 1


def test_customer_identifiers_are_never_stored_in_the_clear(
    employee: Employee, crm: APIClient
) -> None:
    payload = signup_payload(
        code=personal_code(employee).code,
        email="Vriend.Secret@Example.com",
        phone="+31 6 9999 0000",
        account="acc-778899",
    )

    crm.post("/api/v1/signups/", payload, format="json")

    row = str(list(Signup.objects.values()))
    for clear in ("vriend.secret", "Vriend.Secret", "69999", "778899"):
        assert clear.lower() not in row.lower()


def test_the_same_delivery_again_returns_the_first_result_with_200(
    employee: Employee, crm: APIClient
) -> None:
    payload = signup_payload(code=personal_code(employee).code)

    first = crm.post("/api/v1/signups/", payload, format="json")
    second = crm.post("/api/v1/signups/", payload, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Signup.objects.count() == Attribution.objects.count() == 1
    assert AttributionEvent.objects.count() == 1


def test_the_same_id_with_another_payload_is_a_conflict(employee: Employee, crm: APIClient) -> None:
    payload = signup_payload(code=personal_code(employee).code)
    crm.post("/api/v1/signups/", payload, format="json")

    response = crm.post("/api/v1/signups/", {**payload, "product": "Unlimited"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "signup_conflict"
    assert Signup.objects.get().product == "Sim Only 10GB"


def test_the_same_external_id_from_another_source_is_another_sign_up(
    employee: Employee, crm: APIClient
) -> None:
    payload = signup_payload()
    shop = signup_client("webshop")

    assert crm.post("/api/v1/signups/", payload, format="json").status_code == 201
    assert shop.post("/api/v1/signups/", payload, format="json").status_code == 201
    assert set(Signup.objects.values_list("source", flat=True)) == {"crm", "webshop"}


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"referrer": 1}, "referrer", "unknown_field"),
        ({"status": "confirmed"}, "status", "unknown_field"),
        ({"employee": 1}, "employee", "unknown_field"),
        ({"customer": {"email": "not-an-email"}}, "customer.email", "invalid_email"),
        ({"customer": {"phone": "12"}}, "customer.phone", "invalid_phone"),
        ({"customer": {"email": "a@b.nl", "fax": "1"}}, "customer.fax", "unknown_field"),
        ({"customer": {}}, "customer.non_field_errors", "required"),
        ({"sales_channel": "door-to-door"}, "sales_channel", "invalid_choice"),
        ({"external_id": "has spaces"}, "external_id", "invalid"),
        ({"occurred_at": "yesterday"}, "occurred_at", "invalid"),
        ({"is_new_customer": None}, "is_new_customer", "null"),
    ],
)
def test_malformed_sign_ups_are_refused_naming_the_field(
    crm: APIClient, change: dict, field: str, code: str
) -> None:
    response = crm.post("/api/v1/signups/", {**signup_payload(), **change}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"][field][0]["code"] == code
    assert nothing_written()


def test_a_sign_up_in_the_future_is_refused(crm: APIClient) -> None:
    payload = signup_payload(occurred_at=timezone.now() + timedelta(hours=1))

    response = crm.post("/api/v1/signups/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["occurred_at"][0]["code"] == "in_future"


# --- batches -------------------------------------------------------------------------------


def test_a_batch_gives_one_result_per_item_in_order(employee: Employee, crm: APIClient) -> None:
    code = personal_code(employee).code
    earlier = signup_payload(code=code)
    crm.post("/api/v1/signups/", earlier, format="json")
    changed = {**earlier, "product": "Unlimited"}
    fresh = signup_payload(code=code)
    unattributed = signup_payload()

    response = crm.post(
        "/api/v1/signups/batch/", {"items": [fresh, changed, unattributed]}, format="json"
    )

    assert response.status_code == 200
    results = response.json()
    assert [(r["external_id"], r["outcome"]) for r in results] == [
        (fresh["external_id"], "created"),
        (earlier["external_id"], "conflict"),
        (unattributed["external_id"], "created"),
    ]
    assert results[0]["signup"]["status"] == "pending"
    assert results[1]["signup"] is None
    assert results[1]["error"]["code"] == "signup_conflict"
    assert results[2]["signup"]["status"] == "unattributed"
    assert Signup.objects.count() == 3


def test_a_batch_with_one_bad_item_writes_nothing(employee: Employee, crm: APIClient) -> None:
    items = [signup_payload(code=personal_code(employee).code) for _ in range(4)]
    items[2]["customer"] = {"email": "broken"}

    response = crm.post("/api/v1/signups/batch/", {"items": items}, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["items.2.customer.email"]
    assert nothing_written()


def test_a_batch_may_not_repeat_an_external_id(crm: APIClient) -> None:
    item = signup_payload()

    response = crm.post("/api/v1/signups/batch/", {"items": [item, item]}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["items"][0]["code"] == "duplicate_external_id"
    assert nothing_written()


def test_a_batch_holds_at_most_1000_items(crm: APIClient) -> None:
    response = crm.post(
        "/api/v1/signups/batch/", {"items": [signup_payload() for _ in range(1001)]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"]["items.non_field_errors"][0]["code"] == "max_length"
    assert nothing_written()


def test_batch_ingestion_costs_the_same_queries_for_20_and_100_items(
    make_employee, crm: APIClient, django_assert_num_queries
) -> None:
    referrers = [make_employee() for _ in range(5)]
    codes = [personal_code(e).code for e in referrers]

    def batch(size: int) -> list[dict]:
        return [signup_payload(code=codes[n % 5], phone=None) for n in range(size)]

    # key lookup; savepoint; existing sign-ups; codes FOR UPDATE; own identifiers;
    # velocity; live customers; ids for sign-ups and attributions; savepoint release (the
    # four tables are written with COPY, which runs outside the query log); then the
    # events: employee numbers, webhook endpoints, notifications, devices
    for size in (20, 100):
        with django_assert_num_queries(14):
            response = crm.post("/api/v1/signups/batch/", {"items": batch(size)}, format="json")
        assert response.status_code == 200
    assert Signup.objects.count() == 120


# --- activation and cancellation ---------------------------------------------------------------


def test_activation_is_recorded_and_repeating_it_is_harmless(
    employee: Employee, crm: APIClient
) -> None:
    payload = signup_payload(code=personal_code(employee).code)
    crm.post("/api/v1/signups/", payload, format="json")
    moment = timezone.now().isoformat()
    url = f"/api/v1/signups/{payload['external_id']}/activate/"

    first = crm.post(url, {"activated_at": moment}, format="json")
    again = crm.post(url, {"activated_at": moment}, format="json")
    other = crm.post(url, {"activated_at": timezone.now().isoformat()}, format="json")

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["activated_at"] is not None
    assert other.status_code == 409
    assert other.json()["code"] == "already_activated"


def test_activation_of_an_unknown_or_foreign_sign_up_is_404(crm: APIClient) -> None:
    payload = signup_payload()
    signup_client("webshop").post("/api/v1/signups/", payload, format="json")

    response = crm.post(
        f"/api/v1/signups/{payload['external_id']}/activate/",
        {"activated_at": timezone.now().isoformat()},
        format="json",
    )

    assert response.status_code == 404
    assert response.json()["code"] == "signup_not_found"
    assert Signup.objects.get().activated_at is None


def test_activation_before_the_sign_up_is_refused(employee: Employee, crm: APIClient) -> None:
    payload = signup_payload()
    crm.post("/api/v1/signups/", payload, format="json")

    response = crm.post(
        f"/api/v1/signups/{payload['external_id']}/activate/",
        {"activated_at": (timezone.now() - timedelta(days=3)).isoformat()},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"]["activated_at"][0]["code"] == "before_signup"
    assert Signup.objects.get().activated_at is None


# --- the input plan ------------------------------------------------------------------------


def test_the_input_plan_refuses_at_start_up_a_serializer_it_cannot_follow() -> None:
    class Renamed(StrictInputSerializer):
        when = serializers.CharField(source="moment")

    with pytest.raises(TypeError):
        PlannedInput(Renamed)


def test_a_batch_the_plan_cannot_vouch_for_gets_the_serializers_error(
    crm: APIClient, db: None
) -> None:
    item = signup_payload()
    response = crm.post(
        "/api/v1/signups/batch/", {"items": [item, {**item, "is_new_customer": 1}]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"]["items.1.is_new_customer"][0]["code"] == "invalid_type"
    assert nothing_written()
