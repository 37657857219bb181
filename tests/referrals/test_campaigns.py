"""Campaigns through the API: employees list the running ones, sales ops manage them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from referrals.models import Campaign
from tests.concurrency import run_concurrently
from tests.conftest import login


def campaign(name: str, *, starts_in_days: int, ends_in_days: int) -> Campaign:
    now = timezone.now()
    return Campaign.objects.create(
        name=name,
        starts_at=now + timedelta(days=starts_in_days),
        ends_at=now + timedelta(days=ends_in_days),
        friend_perk_nl="Eerste maand gratis",
        friend_perk_en="First month free",
    )


def payload(**changes: object) -> dict[str, object]:
    return {
        "name": "Kerst",
        "starts_at": "2030-12-01T00:00:00Z",
        "ends_at": "2030-12-31T00:00:00Z",
        "friend_perk_nl": "10 GB extra",
        "friend_perk_en": "10 GB extra",
        **changes,
    }


def test_employees_list_only_running_campaigns(employee_client: APIClient) -> None:
    running = campaign("Zomer", starts_in_days=-1, ends_in_days=30)
    campaign("Herfst", starts_in_days=10, ends_in_days=40)
    campaign("Lente", starts_in_days=-90, ends_in_days=-60)

    response = employee_client.get("/api/v1/referrals/campaigns/")

    assert response.status_code == 200
    assert [item["name"] for item in response.json()["results"]] == ["Zomer"]
    item = response.json()["results"][0]
    moments = {name: parse_datetime(item.pop(name)) for name in ("starts_at", "ends_at")}
    assert moments == {"starts_at": running.starts_at, "ends_at": running.ends_at}
    assert parse_datetime(item.pop("created_at")) == running.created_at
    assert item == {
        "id": running.pk,
        "name": "Zomer",
        "friend_perk_nl": "Eerste maand gratis",
        "friend_perk_en": "First month free",
        "is_running": True,
    }


def test_campaigns_list_costs_the_same_at_two_page_sizes(
    employee_client: APIClient, django_assert_num_queries
) -> None:
    for number in range(6):
        campaign(f"Actie {number}", starts_in_days=-1, ends_in_days=10)
    # the employee with role names (authentication), one page of campaigns
    for size in (2, 5):
        with django_assert_num_queries(2):
            response = employee_client.get(f"/api/v1/referrals/campaigns/?page_size={size}")
        assert len(response.json()["results"]) == size


def test_sales_ops_create_list_by_state_and_change_a_campaign(sales_ops_client: APIClient) -> None:
    campaign("Zomer", starts_in_days=-1, ends_in_days=30)

    created = sales_ops_client.post("/api/v1/ops/campaigns/", payload(), format="json")
    upcoming = sales_ops_client.get("/api/v1/ops/campaigns/?state=upcoming").json()["results"]
    changed = sales_ops_client.patch(
        f"/api/v1/ops/campaigns/{created.json()['id']}/",
        {"ends_at": "2030-12-15T00:00:00Z"},
        format="json",
    )

    assert created.status_code == 201
    assert (created.json()["name"], created.json()["is_running"]) == ("Kerst", False)
    assert [item["name"] for item in upcoming] == ["Kerst"]
    assert changed.status_code == 200
    stored = Campaign.objects.get(name="Kerst")
    assert stored.ends_at.isoformat() == "2030-12-15T00:00:00+00:00"
    assert stored.friend_perk_nl == "10 GB extra"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (payload(ends_at="2030-11-01T00:00:00Z"), 400, "campaign_period_invalid", "ends_at"),
        (payload(amount=5), 400, "unknown_field", "amount"),
        (
            payload(starts_at="0764-06-16T12:51:34Z"),
            400,
            "campaign_period_out_of_range",
            "starts_at",
        ),
        (payload(name="Zomer"), 409, "campaign_name_taken", "name"),
        (payload(ends_at="2030-12-31T00:00:00"), 400, "timezone_required", "ends_at"),
    ],
    ids=["ends-before-start", "unknown-field", "far-past", "name-taken", "no-time-zone"],
)
def test_a_bad_campaign_is_refused_and_nothing_is_written(
    sales_ops_client: APIClient, body: dict, status: int, code: str, field: str
) -> None:
    campaign("Zomer", starts_in_days=-1, ends_in_days=30)

    response = sales_ops_client.post("/api/v1/ops/campaigns/", body, format="json")

    assert response.status_code == status
    assert response.json()["fields"][field][0]["code"] == code
    assert list(Campaign.objects.values_list("name", flat=True)) == ["Zomer"]


def test_a_change_that_ends_a_campaign_before_it_starts_is_refused(
    sales_ops_client: APIClient,
) -> None:
    zomer = campaign("Zomer", starts_in_days=-1, ends_in_days=30)

    response = sales_ops_client.patch(
        f"/api/v1/ops/campaigns/{zomer.pk}/", {"ends_at": "2001-01-01T00:00:00Z"}, format="json"
    )
    missing = sales_ops_client.get("/api/v1/ops/campaigns/999999/")

    assert response.status_code == 400
    assert response.json()["code"] == "campaign_period_invalid"
    zomer.refresh_from_db()
    assert zomer.ends_at > timezone.now()
    assert (missing.status_code, missing.json()["code"]) == (404, "campaign_not_found")


def test_employees_cannot_manage_campaigns(employee_client: APIClient) -> None:
    response = employee_client.post("/api/v1/ops/campaigns/", payload(), format="json")

    assert response.status_code == 403
    assert not Campaign.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_sales_ops_creating_one_campaign_at_once_get_one_201_and_one_409(
    sales_ops,
) -> None:
    clients = [login(sales_ops), login(sales_ops)]

    statuses = run_concurrently(
        lambda i: clients[i].post("/api/v1/ops/campaigns/", payload(), format="json").status_code,
        2,
    )

    assert sorted(statuses) == [201, 409]
    assert Campaign.objects.count() == 1
