"""Signed outbound webhooks (Standard Webhooks: https://www.standardwebhooks.com).

`event_record` is what apps call, inside the transaction of the change: it writes one
delivery per subscribed endpoint and defers its job in that transaction. Each delivery
keeps one `webhook-id` for all its attempts. Jobs of one endpoint and one subject (e.g.
an attribution) share a queue lock, so a receiver gets them in the order they happened,
a failing one holding back the later ones until it succeeds or gives up.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.conf import settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from backend.api.errors import InvalidInput
from backend.events.models import WebhookDelivery, WebhookEndpoint
from backend.events.outbound import TargetRefused, address_check
from backend.events.queue import job_defer

EVENT_TYPES = ("attribution.created", "attribution.status_changed", "claim.decided")


def _fernet() -> Fernet:
    key = (
        settings.WEBHOOK_SECRET_KEY
        or base64.urlsafe_b64encode(
            hashlib.sha256(b"webhook-secrets:" + settings.SECRET_KEY.encode()).digest()
        ).decode()
    )
    return Fernet(key)


def secret_decrypt(endpoint: WebhookEndpoint) -> str:
    return _fernet().decrypt(endpoint.secret_encrypted.encode()).decode()


def event_types_check(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown or not event_types:
        raise InvalidInput(
            f"Event types must be some of {', '.join(EVENT_TYPES)}; unknown: {unknown}.",
            code="unknown_event_type",
        )
    return sorted(set(event_types))


def endpoint_create(
    *, url: str, event_types: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Creates an endpoint and returns it with its `whsec_…` secret, the only time the
    secret is shown. The secret is stored encrypted (it must be readable to sign)."""
    url_check(url, resolve=False)
    secret, encrypted = secret_new()
    endpoint = WebhookEndpoint.objects.create(
        url=url,
        event_types=event_types_check(event_types),
        description=description,
        secret_encrypted=encrypted,
    )
    return endpoint, secret


def secret_new() -> tuple[str, str]:
    """A fresh `whsec_…` secret (32 random bytes) and its encrypted form."""
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    return secret, _fernet().encrypt(secret.encode()).decode()


def url_check(url: str, *, resolve: bool = True) -> None:
    """Refuses URLs that are not http(s) or that reach a non-public address, unless
    WEBHOOK_ALLOW_PRIVATE_TARGETS. With `resolve`, every address the name resolves to is
    checked, for a clear error early; `outbound` checks the connected address again."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput("A webhook URL must be an http(s) URL.", code="invalid_url")
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return
    host = parts.hostname
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        if not resolve:
            return
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            raise TargetRefused(f"cannot resolve {host}: {exc}") from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        try:
            address_check(host, str(address))
        except TargetRefused:
            if not resolve:
                raise InvalidInput(
                    "A webhook URL may not point at a private or loopback address.",
                    code="private_target",
                ) from None
            raise


@dataclass(frozen=True)
class Event:
    """Something integrators hear about. `subject` (e.g. "attribution:42") orders the
    deliveries of one endpoint; `data` must hold no friend data."""

    type: str
    subject: str
    data: dict[str, Any]
    at: datetime


def event_record(
    *, event_type: str, subject: str, data: dict[str, Any], at: datetime | None = None
) -> int:
    """Records one event in the caller's transaction; see `events_record`."""
    return events_record([Event(event_type, subject, data, at or timezone.now())])


def events_record(events: Sequence[Event]) -> int:
    """Writes one delivery per event and active endpoint subscribed to its type, and
    defers the deliveries' jobs, all in the caller's transaction. Returns the number of
    deliveries (none, and one query, when no endpoint listens)."""
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True).only("pk", "event_types"))
    deliveries = [
        WebhookDelivery(
            endpoint=endpoint,
            message_id=WebhookDelivery.new_message_id(),
            event_type=event.type,
            subject=event.subject,
            payload={
                "type": event.type,
                "timestamp": event.at.astimezone(UTC).isoformat(),
                "data": event.data,
            },
        )
        for event in events
        for endpoint in endpoints
        if event.type in endpoint.event_types
    ]
    for delivery in WebhookDelivery.objects.bulk_create(deliveries):
        delivery_schedule(delivery)
    return len(deliveries)


def delivery_schedule(delivery: WebhookDelivery) -> None:
    from backend.events.tasks import webhook_deliver

    job_defer(
        webhook_deliver,
        lock=f"webhook:{delivery.endpoint_id}:{delivery.subject}",
        delivery_id=delivery.pk,
    )


def signed_request(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt, signed per Standard Webhooks."""
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
    now = datetime.now(UTC)
    signature = Webhook(secret_decrypt(endpoint)).sign(delivery.message_id, now, body)
    headers = {
        "content-type": "application/json",
        "user-agent": "ceo-app-webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    return body.encode(), headers
