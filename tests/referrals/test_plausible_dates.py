"""Every timestamp that enters the system is in a plausible range and carries its time
zone; stored rows from before the rule cannot make the rules overflow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.identifiers import identifier_hash
from backend.accounts.models import Employee
from referrals.models import Attribution, Signup
from referrals.ops.services.rollup import funnel_rollup
from referrals.services.signups import SignupInput, signups_ingest
from tests.referrals.conftest import signup_payload
from tests.referrals.test_attribution import make_share

YEAR_ONE = "0001-01-01T00:00:00Z"


def field_error(response: Any, name: str) -> str:
    assert response.status_code == 400, response.content
    return response.json()["fields"][name][0]["code"]


@pytest.mark.parametrize(
    ("occurred_at", "code"),
    [
        (YEAR_ONE, "too_early"),
        ("0001-01-01T00:00:00+01:00", "too_early"),
        ("1999-12-31T23:59:59Z", "too_early"),
        ("9999-12-31T23:59:59Z", "in_future"),
        ("9999-12-31T23:59:59-14:00", "in_future"),
        ("2026-03-01T09:30:00", "timezone_required"),
    ],
)
def test_an_implausible_sign_up_moment_is_refused_and_nothing_is_stored(
    crm: APIClient, occurred_at: str, code: str
) -> None:
    payload = signup_payload() | {"occurred_at": occurred_at}

    response = crm.post("/api/v1/signups/", payload, format="json")

    assert field_error(response, "occurred_at") == code
    assert not Signup.objects.exists()


def test_the_first_moment_of_2000_is_accepted(crm: APIClient) -> None:
    payload = signup_payload() | {"occurred_at": "2000-01-01T00:00:00Z"}

    response = crm.post("/api/v1/signups/", payload, format="json")

    assert response.status_code == 201
    assert Signup.objects.get().occurred_at == datetime(2000, 1, 1, tzinfo=UTC)


def test_a_batch_with_one_year_one_item_names_that_item(employee: Employee, crm: APIClient) -> None:
    share = make_share(employee)
    good = signup_payload(share_token=share.token)
    bad = signup_payload(share_token=share.token) | {"occurred_at": YEAR_ONE}

    response = crm.post("/api/v1/signups/batch/", {"items": [good, bad]}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "items.1.occurred_at": [{"code": "too_early", "message": "Must not be before 2000-01-01."}]
    }
    assert not Signup.objects.exists()


@pytest.mark.parametrize(
    ("action", "field"), [("activate", "activated_at"), ("cancel", "cancelled_at")]
)
@pytest.mark.parametrize(
    ("moment", "code"), [(YEAR_ONE, "too_early"), ("2026-03-01T09:30:00", "timezone_required")]
)
def test_activations_and_cancellations_are_range_checked(
    crm: APIClient, action: str, field: str, moment: str, code: str
) -> None:
    payload = signup_payload()
    assert crm.post("/api/v1/signups/", payload, format="json").status_code == 201

    response = crm.post(
        f"/api/v1/signups/{payload['external_id']}/{action}/", {field: moment}, format="json"
    )

    assert field_error(response, field) == code
    signup = Signup.objects.get()
    assert (signup.activated_at, signup.cancelled_at) == (None, None)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "0001-01-01"}, "from"),
        ({"to": "9999-12-31"}, "to"),
    ],
)
def test_report_ranges_are_range_checked(
    sales_ops_client: APIClient, params: dict[str, str], field: str
) -> None:
    response = sales_ops_client.get("/api/v1/ops/reports/funnel/", params)

    assert field_error(response, field) == ("too_early" if field == "from" else "too_far")


def test_queue_date_filters_are_range_checked(sales_ops_client: APIClient) -> None:
    response = sales_ops_client.get("/api/v1/ops/attributions/", {"occurred_from": "0001-01-01"})

    assert field_error(response, "occurred_from") == "too_early"


def stored(
    *, occurred_at: datetime, email: str, external_id: str = "OLD-1", **fields: Any
) -> Attribution:
    """A sign-up written by the service directly, as rows from before the rule were."""
    [result] = signups_ingest(
        source="crm",
        items=[
            SignupInput(
                external_id=external_id,
                occurred_at=occurred_at,
                sales_channel="online",
                is_new_customer=True,
                customer_hashes={"email": identifier_hash("email", email)},
                **fields,
            )
        ],
    )
    assert result.signup is not None
    return result.signup.attribution


def test_the_window_rule_cannot_overflow_on_a_year_one_moment(employee: Employee) -> None:
    share = make_share(employee)

    attribution = stored(
        occurred_at=datetime(1, 1, 1, tzinfo=UTC), email="old@example.com", share_token=share.token
    )

    assert (attribution.status, attribution.reason) == ("rejected", "share_after_signup")


def test_the_review_of_a_customer_with_a_year_one_sign_up_opens(
    employee: Employee, sales_ops_client: APIClient
) -> None:
    share = make_share(employee)
    stored(occurred_at=datetime(1, 1, 2, tzinfo=UTC), email="twice@example.com")
    Signup.objects.filter(external_id="OLD-1").update(share_token=share.token)
    current = stored(
        occurred_at=timezone.now() - timedelta(minutes=1),
        email="twice@example.com",
        external_id="NEW-1",
        share_token=share.token,
    )

    response = sales_ops_client.get(f"/api/v1/ops/attributions/{current.pk}/")

    assert response.status_code == 200


def test_the_funnel_rollup_starts_in_2000_at_the_earliest(employee: Employee) -> None:
    stored(occurred_at=datetime(1, 1, 1, tzinfo=UTC), email="ancient@example.com")

    result = funnel_rollup(today=date(2000, 1, 3))

    assert (result.rolled_until, result.days_added) == (date(2000, 1, 3), 2)
