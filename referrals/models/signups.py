"""Sign-ups reported by the sign-up system (keyed hashes only, never contact data)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from backend.accounts.identifiers import IdentifierKind


class SalesChannel(models.TextChoices):
    ONLINE = "online", "Online shop"
    APP = "app", "App"
    STORE = "store", "Own store"
    TELESALES = "telesales", "Telesales"
    DEALER = "dealer", "Dealer"
    OTHER = "other", "Other"


# Channels where someone already earns a commission: attribution there needs a human look.
COMMISSIONED_CHANNELS = frozenset({SalesChannel.TELESALES, SalesChannel.DEALER})


class Signup(models.Model):
    """A new customer reported by the sign-up system. (source, external_id) is the
    idempotency key; `payload_hash` tells a repeated delivery from a changed one."""

    source = models.CharField(max_length=50)
    external_id = models.CharField(max_length=100)
    occurred_at = models.DateTimeField()
    presented_code = models.CharField(max_length=32, blank=True)
    share_token = models.CharField(max_length=64, blank=True)
    email_hash = models.CharField(max_length=64, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    account_hash = models.CharField(max_length=64, blank=True)
    product = models.CharField(max_length=100, blank=True)
    sales_channel = models.CharField(max_length=10, choices=SalesChannel.choices)
    is_new_customer = models.BooleanField()
    activated_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    payload_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                name="referrals_signup_unique_source_external_id",
            ),
        ]
        indexes = [
            models.Index(
                fields=["email_hash"],
                name="referrals_signup_email_idx",
                condition=~Q(email_hash=""),
            ),
            models.Index(
                fields=["phone_hash"],
                name="referrals_signup_phone_idx",
                condition=~Q(phone_hash=""),
            ),
            models.Index(
                fields=["account_hash"],
                name="referrals_signup_account_idx",
                condition=~Q(account_hash=""),
            ),
            models.Index(fields=["created_at"], name="referrals_signup_created_idx"),
            models.Index(fields=["occurred_at"], name="referrals_signup_occurred_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"

    def customer_hashes(self) -> dict[str, str]:
        hashes = {
            IdentifierKind.EMAIL: self.email_hash,
            IdentifierKind.PHONE: self.phone_hash,
            IdentifierKind.ACCOUNT: self.account_hash,
        }
        return {str(kind): value for kind, value in hashes.items() if value}
