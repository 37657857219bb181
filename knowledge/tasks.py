"""Periodic jobs of the knowledge base (run by `manage.py worker`)."""

from __future__ import annotations

from django.db import transaction

from backend.events.queue import app, connections_refresh
from knowledge.services.announce import article_owners_remind


@app.periodic(cron="0 7 * * *", periodic_id="article_owners_remind")
@app.task(name="knowledge.article_owners_remind", queueing_lock="article_owners_remind")
def article_owners_remind_job(timestamp: int) -> None:
    connections_refresh()
    with transaction.atomic():
        article_owners_remind()
