"""What the jobs do: push one notification, attempt one webhook delivery.

Network calls happen outside any transaction; each job reads its row, calls out, then
records the outcome in a short transaction.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.events import catalog, selectors
from backend.events.models import (
    DeliveryStatus,
    Device,
    Notification,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from backend.events.outbound import TargetRefused, public_session
from backend.events.push import FcmClient, PushMessage, PushNotConfigured, in_quiet_hours
from backend.events.webhooks import signed_request, url_check

logger = logging.getLogger(__name__)


class WebhookFailed(Exception):
    """The receiver did not take the delivery; the job is retried on schedule."""


def push_message(notification: Notification) -> PushMessage:
    title, body = catalog.render(
        notification.kind, notification.params, notification.employee.language
    )
    return PushMessage(
        title=title,
        body=body,
        data={"notification_id": str(notification.pk), "kind": notification.kind},
    )


def _skip(notification: Notification, reason: str) -> None:
    notification.push_skipped = reason
    notification.save(update_fields=["push_skipped"])


def notification_push_send(*, notification_id: int) -> None:
    """Pushes a notification to each of the employee's devices outside quiet hours.

    Left, opted out, or every device in quiet hours: nothing is pushed and the
    notification waits in the feed. A device whose token FCM reports UNREGISTERED is
    removed. Raises PushTransientError (retried) when FCM cannot take the message now;
    each device FCM took it for is recorded at once, so the retry skips it.
    """
    notification = (
        Notification.objects.select_related("employee").filter(pk=notification_id).first()
    )
    if notification is None or notification.pushed_at is not None:
        return
    now = timezone.now()
    phones = list(Device.objects.filter(employee_id=notification.employee_id).order_by("pk"))
    devices = [device for device in phones if not in_quiet_hours(device.timezone, now)]
    blocker = _push_blocker(notification, devices) if phones else "no_device"
    if blocker:
        _skip(notification, blocker)
        return
    try:
        client = FcmClient()
    except PushNotConfigured:
        logger.info("Push is not configured; notification %s stays in the feed", notification.pk)
        _skip(notification, "not_configured")
        return
    message = push_message(notification)
    pushed = list(notification.pushed_device_ids)
    for device in devices:
        if device.pk in pushed:  # taken by FCM in an earlier attempt of this job
            continue
        outcome = client.send(device, message)
        if outcome == "token_gone":
            Device.objects.filter(pk=device.pk, token=device.token).delete()
        elif outcome == "sent":
            pushed.append(device.pk)
            Notification.objects.filter(pk=notification.pk).update(pushed_device_ids=pushed)
            Device.objects.filter(pk=device.pk).update(last_used_at=now)
    if pushed:
        notification.pushed_at = now
        notification.save(update_fields=["pushed_at"])


def _push_blocker(notification: Notification, awake_devices: list[Device]) -> str:
    """Why nothing may be pushed, or "" when it may."""
    if not notification.employee.is_active:  # left: their phone is no longer ours to ring
        return "employee_inactive"
    if not selectors.push_enabled(employee=notification.employee):
        return "opted_out"
    if not awake_devices:
        return "quiet_hours"
    return ""


def webhook_attempt(*, delivery_id: int) -> None:
    """One HTTP attempt of a delivery; raises WebhookFailed to be retried.

    The last scheduled attempt that fails disables the endpoint, with the reason.
    """
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == DeliveryStatus.SUCCEEDED:
        return
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
        return
    status_code, error, duration_ms = _post(endpoint, delivery)
    succeeded = status_code is not None and 200 <= status_code < 300
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        WebhookAttempt.objects.create(
            delivery=delivery, status_code=status_code, error=error[:500], duration_ms=duration_ms
        )
        delivery.attempts += 1
        delivery.last_status_code = status_code
        final = delivery.attempts > len(settings.WEBHOOK_RETRY_SCHEDULE)
        if succeeded:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = timezone.now()
        elif final:
            delivery.status = DeliveryStatus.FAILED
            _endpoint_disable(endpoint, delivery, error or f"HTTP {status_code}")
        delivery.save(update_fields=["attempts", "last_status_code", "status", "delivered_at"])
    if not succeeded and not final:
        raise WebhookFailed(error or f"HTTP {status_code}")


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str, int]:
    started = time.monotonic()
    try:
        url_check(endpoint.url)
        body, headers = signed_request(endpoint, delivery)
        with public_session() as session:
            response = session.post(
                endpoint.url,
                data=body,
                headers=headers,
                timeout=(
                    settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS,
                    settings.WEBHOOK_TIMEOUT_SECONDS,
                ),
                allow_redirects=False,
            )
            status_code, error = response.status_code, ""
            response.close()
    except TargetRefused as exc:
        status_code, error = None, f"refused: {exc}"
    except requests.RequestException as exc:
        status_code, error = None, f"{exc.__class__.__name__}: {exc}"
    return status_code, error, int((time.monotonic() - started) * 1000)


def delivery_log_purge(*, older_than_days: int) -> int:
    """Deletes settled deliveries (and their attempts) older than the retention period;
    pending ones stay. Returns how many deliveries went."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    _, by_model = WebhookDelivery.objects.filter(
        created_at__lt=cutoff, status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED]
    ).delete()
    return by_model.get(WebhookDelivery._meta.label, 0)


def _endpoint_disable(endpoint: WebhookEndpoint, delivery: WebhookDelivery, last: str) -> None:
    hours = (timezone.now() - delivery.created_at).total_seconds() / 3600
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False,
        disabled_at=timezone.now(),
        disabled_reason=(
            f"Delivery {delivery.message_id} failed {delivery.attempts} times over "
            f"{hours:.1f} hours; last: {last}. Fix the receiver, re-enable the endpoint and "
            "replay the failed deliveries."
        ),
    )
