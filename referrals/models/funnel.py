"""The funnel report's daily rollup."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class FunnelDimension(models.TextChoices):
    ALL = "all", "All"
    DEPARTMENT = "department", "Department"
    TEAM = "team", "Team"
    CAMPAIGN = "campaign", "Campaign"
    CHANNEL = "channel", "Share channel"
    ARTICLE = "article", "Answer"
    EMPLOYEE = "employee", "Employee"


class FunnelDaily(models.Model):
    """Shares, visits and attributions of one day, per value of one report dimension, for
    days that are over. Built by `manage.py rollup_funnel`; the funnel report reads it for
    those days and the raw tables for the days after.

    `key` is the dimension's value as text: a department name, "department<TAB>team", a
    campaign or article id, a channel, or "" for none (and for dimension `all`).
    """

    day = models.DateField()
    dimension = models.CharField(max_length=12, choices=FunnelDimension.choices)
    key = models.CharField(max_length=250, blank=True)
    shares = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    # Attributions by the day their sign-up occurred, with their status as of the rollup;
    # a later run counts again every day whose attributions changed since.
    signups = models.PositiveIntegerField(default=0)
    attributed = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    needs_review = models.PositiveIntegerField(default=0)
    confirmed = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    reversed = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "day", "key"], name="referrals_funneldaily_unique_key"
            ),
        ]
        indexes = [
            # "Answers that convert" reads only the rows with confirmed sign-ups, and from
            # the index alone (PostgreSQL: index-only scan; a year is ~5,000 entries
            # scattered over as many table pages).
            models.Index(
                fields=["dimension", "day"],
                include=["key", "confirmed"],
                condition=Q(confirmed__gt=0),
                name="referrals_funneldaily_conf_idx",
            ),
            # The shares of a few chosen answers over a period, from the index alone.
            models.Index(
                fields=["dimension", "key", "day"],
                include=["shares"],
                name="referrals_funneldaily_key_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key}"


class FunnelRollup(models.Model):
    """How far FunnelDaily reaches: every day before `rolled_until` is in it (none while
    it is null). One row."""

    rolled_until = models.DateField(null=True, blank=True)
    # When the last run began: attributions changed since are counted again next run.
    checked_at = models.DateTimeField(null=True, blank=True)
    # Set in every transaction that changes FunnelDaily: with `rolled_until` it names the
    # rollup's state, under which reports cache what they read of it.
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"funnel rolled up until {self.rolled_until}"
