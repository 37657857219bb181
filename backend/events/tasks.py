"""The platform's jobs. Apps define their own periodic jobs in their `tasks.py` on the
same queue (`backend.events.queue.app`)."""

from __future__ import annotations

from django.conf import settings

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


@app.periodic(cron="30 4 * * *", periodic_id="purge_delivery_log")
@app.task(name="events.purge_delivery_log", queueing_lock="purge_delivery_log")
def purge_delivery_log(timestamp: int) -> None:
    connections_refresh()
    delivery.delivery_log_purge(older_than_days=settings.WEBHOOK_LOG_RETENTION_DAYS)
