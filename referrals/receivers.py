"""Referrals' answers to the platform's employment announcements (connected in apps.py).

They run inside the transaction of the employment change: codes are issued at hire,
frozen at leave (as of `left_at`) and unfrozen at return, or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backend.accounts.models import Employee
from referrals.services.codes import referral_codes_follow_employment


def codes_follow_employment(sender: Any, *, employees: Sequence[Employee], **kwargs: Any) -> None:
    referral_codes_follow_employment(employees=employees)
