"""How the funnel report names its rows: a period's label, or the department, team,
campaign, channel, answer or employee behind a group's raw key (one query at most)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backend.accounts.models import Employee
from knowledge.models import Article
from referrals.models import Campaign, FunnelDimension, ShareChannel

__all__ = ["Labeller", "labeller"]

Labeller = Callable[[Any], tuple[str | None, str]]


def labeller(group_by: str, keys: set[Any]) -> Labeller:
    """Turns a group's raw key into the (key, label) the report shows."""
    if group_by in _TIME_LABELS:
        return _TIME_LABELS[group_by]
    if group_by in _NAMED:
        return _NAMED[group_by](keys)
    if group_by == FunnelDimension.CHANNEL:
        labels = dict(ShareChannel.choices)
        return lambda k: (k, str(labels.get(k, k))) if k else (None, "(no share link)")
    if group_by == FunnelDimension.TEAM:
        return lambda k: (f"{k[0]} / {k[1]}", f"{k[0]} / {k[1]}") if k else (None, "(none)")
    return lambda k: (k, k) if k else (None, "(none)")


_TIME_LABELS: dict[str, Labeller] = {
    "month": lambda k: (k.isoformat(), k.strftime("%Y-%m")),
    "week": lambda k: (k.isoformat(), "{}-W{:02d}".format(*k.isocalendar()[:2])),
    "day": lambda k: (k.isoformat(), k.isoformat()),
}


def _campaigns(keys: set[Any]) -> Labeller:
    names = dict(Campaign.objects.filter(pk__in=keys).values_list("pk", "name"))
    return lambda k: (str(k), names.get(k, "")) if k else (None, "(no campaign)")


def _articles(keys: set[Any]) -> Labeller:
    found = {a.pk: a for a in Article.objects.filter(pk__in=keys).only("slug", "title")}
    return lambda k: (found[k].slug, found[k].title) if k in found else (None, "(no answer)")


def _employees(keys: set[Any]) -> Labeller:
    # Sales ops see everyone, ranking opt-outs included.
    people = dict(Employee.objects.filter(pk__in=keys).values_list("pk", "display_name"))
    return lambda k: (str(k), people.get(k, "")) if k else (None, "(no employee)")


_NAMED: dict[str, Callable[[set[Any]], Labeller]] = {
    FunnelDimension.CAMPAIGN: _campaigns,
    FunnelDimension.ARTICLE: _articles,
    FunnelDimension.EMPLOYEE: _employees,
}
