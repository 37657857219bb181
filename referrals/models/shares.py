"""Shares sent to friends, their visits and the friends' feedback."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from referrals.models.codes import ReferralCode


class ShareChannel(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"
    QR = "qr", "QR code"
    COPY = "copy", "Copied link"
    OTHER = "other", "Other"


class Share(models.Model):
    """An answer (optional) and a code sent to a friend, behind an unguessable token."""

    token = models.CharField(max_length=32, unique=True)
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shares"
    )
    code = models.ForeignKey(ReferralCode, on_delete=models.PROTECT, related_name="shares")
    article = models.ForeignKey(
        "knowledge.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shares",
    )
    channel = models.CharField(max_length=10, choices=ShareChannel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # The day of the first visit, set by the first visit (`visit_record`) and never after:
    # impact's "friends reached" counts the shares that have one, without reading visits.
    opened_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Answer and first visit included: impact counts an employee's shares, the
            # answers and the opened ones among them from the index alone (PostgreSQL:
            # index-only scan).
            models.Index(
                fields=["employee", "-created_at", "-id"],
                include=["article", "opened_on"],
                name="referrals_share_employee_idx",
            ),
            models.Index(fields=["created_at"], name="referrals_share_created_idx"),
        ]

    def __str__(self) -> str:
        return f"share {self.token[:6]}… ({self.channel})"


class VisitSalt(models.Model):
    """A random salt per day for visitor hashes, deleted after two days: once it is gone,
    nobody (not even with every secret of the server) can link a visit to a visitor."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"salt {self.day}"


class Visit(models.Model):
    """One visitor opening a share on one day; repeat views that day count once.

    Past the retention period `purge_visitor_data` erases the visitor hash and the exact
    time: the row stays as an anonymous count for its share and day."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="visits")
    day = models.DateField()
    # NULL once erased: unlike "", NULLs never collide in the unique constraint below.
    visitor_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["share", "day", "visitor_hash"],
                name="referrals_visit_unique_share_day_visitor",
            ),
        ]
        indexes = [models.Index(fields=["day"], name="referrals_visit_day_idx")]

    def __str__(self) -> str:
        return f"visit {self.day} share {self.share_id}"


class FeedbackReason(models.TextChoices):
    CLEAR = "clear", "Clear answer"
    SOLVED = "solved", "Solved my question"
    UNCLEAR = "unclear", "Hard to understand"
    INCOMPLETE = "incomplete", "Something is missing"
    OUTDATED = "outdated", "Out of date"
    OTHER = "other", "Other"


class ShareFeedback(models.Model):
    """The friend's 'did this help?'. One answer per visitor per share per day; a second
    answer the same day replaces the first."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="feedback")
    day = models.DateField()
    visitor_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    helpful = models.BooleanField()
    reason = models.CharField(max_length=12, choices=FeedbackReason.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "share feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["share", "day", "visitor_hash"],
                name="referrals_sharefeedback_unique_share_day_visitor",
            ),
        ]

    def __str__(self) -> str:
        return f"{'helpful' if self.helpful else 'not helpful'} share {self.share_id}"
