"""Reads of campaigns: running ones for employees, every one for sales ops."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from backend.api.errors import NotFound
from referrals.models import Campaign

STATES = ("running", "upcoming", "ended")


def campaigns_running() -> QuerySet[Campaign]:
    now = timezone.now()
    return Campaign.objects.filter(starts_at__lte=now, ends_at__gt=now)


def campaigns_for_ops(*, state: str | None = None) -> QuerySet[Campaign]:
    now = timezone.now()
    if state == "running":
        return campaigns_running()
    if state == "upcoming":
        return Campaign.objects.filter(starts_at__gt=now)
    if state == "ended":
        return Campaign.objects.filter(ends_at__lte=now)
    return Campaign.objects.all()


def campaign_get(*, campaign_id: int) -> Campaign:
    found = Campaign.objects.filter(pk=campaign_id).first()
    if found is None:
        raise NotFound("No campaign has this id.", code="campaign_not_found")
    return found
