"""Who a sign-up counts for and why, its audit trail, and the live-customer rows that
make `duplicate_customer` a database rule."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from backend.accounts.identifiers import IdentifierKind
from referrals.models.codes import ReferralCode
from referrals.models.shares import Share
from referrals.models.signups import Signup


class AttributionStatus(models.TextChoices):
    UNATTRIBUTED = "unattributed", "Unattributed"
    PENDING = "pending", "Pending"
    NEEDS_REVIEW = "needs_review", "Needs review"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"
    REVERSED = "reversed", "Reversed"


LIVE_STATUSES = frozenset(
    {AttributionStatus.PENDING, AttributionStatus.NEEDS_REVIEW, AttributionStatus.CONFIRMED}
)


# The ops queue shows attributions that need review first. This is the one declaration of
# that review rank (1 for REVIEW_FIRST, 0 for the rest): the queue, its cursor and the CSV
# export order by REVIEW_RANK, and the queue index is built on exactly it.
REVIEW_FIRST = AttributionStatus.NEEDS_REVIEW

REVIEW_RANK = Case(
    When(status=REVIEW_FIRST, then=Value(1)),
    default=Value(0),
    output_field=models.IntegerField(),
)


class Attribution(models.Model):
    """Who a sign-up counts for, and why: `trace` holds one line per rule evaluated.

    `version` grows with every change; a decision sends the version it saw and gets a
    409 when the record changed since. Status changes go through
    `referrals.services.attribution` only, which writes an AttributionEvent for each.
    """

    signup = models.OneToOneField(Signup, on_delete=models.PROTECT, related_name="attribution")
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attributions",
    )
    code = models.ForeignKey(
        ReferralCode, on_delete=models.PROTECT, null=True, blank=True, related_name="attributions"
    )
    share = models.ForeignKey(
        Share, on_delete=models.PROTECT, null=True, blank=True, related_name="attributions"
    )
    article = models.ForeignKey(
        "knowledge.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attributions",
    )
    status = models.CharField(max_length=12, choices=AttributionStatus.choices)
    reason = models.CharField(max_length=32, blank=True)
    # Every review signal that fired (`reason` holds the first): filtering by any finds it.
    review_signals = models.JSONField(default=list, blank=True)
    trace = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The sign-up's occurred_at, copied (it never changes) so that reports by period count
    # attributions from one index, without joining the sign-ups.
    occurred_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AttributionStatus.values),
                name="referrals_attribution_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="referrals_attribution_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(status=AttributionStatus.UNATTRIBUTED, employee__isnull=True)
                | ~Q(status=AttributionStatus.UNATTRIBUTED),
                name="referrals_attribution_unattributed_has_no_employee",
            ),
        ]
        indexes = [
            # Status included: impact counts an employee's attributions by status from
            # the index alone (PostgreSQL: index-only scan).
            models.Index(
                fields=["employee", "-created_at", "-id"],
                include=["status"],
                name="referrals_attr_employee_idx",
            ),
            models.Index(fields=["status", "-created_at", "-id"], name="referrals_attr_status_idx"),
            models.Index(fields=["reason", "-created_at", "-id"], name="referrals_attr_reason_idx"),
            models.Index(fields=["occurred_at", "status"], name="referrals_attr_occurred_idx"),
            models.Index(fields=["updated_at"], name="referrals_attr_updated_idx"),
            models.Index(
                REVIEW_RANK.desc(),
                F("created_at").desc(),
                F("id").desc(),
                name="referrals_attr_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"attribution {self.pk} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class AttributionEvent(models.Model):
    """Append-only audit of every status change. Never updated or deleted: the admin
    shows it read-only and, on PostgreSQL, a trigger refuses UPDATE and DELETE."""

    attribution = models.ForeignKey(Attribution, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the system (rules, sign-up system, daily finalisation).",
    )
    from_employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the attribution moved to another employee: who had it.",
    )
    to_employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the attribution moved to another employee: who has it now.",
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    reason = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["attribution", "at"], name="referrals_event_attr_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status} ({self.reason})"


class LiveCustomer(models.Model):
    """One row per customer identifier hash of a live attribution (pending, needs review,
    confirmed). The unique hash is what makes `duplicate_customer` a database rule:
    rows are written in the same transaction as the attribution and removed when it
    stops being live."""

    value_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    attribution = models.ForeignKey(
        Attribution, on_delete=models.CASCADE, related_name="live_customers"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["value_hash"], name="referrals_livecustomer_unique_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value_hash[:12]}…"
