"""Push decisions: quiet hours, opt-out, an unconfigured sender. The sender talks to the
Firebase stand-in over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from backend.events.delivery import notification_push_send
from backend.events.models import Notification, PushPreference
from backend.events.push import PushTransientError, in_quiet_hours
from backend.events.services import device_register, notification_send
from tests.events.conftest import zone_at_night, zone_in_daytime


def notify(employee) -> Notification:
    notification = notification_send(
        employee_id=employee.pk, kind="milestone.reached", params={"count": 10}
    )
    assert notification is not None
    return notification


@pytest.mark.parametrize(
    ("utc", "zone", "quiet"),
    [
        ("2026-06-01T19:59:00", "Europe/Amsterdam", False),  # 21:59 in summer time
        ("2026-06-01T20:00:00", "Europe/Amsterdam", True),  # 22:00
        ("2026-06-02T05:59:00", "Europe/Amsterdam", True),  # 07:59
        ("2026-06-02T06:00:00", "Europe/Amsterdam", False),  # 08:00
        ("2026-06-02T06:00:00", "America/New_York", True),  # 02:00 there
        ("2026-06-02T06:00:00", "No/Such_Zone", False),  # falls back to TIME_ZONE
    ],
)
def test_quiet_hours_are_22_to_8_on_the_phones_clock(utc: str, zone: str, quiet: bool) -> None:
    moment = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert in_quiet_hours(zone, moment) is quiet


def test_a_phone_in_quiet_hours_gets_nothing_and_the_notification_waits(fcm, employee) -> None:
    device_register(employee=employee, platform="fcm", token="t1", tz=zone_at_night())
    notification = notify(employee)

    notification_push_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (notification.pushed_at, notification.push_skipped) == (None, "quiet_hours")
    assert fcm.received == []


def test_an_employee_who_opted_out_gets_no_push(fcm, employee) -> None:
    device_register(employee=employee, platform="fcm", token="t1", tz=zone_in_daytime())
    PushPreference.objects.create(employee=employee, push_enabled=False)
    notification = notify(employee)

    notification_push_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.push_skipped == "opted_out"
    assert fcm.received == []


def test_a_push_is_sent_in_the_employees_language_once(fcm, employee) -> None:
    device_register(employee=employee, platform="fcm", token="t1", tz=zone_in_daytime())
    notification = notify(employee)

    notification_push_send(notification_id=notification.pk)
    notification_push_send(notification_id=notification.pk)

    assert fcm.messages == [
        {
            "token": "t1",
            "notification": {
                "title": "Mijlpaal: 10 klanten",
                "body": "Dankzij jouw hulp werden 10 mensen klant.",
            },
            "data": {"notification_id": str(notification.pk), "kind": "milestone.reached"},
        }
    ]
    notification.refresh_from_db()
    assert notification.pushed_at is not None


def test_fcm_being_unavailable_is_retried(fcm, employee, settings) -> None:
    device_register(employee=employee, platform="fcm", token="t1", tz=zone_in_daytime())
    notification = notify(employee)
    settings.FCM_ENDPOINT = "http://127.0.0.1:9"  # nothing listens: connection refused

    with pytest.raises(PushTransientError):
        notification_push_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.pushed_at is None


def test_a_retry_after_one_phone_failed_does_not_ring_the_others_again(fcm, employee) -> None:
    for token in ("t1", "t2", "t3"):
        device_register(employee=employee, platform="fcm", token=token, tz=zone_in_daytime())
    notification = notify(employee)
    fcm.unavailable["t2"] = 1

    with pytest.raises(PushTransientError):
        notification_push_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.pushed_at is None
    notification_push_send(notification_id=notification.pk)  # the queue's retry

    assert [message["token"] for message in fcm.messages] == ["t1", "t2", "t3"]
    notification.refresh_from_db()
    assert notification.pushed_at is not None


def test_without_a_credential_the_notification_stays_in_the_feed(employee, settings) -> None:
    settings.FCM_SERVICE_ACCOUNT_JSON = ""
    settings.FCM_SERVICE_ACCOUNT_FILE = ""
    device_register(employee=employee, platform="fcm", token="t1", tz=zone_in_daytime())
    notification = notify(employee)

    notification_push_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.push_skipped == "not_configured"


def test_an_employee_who_left_gets_no_push(fcm, employee) -> None:
    device_register(employee=employee, platform="fcm", token="t1", tz=zone_in_daytime())
    notification = notify(employee)
    employee.is_active = False
    employee.left_at = timezone.now()
    employee.save(update_fields=["is_active", "left_at"])

    notification_push_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.push_skipped == "employee_inactive"
    assert fcm.received == []
