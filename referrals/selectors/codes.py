"""Reads of the employee's referral codes."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.models import Employee
from backend.api.errors import NotFound
from referrals import sql
from referrals.models import ReferralCode


def referral_codes_of(*, employee: Employee) -> QuerySet[ReferralCode]:
    return ReferralCode.objects.filter(owner=employee).select_related("campaign")


def referral_code_of(*, employee: Employee, code: str) -> ReferralCode:
    found = referral_codes_of(employee=employee).filter(code=code).first()
    if found is None:
        raise NotFound("You have no such code.", code="code_not_found")
    return found


def personal_code_of(*, employee: Employee) -> str | None:
    """The employee's live personal code (canonical form), if any."""
    found = sql.personal_code_get(owner_id=employee.pk)
    return found.code if found else None
