"""Campaigns set up by sales ops, with the perk the friend gets."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from django.db import models
from django.db.models import Q
from django.utils import timezone


class CampaignTerms(Protocol):
    """What the friend's page needs of a campaign: a `Campaign`, or the landing page's
    `referrals.sql.CampaignPerk`."""

    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def friend_perk_nl(self) -> str: ...
    @property
    def friend_perk_en(self) -> str: ...


def campaign_is_running(campaign: CampaignTerms, at: datetime | None = None) -> bool:
    moment = at or timezone.now()
    return campaign.starts_at <= moment < campaign.ends_at


def campaign_perk(campaign: CampaignTerms, language: str) -> str:
    return campaign.friend_perk_nl if language == "nl" else campaign.friend_perk_en


class Campaign(models.Model):
    """Set up by sales ops: a period and the perk the friend gets (never money for the
    employee). Codes may be tied to a campaign; its perk shows on the landing page."""

    name = models.CharField(max_length=100, unique=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    friend_perk_nl = models.CharField(
        "friend's perk (Dutch)", max_length=200, help_text="e.g. 'Eerste maand gratis'"
    )
    friend_perk_en = models.CharField(
        "friend's perk (English)", max_length=200, help_text="e.g. 'First month free'"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="referrals_campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_running(self, at: datetime | None = None) -> bool:
        return campaign_is_running(self, at)

    def perk(self, language: str) -> str:
        return campaign_perk(self, language)
