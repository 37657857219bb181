"""Reads of an employee's claims."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.models import Employee
from referrals.models import Claim


def claims_of(*, employee: Employee) -> QuerySet[Claim]:
    return Claim.objects.filter(employee=employee)
