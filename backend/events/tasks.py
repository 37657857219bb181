"""The platform's jobs. Apps define their own periodic jobs in their `tasks.py` on the
same queue (`backend.events.queue.app`)."""

from __future__ import annotations

from backend.events import delivery
from backend.events.queue import RetrySchedule, app, connections_refresh


@app.task(name="events.notification_push", retry=RetrySchedule("PUSH_RETRY_SCHEDULE"))
def notification_push(notification_id: int) -> None:
    connections_refresh()
    delivery.notification_push_send(notification_id=notification_id)


@app.task(name="events.webhook_deliver", retry=RetrySchedule("WEBHOOK_RETRY_SCHEDULE"))
def webhook_deliver(delivery_id: int) -> None:
    connections_refresh()
    delivery.webhook_attempt(delivery_id=delivery_id)
