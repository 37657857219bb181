"""The funnel report: shares → visits → sign-ups → attributed → confirmed, per period or
per department, team, campaign, share channel or answer, and the answers that convert.

Each stage counts what happened in the period by its own date (a share when it was
created, a visit on its day, a sign-up when it occurred); statuses are the attribution's
status now. A fixed number of grouped queries, whatever the period or grouping.

Days that are over come from the daily rollup (`services.rollup.funnel_rollup`,
scheduled), attributions included (as of its last run), kept in the shared cache until the
next run; the days after it from the raw tables. Row labels: `funnel_labels`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.cache import cache
from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import Trunc

from backend.api.cache import cache_outage_warning
from referrals.models import (
    Attribution,
    AttributionStatus,
    FunnelDaily,
    FunnelDimension,
    FunnelRollup,
    Share,
    Visit,
)
from referrals.ops.funnel import (
    ATTRIBUTION_COUNTS,
    ATTRIBUTION_PATHS,
    CREDITED,
    EXPIRED,
    GROUPS,
    METRICS,
    SHARE_PATHS,
    STATUS_COUNTS,
    TIME_GROUPS,
    VISIT_PATHS,
    decode_key,
)
from referrals.ops.selectors.funnel_articles import (
    ArticleConversion,
    RolledArticles,
    rolled_articles,
    top_articles,
)
from referrals.ops.selectors.funnel_labels import labeller
from referrals.ops.selectors.queue import day_bounds

logger = logging.getLogger(__name__)

__all__ = ["GROUPS", "ArticleConversion", "FunnelReport", "FunnelRow", "funnel_report"]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class FunnelRow:
    key: str | None
    label: str = ""
    shares: int = 0
    visits: int = 0
    signups: int = 0
    attributed: int = 0
    pending: int = 0
    needs_review: int = 0
    confirmed: int = 0
    rejected: int = 0
    reversed: int = 0
    expired: int = 0

    @property
    def visits_per_share(self) -> float | None:
        return _rate(self.visits, self.shares)

    @property
    def signups_per_visit(self) -> float | None:
        return _rate(self.signups, self.visits)

    @property
    def attribution_rate(self) -> float | None:
        return _rate(self.attributed, self.signups)

    @property
    def confirmation_rate(self) -> float | None:
        return _rate(self.confirmed, self.attributed)

    @property
    def notes(self) -> list[str]:
        """Why a ratio is above 1 (attributed and confirmed never exceed their base)."""
        notes = []
        if (self.visits_per_share or 0) > 1:
            notes.append("visits_per_share is above 1: a share is opened by several people.")
        if (self.signups_per_visit or 0) > 1:
            notes.append(
                "signups_per_visit is above 1: sign-ups with a typed code need no visit "
                "of a shared link."
            )
        return notes

    def add(self, counts: Mapping[str, Any], names: Iterable[str] = METRICS) -> None:
        for name in names:
            setattr(self, name, getattr(self, name) + counts[name])

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in METRICS}


@dataclass
class FunnelReport:
    start: date
    end: date
    group_by: str
    rows: list[FunnelRow]
    totals: FunnelRow
    top_articles: list[ArticleConversion] = field(default_factory=list)


class _Rows(dict[Any, FunnelRow]):
    """The report's rows by raw group key, created on first use."""

    def __missing__(self, key: Any) -> FunnelRow:
        row = self[key] = FunnelRow(key=None)
        return row


@dataclass(frozen=True)
class _Rolled:
    """The rolled-up days' part of a report: counts per raw group key, where the live
    count starts, and the rolled-up part of the answers that convert."""

    counts: dict[Any, dict[str, int]]
    live_from: datetime
    articles: RolledArticles


def funnel_report(*, start: date, end: date, group_by: str) -> FunnelReport:
    first, after = day_bounds(start, end)
    rows = _Rows()
    rolled = _rolled_part(first, after, group_by) if start <= end else None
    live_from = rolled.live_from if rolled else first
    for key, counts in (rolled.counts if rolled else {}).items():
        rows[key].add(counts)
    if live_from < after:
        _add_live(rows, live_from, after, group_by)
    ordered, totals = _labelled(rows, group_by)
    return FunnelReport(
        start=start,
        end=end,
        group_by=group_by,
        rows=ordered,
        totals=totals,
        top_articles=top_articles(rolled.articles, first, after, live_from) if rolled else [],
    )


_ROLLED_KEY = "referrals:funnel:rolled:v1"
# A rollup run changes the key; this only bounds how long an old state's entries linger.
_ROLLED_SECONDS = 3600


def _rolled_part(first: datetime, after: datetime, group_by: str) -> _Rolled:
    """The rolled-up part, which only changes when the rollup runs: kept in the shared
    cache under the rollup's state, so that between runs each period and grouping reads
    the rollup once. Without a cache (unreachable) it is read in the request."""
    state = FunnelRollup.objects.values_list("rolled_until", "updated_at").first()
    rolled_until, updated_at = state or (None, None)
    if rolled_until is None or updated_at is None or first.date() >= rolled_until:
        return _Rolled({}, first, RolledArticles())
    key = ":".join(
        [_ROLLED_KEY, str(rolled_until), f"{updated_at:%Y%m%d%H%M%S%f}", group_by]
        + [moment.isoformat() for moment in (first, after)]
    )
    try:
        found = cache.get(key)
    except Exception as exc:
        cache_outage_warning(logger, "funnel cache unavailable", exc)
        return _rolled_read(first, after, group_by, rolled_until)
    if isinstance(found, _Rolled):
        return found
    rolled = _rolled_read(first, after, group_by, rolled_until)
    try:
        cache.set(key, rolled, _ROLLED_SECONDS)
    except Exception as exc:
        cache_outage_warning(logger, "funnel cache unavailable", exc)
    return rolled


def _rolled_read(first: datetime, after: datetime, group_by: str, rolled_until: date) -> _Rolled:
    """The rolled-up days of [first, after), which start before `rolled_until`."""
    split = min(rolled_until, after.date())
    rolled = FunnelDaily.objects.filter(day__gte=first.date(), day__lt=split)
    sums = {name: Sum(name) for name in METRICS}
    counts: dict[Any, dict[str, int]] = {}
    if group_by in TIME_GROUPS:
        periods = (
            rolled.filter(dimension=FunnelDimension.ALL)
            .annotate(period=Trunc("day", group_by, output_field=DateField()))
            .values("period")
        )
        for period in periods.annotate(**sums).order_by():
            counts[period["period"]] = _metrics(period)
    else:
        keys = rolled.filter(dimension=group_by).values("key")
        for key in keys.annotate(**sums).order_by():
            counts[decode_key(group_by, key["key"])] = _metrics(key)
    live_from = max(first, datetime.combine(split, time.min, tzinfo=first.tzinfo))
    return _Rolled(counts, live_from, rolled_articles(first, live_from))


def _metrics(found: Mapping[str, Any]) -> dict[str, int]:
    return {name: found[name] for name in METRICS}


def _grouped(
    queryset: QuerySet[Any], group_by: str, moment: str, names: list[str], **counts: Any
) -> list[dict[str, Any]]:
    if group_by in TIME_GROUPS:
        names = ["period"]
        queryset = queryset.annotate(period=Trunc(moment, group_by, output_field=DateField()))
    return list(queryset.values(*names).annotate(**counts).order_by())


def _group_key(group_by: str, row: dict[str, Any], names: list[str]) -> Any:
    if group_by in TIME_GROUPS:
        return row["period"]
    values = tuple(row[name] for name in names)
    if group_by == FunnelDimension.TEAM:
        return None if values == (None, None) else values
    return values[0] if values[0] not in ("",) else None


def _add_live(rows: _Rows, live_from: datetime, after: datetime, group_by: str) -> None:
    """Adds the days after the rollup, counted from the raw tables."""
    shares = Share.objects.filter(created_at__gte=live_from, created_at__lt=after)
    names = SHARE_PATHS.get(group_by, [])
    # COUNT(*), not COUNT(id): by day alone the index on the day answers it without the
    # table (an index-only scan), and the last day is where the live count reads most.
    for found in _grouped(shares, group_by, "created_at", names, shares=Count("*")):
        rows[_group_key(group_by, found, names)].add(found, ["shares"])
    visits = Visit.objects.filter(day__gte=live_from.date(), day__lt=after.date())
    names = VISIT_PATHS.get(group_by, [])
    for found in _grouped(visits, group_by, "day", names, visits=Count("*")):
        rows[_group_key(group_by, found, names)].add(found, ["visits"])
    attributions = Attribution.objects.filter(occurred_at__gte=live_from, occurred_at__lt=after)
    names = ATTRIBUTION_PATHS.get(group_by, [])
    counts = {
        "signups": Count("id"),
        "attributed": Count("id", filter=CREDITED),
        "expired": Count("id", filter=EXPIRED),
        **{name: Count("id", filter=Q(status=AttributionStatus(name))) for name in STATUS_COUNTS},
    }
    for found in _grouped(attributions, group_by, "occurred_at", names, **counts):
        rows[_group_key(group_by, found, names)].add(found, ATTRIBUTION_COUNTS)


def _labelled(rows: _Rows, group_by: str) -> tuple[list[FunnelRow], FunnelRow]:
    """The rows with their shown key and label, in report order, and their totals."""
    label = labeller(group_by, {key for key in rows if key is not None})
    totals = FunnelRow(key=None, label="Total")
    for raw, row in rows.items():
        row.key, row.label = label(raw) if raw is not None else (None, label(None)[1])
        totals.add(row.counts())
    if group_by in TIME_GROUPS:
        return [rows[raw] for raw in sorted(rows)], totals
    ordered = sorted(
        rows.values(), key=lambda r: (r.key is None, -r.confirmed, -r.signups, r.label)
    )
    return ordered, totals
