"""Webhook endpoints: the secret shown once, SSRF refusal, give-up and disable, replay.
Attempts run in this process against a real receiver on loopback."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from backend.events.delivery import WebhookFailed, delivery_log_purge, webhook_attempt
from backend.events.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from backend.events.outbound import TargetRefused, public_session
from backend.events.webhooks import event_record
from tests.events.conftest import subscribe


def record(subject: str = "attribution:1", event_type: str = "attribution.created") -> None:
    event_record(event_type=event_type, subject=subject, data={"attribution_id": 1, "version": 1})


def test_create_webhook_prints_the_secret_once_and_keeps_it_encrypted(db) -> None:
    out = StringIO()

    call_command(
        "create_webhook",
        "https://crm.example.com/hooks",
        "--events",
        "attribution.created,claim.decided",
        stdout=out,
        stderr=StringIO(),
    )

    secret = out.getvalue().strip()
    endpoint = WebhookEndpoint.objects.get()
    assert secret.startswith("whsec_")
    assert secret not in endpoint.secret_encrypted
    assert endpoint.event_types == ["attribution.created", "claim.decided"]


@pytest.mark.parametrize(
    ("url", "events", "message"),
    [
        ("https://crm.example.com/h", "attribution.deleted", "unknown"),
        ("ftp://crm.example.com/h", "claim.decided", "http(s)"),
        ("http://127.0.0.1:8080/h", "claim.decided", "private or loopback"),
        ("http://10.1.2.3/h", "claim.decided", "private or loopback"),
    ],
)
def test_create_webhook_refuses_bad_endpoints(db, url: str, events: str, message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("create_webhook", url, "--events", events, stdout=StringIO())
    assert not WebhookEndpoint.objects.exists()


def test_only_subscribed_endpoints_get_an_event(db, allow_private_targets) -> None:
    subscribe("http://127.0.0.1:9/a", "claim.decided")
    subscribe("http://127.0.0.1:9/b", "attribution.created")

    record()

    assert list(WebhookDelivery.objects.values_list("endpoint__url", flat=True)) == [
        "http://127.0.0.1:9/b"
    ]


def test_a_private_target_is_refused_at_delivery_time(
    db, settings, receiver, allow_private_targets
) -> None:
    server = receiver()
    subscribe(f"{server.url}/h")
    record()
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False

    with pytest.raises(WebhookFailed):
        webhook_attempt(delivery_id=WebhookDelivery.objects.get().pk)

    assert server.received == []
    [attempt] = WebhookDelivery.objects.get().log.all()
    assert attempt.status_code is None
    assert attempt.error == "refused: 127.0.0.1 resolves to the non-public address 127.0.0.1"


def test_the_last_failed_attempt_disables_the_endpoint_with_the_reason(
    db, settings, receiver, allow_private_targets
) -> None:
    settings.WEBHOOK_RETRY_SCHEDULE = [10]
    server = receiver(statuses=[500, 502])
    subscribe(f"{server.url}/h")
    record("attribution:1")
    record("attribution:2")
    first, second = WebhookDelivery.objects.order_by("pk")

    with pytest.raises(WebhookFailed):
        webhook_attempt(delivery_id=first.pk)
    webhook_attempt(delivery_id=first.pk)  # the last: gives up without raising
    webhook_attempt(delivery_id=second.pk)

    endpoint = WebhookEndpoint.objects.get()
    first.refresh_from_db()
    second.refresh_from_db()
    assert endpoint.is_active is False
    assert endpoint.disabled_reason.startswith(
        f"Delivery {first.message_id} failed 2 times over 0.0 hours; last: HTTP 502."
    )
    assert (first.status, first.attempts, first.last_status_code) == ("failed", 2, 502)
    assert (second.status, second.attempts) == ("failed", 0)
    assert len(server.received) == 2


def test_replay_from_the_admin_sends_the_same_webhook_id_again(
    db, settings, receiver, allow_private_targets, make_employee
) -> None:
    settings.WEBHOOK_RETRY_SCHEDULE = []
    server = receiver(statuses=[500])
    secret = subscribe(f"{server.url}/h")
    record()
    delivery = WebhookDelivery.objects.get()
    webhook_attempt(delivery_id=delivery.pk)
    WebhookEndpoint.objects.update(is_active=True, disabled_reason="")
    admin = _superuser_client(make_employee)

    response = admin.post(
        "/admin/events/webhookdelivery/",
        {"action": "replay", "_selected_action": [delivery.pk]},
    )
    webhook_attempt(delivery_id=delivery.pk)

    assert response.status_code == 302
    first, second = server.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.message_id
    Webhook(secret).verify(second.body, second.headers)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert [a.status_code for a in delivery.log.all()] == [500, 204]


def _superuser_client(make_employee) -> Client:
    superuser = make_employee(is_staff=True)
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(superuser)
    return client


def test_the_admin_shows_a_new_secret_once_and_why_an_endpoint_was_disabled(
    db, make_employee
) -> None:
    admin = _superuser_client(make_employee)

    created = admin.post(
        "/admin/events/webhookendpoint/add/",
        {"url": "https://crm.example.com/h", "event_types": ["claim.decided"], "is_active": "on"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    WebhookEndpoint.objects.update(is_active=False, disabled_reason="Delivery msg_1 failed.")
    page = admin.get(f"/admin/events/webhookendpoint/{endpoint.pk}/change/")
    again = admin.get(f"/admin/events/webhookendpoint/{endpoint.pk}/change/")

    [message] = [str(m) for m in created.context["messages"] if "shown only now" in str(m)]
    secret = message.split("shown only now: ")[1].split(" ")[0]
    assert secret.startswith("whsec_")
    assert Webhook(secret)  # a valid Standard Webhooks secret
    assert "Delivery msg_1 failed." in page.content.decode()
    assert secret not in again.content.decode()


def test_the_admin_refuses_a_loopback_url(db, make_employee) -> None:
    admin = _superuser_client(make_employee)

    response = admin.post(
        "/admin/events/webhookendpoint/add/",
        {"url": "http://127.0.0.1/h", "event_types": ["claim.decided"], "is_active": "on"},
    )

    assert response.status_code == 200
    assert "private or loopback" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_connected_address_is_checked_too_against_dns_rebinding(db, settings, receiver) -> None:
    # `localhost` passes no name check here: the socket's peer address is what counts.
    server = receiver()
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    port = server.url.rsplit(":", 1)[1]

    with public_session() as session, pytest.raises(TargetRefused, match="non-public"):
        session.post(f"http://localhost:{port}/h", data=b"{}", timeout=5)

    assert server.received == []


def test_settled_deliveries_past_retention_are_purged_and_pending_ones_stay(
    db, allow_private_targets
) -> None:
    subscribe("http://127.0.0.1:9/h")
    for subject in ("attribution:1", "attribution:2", "attribution:3"):
        record(subject)
    old_done, old_pending, recent_done = WebhookDelivery.objects.order_by("pk")
    WebhookDelivery.objects.filter(pk__in=[old_done.pk, recent_done.pk]).update(
        status=DeliveryStatus.SUCCEEDED
    )
    WebhookDelivery.objects.filter(pk__in=[old_done.pk, old_pending.pk]).update(
        created_at=timezone.now() - timedelta(days=31)
    )

    purged = delivery_log_purge(older_than_days=30)

    assert purged == 1
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {
        old_pending.pk,
        recent_done.pk,
    }
