"""Reads of the sign-ups attributed to an employee."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.models import Employee
from referrals.models import Attribution


def attributions_of(*, employee: Employee, status: str | None = None) -> QuerySet[Attribution]:
    queryset = Attribution.objects.filter(employee=employee).select_related(
        "signup", "code", "share", "article"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset
