"""Campaigns set up by sales ops, with the perk the friend gets."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


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

    def is_running(self, at: object = None) -> bool:
        moment = at or timezone.now()
        return self.starts_at <= moment < self.ends_at  # type: ignore[operator]

    def perk(self, language: str) -> str:
        return self.friend_perk_nl if language == "nl" else self.friend_perk_en
