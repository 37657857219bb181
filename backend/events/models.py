"""Notifications, push devices and outbound webhooks.

Nothing here holds friend data: notification parameters and webhook bodies carry ids,
statuses, employee numbers and article titles only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """One entry of an employee's in-app feed. The text is rendered from `kind` and
    `params` in the reader's language when it is read, so a language change applies to
    old entries too."""

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    # Non-empty for things told once (a milestone, an article's expiry date): the
    # constraint below makes a second attempt a no-op, also under races.
    dedupe_key = models.CharField(max_length=128, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    push_skipped = models.CharField(max_length=32, blank=True, default="")
    # The devices FCM has taken this notification for: a retry after a failure on one
    # device does not ring the others again.
    pushed_device_ids = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="events_notification_unique_dedupe_key",
            )
        ]
        indexes = [
            models.Index(fields=["employee", "-created_at", "-id"], name="events_notif_feed_idx"),
            models.Index(
                fields=["employee"],
                condition=Q(read_at__isnull=True),
                name="events_notif_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.employee_id}"


class DevicePlatform(models.TextChoices):
    FCM = "fcm", "Android (FCM)"
    APNS = "apns", "iOS (APNs token, delivered through FCM)"


class Device(models.Model):
    """A phone that receives push messages. One employee may have several."""

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    platform = models.CharField(max_length=8, choices=DevicePlatform.choices)
    # FCM registration tokens are about 160 characters; the bound keeps the unique index valid.
    token = models.CharField(max_length=512)
    # IANA zone of the phone, for quiet hours.
    timezone = models.CharField(max_length=64, default="Europe/Amsterdam")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token"], name="events_device_unique_token"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} device of {self.employee_id}"


class PushPreference(models.Model):
    """An employee's choice about push messages; no row means push is on."""

    employee = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_preference"
    )
    push_enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"push {'on' if self.push_enabled else 'off'} for {self.employee_id}"


class WebhookEndpoint(models.Model):
    """An integrator's URL that receives signed events (Standard Webhooks)."""

    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True, default="")
    event_types = models.JSONField(default=list, help_text="Event types sent to this endpoint.")
    # Fernet-encrypted `whsec_…` secret: it must be readable to sign, so it is not hashed.
    secret_encrypted = models.TextField(editable=False)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint. `message_id` is the `webhook-id` of every attempt,
    so a receiver can drop repeats."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField(max_length=64, unique=True, editable=False)
    event_type = models.CharField(max_length=64)
    subject = models.CharField(max_length=64, help_text="What the event is about, for ordering.")
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="events_delivery_log_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"

    @staticmethod
    def new_message_id() -> str:
        return f"msg_{uuid.uuid4().hex}"


class WebhookAttempt(models.Model):
    """The delivery log: one row per HTTP attempt."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"attempt at {self.at}: {self.status_code or self.error}"
