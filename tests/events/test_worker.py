"""The event path end to end: a real `manage.py worker` on the real queue in PostgreSQL,
a real webhook receiver and a Firebase stand-in on loopback."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from django.db import connection, transaction
from standardwebhooks.webhooks import Webhook

from backend.events.models import DeliveryStatus, Device, Notification, WebhookDelivery
from backend.events.services import device_register
from referrals.models import Attribution
from referrals.services.decisions import attribution_decide
from tests.concurrency import run_concurrently
from tests.events.conftest import subscribe, zone_in_daytime
from tests.ops.conftest import ingest
from tests.referrals.conftest import personal_code

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("empty_queue", "allow_private_targets"),
]


def queued_jobs() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")
        return int(cursor.fetchone()[0])


def test_an_event_committed_while_no_worker_runs_is_delivered_when_one_starts(
    receiver, start_worker, make_employee
) -> None:
    server = receiver()
    secret = subscribe(f"{server.url}/crm", "attribution.created")
    referrer = make_employee(employee_number="E-1001")
    attribution = ingest(code=personal_code(referrer).code, external_id="ORDER-1")
    assert queued_jobs() == 1
    assert server.received == []

    start_worker()

    [request] = server.wait_for(1)
    body = Webhook(secret).verify(request.body, request.headers)
    assert body["type"] == "attribution.created"
    assert body["data"] == {
        "attribution_id": attribution.pk,
        "status": "pending",
        "previous_status": None,
        "reason": attribution.reason,
        "employee_number": "E-1001",
        "version": 1,
        "signup": {"source": "crm", "external_id": "ORDER-1"},
    }


def test_a_rolled_back_decision_sends_nothing(
    receiver, start_worker, make_employee, sales_ops
) -> None:
    server = receiver()
    subscribe(f"{server.url}/crm", "attribution.status_changed")
    referrer = make_employee()
    attribution = ingest(code=personal_code(referrer).code)
    notifications_before = Notification.objects.count()

    def decide_then_fail() -> None:
        with transaction.atomic():
            attribution_decide(
                attribution_id=attribution.pk,
                version=1,
                actor=sales_ops,
                action="reject",
                reason="x",
            )
            raise RuntimeError("the request failed after the decision")

    with pytest.raises(RuntimeError):
        decide_then_fail()

    assert queued_jobs() == 0
    assert WebhookDelivery.objects.count() == 0
    assert Notification.objects.count() == notifications_before
    # A committed decision afterwards is the only thing the receiver ever hears.
    attribution_decide(
        attribution_id=attribution.pk, version=1, actor=sales_ops, action="reject", reason="y"
    )
    start_worker()
    [request] = server.wait_for(1)
    assert json.loads(request.body)["data"]["version"] == 2
    assert WebhookDelivery.objects.count() == 1


def test_a_receiver_failing_twice_gets_the_same_webhook_id_three_times(
    receiver, start_worker, make_employee
) -> None:
    server = receiver(statuses=[500, 503])
    secret = subscribe(f"{server.url}/crm", "attribution.created")
    ingest(code=personal_code(make_employee()).code)

    start_worker(WEBHOOK_RETRY_SCHEDULE="1,1,1")

    requests = server.wait_for(3)
    assert len({request.headers["webhook-id"] for request in requests}) == 1
    for request in requests:
        Webhook(secret).verify(request.body, request.headers)
    delivery = WebhookDelivery.objects.get()
    _wait(lambda: WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED)
    delivery.refresh_from_db()
    assert delivery.message_id == requests[0].headers["webhook-id"]
    assert delivery.attempts == 3
    assert [attempt.status_code for attempt in delivery.log.all()] == [500, 503, 204]


def test_twenty_concurrent_decisions_arrive_exactly_once_in_version_order(
    receiver, start_worker, make_employee, sales_ops
) -> None:
    server = receiver()
    subscribe(f"{server.url}/crm", "attribution.status_changed")
    referrer = make_employee()
    attributions = [ingest(code=personal_code(referrer).code) for _ in range(4)]
    start_worker()

    def decide_once(index: int) -> int:
        target = attributions[index % 4].pk
        while True:
            current = Attribution.objects.get(pk=target)
            action = "reject" if current.status == "pending" else "approve"
            try:
                decided = attribution_decide(
                    attribution_id=target,
                    version=current.version,
                    actor=sales_ops,
                    action=action,
                    reason=f"decision {index}",
                )
                return decided.version
            except Exception as exc:  # stale version or a lock wait: read again
                if getattr(exc, "code", "") != "stale_version":
                    raise

    run_concurrently(decide_once, 20, timeout=60)

    requests = server.wait_for(20)
    versions: dict[int, list[int]] = defaultdict(list)
    for request in requests:
        data = json.loads(request.body)["data"]
        versions[data["attribution_id"]].append(data["version"])
    assert len(requests) == 20
    assert versions == {attribution.pk: [2, 3, 4, 5, 6] for attribution in attributions}


def _wait(condition, timeout: float = 30) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.1)


def test_push_goes_through_fcm_and_a_gone_token_is_removed_without_friend_data(
    fcm, start_worker, make_employee, employee_client, employee
) -> None:
    zone = zone_in_daytime()
    phone = device_register(employee=employee, platform="fcm", token="phone-token", tz=zone)
    device_register(employee=employee, platform="apns", token="gone-token", tz=zone)
    fcm.unregistered.add("gone-token")
    friend = {"email": "lisa.friend@example.com", "phone": "+31612345678"}
    ingest(code=personal_code(employee).code, email=friend["email"], phone=friend["phone"])

    start_worker(FCM_SERVICE_ACCOUNT_JSON=fcm.service_account_json(), FCM_ENDPOINT=fcm.url)

    _wait(lambda: not Device.objects.filter(token="gone-token").exists())
    _wait(lambda: Notification.objects.filter(pushed_at__isnull=False).exists())
    assert list(Device.objects.values_list("pk", flat=True)) == [phone.pk]
    assert sorted(message["token"] for message in fcm.messages) == ["gone-token", "phone-token"]
    message = fcm.messages[0]
    assert message["notification"] == {
        "title": "Je hulp telt",
        "body": "Iemand die je hielp is klant geworden.",
    }
    feed = employee_client.get("/api/v1/notifications/").content.decode()
    bodies = [
        feed,
        *(json.dumps(m) for m in fcm.messages),
        *(r.body.decode() for r in fcm.received),
    ]
    for body in bodies:
        for value in (*friend.values(), "lisa", "612345678"):
            assert value not in body.lower()
