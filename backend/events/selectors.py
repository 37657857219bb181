"""Reads of the event platform."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.models import Employee
from backend.events.models import Notification, PushPreference


def notifications_of(*, employee: Employee, unread: bool | None = None) -> QuerySet[Notification]:
    """The employee's own feed; `unread` True/False filters on read state."""
    queryset = Notification.objects.filter(employee=employee)
    if unread is not None:
        queryset = queryset.filter(read_at__isnull=unread)
    return queryset


def unread_count(*, employee: Employee) -> int:
    return notifications_of(employee=employee, unread=True).count()


def push_enabled(*, employee: Employee) -> bool:
    return not PushPreference.objects.filter(employee=employee, push_enabled=False).exists()
