"""Referrals' answers to the platform's employment announcements and its questions about
an employee (connected in apps.py).

The employment receivers run inside the transaction of the employment change: codes are
issued at hire, frozen at leave (as of `left_at`) and unfrozen at return, or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backend.accounts.models import Employee
from referrals.codes import format_code
from referrals.selectors import personal_code_of
from referrals.services.codes import referral_codes_follow_employment


def codes_follow_employment(sender: Any, *, employees: Sequence[Employee], **kwargs: Any) -> None:
    referral_codes_follow_employment(employees=employees)


def personal_code_shown(employee: Employee) -> str | None:
    """The employee's live personal code as `/me` shows it (`XXXXX-XXXXX`), if any."""
    code = personal_code_of(employee=employee)
    return format_code(code) if code else None
