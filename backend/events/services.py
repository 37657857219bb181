"""Writes of the event platform. Apps call `notification_send` (and `event_record` in
`backend.events.webhooks`) inside their own transactions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import available_timezones

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import Employee
from backend.api.errors import InvalidInput, NotFound
from backend.events import catalog
from backend.events.models import Device, Notification, PushPreference
from backend.events.queue import job_defer


def notification_send(
    *, employee_id: int, kind: str, params: dict[str, Any], dedupe_key: str = ""
) -> Notification | None:
    """Adds a notification to the employee's feed and defers its push, both in the
    caller's transaction.

    With a `dedupe_key` the notification exists at most once per employee: the unique
    constraint decides, also between concurrent transactions, and a repeat returns None.
    """
    from backend.events.tasks import notification_push

    clean = catalog.params_check(kind, params)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                employee_id=employee_id, kind=kind, params=clean, dedupe_key=dedupe_key
            )
    except IntegrityError:
        if not dedupe_key:
            raise
        return None
    if Device.objects.filter(employee_id=employee_id).exists():
        job_defer(notification_push, notification_id=notification.pk)
    return notification


@dataclass(frozen=True)
class NotificationDraft:
    employee_id: int
    kind: str
    params: dict[str, Any]
    dedupe_key: str = ""


def notifications_send(drafts: Sequence[NotificationDraft]) -> list[Notification]:
    """Many notifications about things that just happened, in a few queries (a batch of
    sign-ups). Their dedupe keys must be new (e.g. hold a new row's id): a clash is an
    IntegrityError that rolls the caller back."""
    from backend.events.tasks import notification_push

    notifications = Notification.objects.bulk_create(
        [
            Notification(
                employee_id=draft.employee_id,
                kind=draft.kind,
                params=catalog.params_check(draft.kind, draft.params),
                dedupe_key=draft.dedupe_key,
            )
            for draft in drafts
        ]
    )
    with_devices = (
        set(
            Device.objects.filter(employee_id__in={n.employee_id for n in notifications})
            .values_list("employee_id", flat=True)
            .distinct()
        )
        if notifications
        else set()
    )
    for notification in notifications:
        if notification.employee_id in with_devices:
            job_defer(notification_push, notification_id=notification.pk)
    return notifications


def notification_mark_read(*, employee: Employee, notification_id: int) -> Notification:
    """Marks one of the employee's own notifications read; another's is a 404."""
    notification = Notification.objects.filter(pk=notification_id, employee=employee).first()
    if notification is None:
        raise NotFound("No notification with this id.", code="notification_not_found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, employee: Employee) -> int:
    """Marks every unread notification of the employee read; returns how many."""
    return Notification.objects.filter(employee=employee, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def device_register(*, employee: Employee, platform: str, token: str, tz: str) -> Device:
    """Registers a push token for the employee. A token already known (the app
    re-registering, or a phone that changed hands) moves to this employee."""
    if tz not in available_timezones():
        raise InvalidInput(
            "Unknown time zone.",
            fields={"timezone": [{"code": "invalid", "message": "Use an IANA name."}]},
        )
    device, _ = Device.objects.update_or_create(
        token=token, defaults={"employee": employee, "platform": platform, "timezone": tz}
    )
    return device


def device_remove(*, employee: Employee, device_id: int) -> None:
    deleted, _ = Device.objects.filter(pk=device_id, employee=employee).delete()
    if not deleted:
        raise NotFound("No device with this id.", code="device_not_found")


def push_preference_set(*, employee: Employee, push_enabled: bool) -> PushPreference:
    preference, _ = PushPreference.objects.update_or_create(
        employee=employee, defaults={"push_enabled": push_enabled}
    )
    return preference
