"""The employee's own feed, devices and push preference over the API."""

from __future__ import annotations

import pytest

from backend.events.catalog import render
from backend.events.models import Device, Notification, PushPreference
from backend.events.services import notification_send


def send(employee, kind: str = "question.answered", **params) -> Notification:
    params = params or {"question_id": 1, "question_title": "Werkt eSIM op een iPad?"}
    notification = notification_send(employee_id=employee.pk, kind=kind, params=params)
    assert notification is not None
    return notification


def test_the_feed_shows_only_your_own_newest_first_with_the_unread_count(
    employee, other_employee, employee_client
) -> None:
    first, second = send(employee), send(employee, "milestone.reached", count=5)
    send(other_employee)

    response = employee_client.get("/api/v1/notifications/")

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["results"]] == [second.pk, first.pk]
    assert body["unread_count"] == 2
    assert body["results"][0] == {
        "id": second.pk,
        "kind": "milestone.reached",
        "title": "Mijlpaal: 5 klanten",
        "body": "Dankzij jouw hulp werden 5 mensen klant.",
        "data": {"count": 5},
        "created_at": body["results"][0]["created_at"],
        "read_at": None,
    }


def test_texts_follow_the_readers_language(employee, employee_client) -> None:
    send(employee, "claim.decided", claim_id=3, status="rejected", reason="Geen match")
    employee.language = "en"
    employee.save(update_fields=["language"])

    [item] = employee_client.get("/api/v1/notifications/").json()["results"]

    assert (item["title"], item["body"]) == ("Your claim was rejected", "Sales ops: Geen match")


def test_the_unread_filter_and_marking_read(employee, employee_client) -> None:
    read, unread = send(employee), send(employee)

    marked = employee_client.post(f"/api/v1/notifications/{read.pk}/read/")
    only_unread = employee_client.get("/api/v1/notifications/?unread=true").json()
    only_read = employee_client.get("/api/v1/notifications/?unread=false").json()

    assert marked.status_code == 200
    assert marked.json()["read_at"] is not None
    assert [item["id"] for item in only_unread["results"]] == [unread.pk]
    assert [item["id"] for item in only_read["results"]] == [read.pk]
    assert only_unread["unread_count"] == 1


def test_read_all_marks_only_your_own(employee, other_employee, employee_client) -> None:
    send(employee), send(employee)
    theirs = send(other_employee)

    response = employee_client.post("/api/v1/notifications/read-all/")

    assert response.json() == {"marked_read": 2, "unread_count": 0}
    assert Notification.objects.filter(employee=employee, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_another_employees_notification_is_not_found(other_employee, employee_client) -> None:
    theirs = send(other_employee)

    response = employee_client.post(f"/api/v1/notifications/{theirs.pk}/read/")

    assert response.status_code == 404
    assert response.json()["code"] == "notification_not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_bad_unread_filter_is_a_clear_400(employee_client) -> None:
    response = employee_client.get("/api/v1/notifications/?unread=maybe")

    assert response.status_code == 400
    assert "unread" in response.json()["fields"]


def test_the_feed_pages_by_cursor_at_a_constant_cost(
    employee, employee_client, django_assert_num_queries
) -> None:
    for _ in range(7):
        send(employee)
    # employee (token check), page, unread count
    for size in (2, 5):
        with django_assert_num_queries(3):
            page = employee_client.get(f"/api/v1/notifications/?page_size={size}").json()
        assert len(page["results"]) == size
    following = employee_client.get(page["next"]).json()
    assert len(following["results"]) == 2


def test_a_device_is_registered_moved_and_removed(
    employee, other_employee, employee_client, other_client
) -> None:
    created = employee_client.post(
        "/api/v1/devices/",
        {"platform": "fcm", "token": "token-1", "timezone": "Europe/Lisbon"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "platform": "fcm",
        "timezone": "Europe/Lisbon",
        "created_at": created.json()["created_at"],
    }
    # The phone changes hands: the token moves to the new owner, never duplicated.
    moved = other_client.post(
        "/api/v1/devices/", {"platform": "fcm", "token": "token-1"}, format="json"
    )
    assert moved.json()["id"] == created.json()["id"]
    assert list(Device.objects.values_list("employee_id", flat=True)) == [other_employee.pk]

    refused = employee_client.delete(f"/api/v1/devices/{created.json()['id']}/")
    removed = other_client.delete(f"/api/v1/devices/{created.json()['id']}/")

    assert refused.status_code == 404
    assert removed.status_code == 204
    assert not Device.objects.exists()


def test_a_device_with_bad_input_is_refused_and_nothing_is_written(employee_client) -> None:
    for body, field in (
        ({"platform": "sms", "token": "t"}, "platform"),
        ({"platform": "fcm"}, "token"),
        ({"platform": "fcm", "token": "t", "timezone": "Mars/Olympus"}, "timezone"),
    ):
        response = employee_client.post("/api/v1/devices/", body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["fields"]
    assert not Device.objects.exists()


def test_push_can_be_turned_off_and_on(employee, employee_client) -> None:
    assert employee_client.get("/api/v1/notifications/preferences/").json() == {
        "push_enabled": True
    }

    off = employee_client.put(
        "/api/v1/notifications/preferences/", {"push_enabled": False}, format="json"
    )

    assert off.json() == {"push_enabled": False}
    assert PushPreference.objects.get(employee=employee).push_enabled is False


@pytest.mark.parametrize(
    ("kind", "params", "language", "title", "body"),
    [
        (
            "milestone.reached",
            {"count": 1},
            "nl",
            "Je eerste klant",
            "Dankzij jouw hulp is iemand klant geworden.",
        ),
        (
            "milestone.reached",
            {"count": 25},
            "en",
            "Milestone: 25 customers",
            "25 customers joined thanks to your help.",
        ),
        (
            "attribution.attributed",
            {"attribution_id": 1},
            "en",
            "Your help counted",
            "A friend you helped signed up.",
        ),
        (
            "attribution.attributed",
            {"attribution_id": 1, "article_title": "eSIM"},
            "en",
            "Your help counted",
            "A friend you helped signed up after “eSIM”.",
        ),
        (
            "claim.decided",
            {"claim_id": 1, "status": "approved", "reason": "OK"},
            "nl",
            "Je claim is goedgekeurd",
            "Sales ops: OK",
        ),
    ],
)
def test_texts_read_well_for_each_case(kind, params, language, title, body) -> None:
    assert render(kind, params, language) == (title, body)
