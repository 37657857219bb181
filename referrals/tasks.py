"""Periodic jobs of referrals, run by `manage.py worker` (the management commands of the
same names stay for manual runs)."""

from __future__ import annotations

from django.conf import settings

from backend.events.queue import app, connections_refresh
from referrals.ops.services.rollup import funnel_rollup
from referrals.services.attribution import attributions_finalize
from referrals.services.privacy import visitor_data_purge


@app.periodic(cron="15 2 * * *", periodic_id="finalize_attributions")
@app.task(name="referrals.finalize_attributions", queueing_lock="finalize_attributions")
def finalize_attributions(timestamp: int) -> None:
    connections_refresh()
    attributions_finalize()


@app.periodic(cron="*/10 * * * *", periodic_id="rollup_funnel")
@app.task(name="referrals.rollup_funnel", queueing_lock="rollup_funnel")
def rollup_funnel(timestamp: int) -> None:
    connections_refresh()
    funnel_rollup()


@app.periodic(cron="45 3 * * *", periodic_id="purge_visitor_data")
@app.task(name="referrals.purge_visitor_data", queueing_lock="purge_visitor_data")
def purge_visitor_data(timestamp: int) -> None:
    connections_refresh()
    visitor_data_purge(older_than_days=settings.VISITOR_DATA_RETENTION_DAYS)
