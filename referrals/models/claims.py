"""Employees' claims for sign-ups the rules missed, and the audit of erasure requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from backend.accounts.identifiers import IdentifierKind
from referrals.models.signups import Signup


class ClaimStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Claim(models.Model):
    """An employee's 'I helped this friend' for a sign-up the rules missed. The friend's
    identifier is hashed on arrival; sales ops decide."""

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referral_claims"
    )
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    value_hash = models.CharField(max_length=64)
    note = models.TextField(max_length=1000, blank=True)
    signup = models.ForeignKey(
        Signup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claims",
        help_text="The sign-up whose customer hash matches, when one is known.",
    )
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "value_hash"],
                condition=Q(status="open"),
                name="referrals_claim_one_open_per_employee_customer",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "-created_at", "-id"], name="referrals_claim_emp_idx"),
            models.Index(fields=["status", "-created_at"], name="referrals_claim_status_idx"),
        ]

    def __str__(self) -> str:
        return f"claim {self.pk} ({self.status})"


class CustomerErasure(models.Model):
    """Audit of a friend's erasure request (`manage.py erase_customer`): when, by whom, by
    which kind of identifier and what it touched. The identifier itself is not kept."""

    at = models.DateTimeField(default=timezone.now)
    requested_by = models.CharField(max_length=150)
    identifier_kinds = models.CharField(max_length=30)
    signups = models.PositiveIntegerField()
    claims = models.PositiveIntegerField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"erasure {self.at:%Y-%m-%d %H:%M} ({self.signups} sign-ups)"
