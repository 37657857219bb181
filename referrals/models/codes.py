"""Referral codes: every employee's personal code and their labelled extra codes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from referrals.codes import format_code
from referrals.models.campaigns import Campaign


class ReferralCode(models.Model):
    """A speakable code (stored canonical, 10 symbols without the dash).

    Every active employee has exactly one live personal code; they may add labelled extra
    codes and revoke them. Revoking the personal code issues a new one. When the employee
    leaves, every code is frozen: it stays readable but no longer attributes.
    """

    code = models.CharField(max_length=10, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referral_codes"
    )
    is_personal = models.BooleanField(default=False)
    label = models.CharField(max_length=60, blank=True)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="codes"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    frozen_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the owner left; a frozen code never attributes."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(is_personal=True, revoked_at__isnull=True),
                name="referrals_referralcode_one_live_personal_per_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="referrals_code_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return format_code(self.code)

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.frozen_at is not None:
            return "frozen"
        return "active"
