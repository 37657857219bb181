"""The funnel rollup: per day that is over and per report dimension, the shares, visits
and attributions (by their status), so that the funnel report reads a few hundred rows
instead of a million visits.

Shares and visits never change once their day is over, so each day is counted once.
Attributions do change (decisions, confirmation, withdrawal, late deliveries): every run
also counts again each rolled-up day whose attributions changed since the last run, found
through `Attribution.updated_at`. Between runs the statuses of rolled-up days are as of
the last run; schedule `manage.py rollup_funnel` often (every few minutes is cheap).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from backend.api.moments import EARLIEST_DAY
from referrals.models import Attribution, FunnelDaily, FunnelRollup, Share, Visit
from referrals.ops.funnel import (
    ATTRIBUTION_COUNTS,
    ATTRIBUTION_PATHS,
    CREDITED,
    EXPIRED,
    SHARE_PATHS,
    STATUS_COUNTS,
    VISIT_PATHS,
    encode_key,
)

DAYS_PER_TRANSACTION = 31
# Transactions that began before a run but commit after it are seen by the next run.
CHANGE_MARGIN = timedelta(minutes=5)

Counts = dict[tuple[date, str, str], dict[str, int]]


@dataclass(frozen=True)
class RollupResult:
    rolled_until: date | None
    days_added: int
    days_recounted: int


def funnel_rollup(*, today: date | None = None, rebuild: bool = False) -> RollupResult:
    """Adds every day from the last rolled-up one (or the first with data) to yesterday,
    then counts again the attributions of rolled-up days that changed since the last run.

    Idempotent and safe to run from several places at once: the FunnelRollup row is
    locked for each step, and each batch of days is replaced whole in one transaction.
    """
    today = today or timezone.localdate()
    started = timezone.now()
    FunnelRollup.objects.get_or_create(pk=1)
    since = _rollup_start(today=today, rebuild=rebuild)
    added = 0
    while (batch := _rollup_next_days(today=today)) is not None:
        added += batch
    with transaction.atomic():
        state = _locked_state()
        recounted = 0
        if since is not None and state.rolled_until is not None:
            changed = _changed_days(since - CHANGE_MARGIN, before=state.rolled_until)
            _replace_days(changed, with_shares_and_visits=False)
            recounted = len(changed)
        state.checked_at = started
        state.updated_at = timezone.now()
        state.save(update_fields=["checked_at", "updated_at"])
    return RollupResult(rolled_until=state.rolled_until, days_added=added, days_recounted=recounted)


def _locked_state() -> FunnelRollup:
    """Holds a FOR UPDATE lock on the one FunnelRollup row until the transaction ends."""
    return FunnelRollup.objects.select_for_update().get(pk=1)


def _rollup_start(*, today: date, rebuild: bool) -> datetime | None:
    """Starts the rollup over when asked or never run; returns since when attributions
    may have changed on rolled-up days (None: nothing rolled up to recount)."""
    with transaction.atomic():
        state = _locked_state()
        since = None if rebuild else state.checked_at
        if rebuild or state.rolled_until is None:
            FunnelDaily.objects.all().delete()
            state.rolled_until = _first_day_with_data() or today
            state.updated_at = timezone.now()
            state.save(update_fields=["rolled_until", "updated_at"])
    return since


def _rollup_next_days(*, today: date) -> int | None:
    """Rolls up the next batch of days before `today` in one transaction; returns how
    many, or None once every day before `today` is rolled up."""
    with transaction.atomic():
        state = _locked_state()
        first = state.rolled_until
        if first is None or first >= today:
            return None
        end = min(first + timedelta(days=DAYS_PER_TRANSACTION), today)
        _replace_days(_days(first, end), with_shares_and_visits=True)
        state.rolled_until = end
        state.updated_at = timezone.now()
        state.save(update_fields=["rolled_until", "updated_at"])
    return (end - first).days


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days)]


def _first_day_with_data() -> date | None:
    days = [
        Share.objects.aggregate(first=Min(TruncDate("created_at")))["first"],
        Visit.objects.aggregate(first=Min("day"))["first"],
        Attribution.objects.aggregate(first=Min(TruncDate("occurred_at")))["first"],
    ]
    found = [day for day in days if day is not None]
    # Rows from before dates were range-checked must not start the count in year 1.
    return max(min(found), EARLIEST_DAY) if found else None


def _changed_days(since: datetime, *, before: date) -> list[date]:
    """The rolled-up days (before `before`) of attributions changed since `since`."""
    limit = datetime.combine(before, time.min, tzinfo=timezone.get_current_timezone())
    days = (
        Attribution.objects.filter(updated_at__gte=since, occurred_at__lt=limit)
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day", flat=True)
        .distinct()
    )
    return sorted(days)


def _replace_days(days: list[date], *, with_shares_and_visits: bool) -> None:
    """Counts the given days again; without shares and visits only the attribution
    columns are replaced (shares and visits of a day that is over never change)."""
    if not days:
        return
    counts: Counts = {}
    if with_shares_and_visits:
        _count_shares_and_visits(days[0], days[-1] + timedelta(days=1), counts)
    _count_attributions(days, counts)
    rows = [
        FunnelDaily(day=day, dimension=dimension, key=key, **metrics)
        for (day, dimension, key), metrics in sorted(counts.items())
    ]
    if with_shares_and_visits:
        FunnelDaily.objects.filter(day__in=days).delete()
        FunnelDaily.objects.bulk_create(rows, batch_size=5000)
        return
    FunnelDaily.objects.filter(day__in=days).update(**dict.fromkeys(ATTRIBUTION_COUNTS, 0))
    FunnelDaily.objects.bulk_create(
        rows,
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["dimension", "day", "key"],
        update_fields=list(ATTRIBUTION_COUNTS),
    )


def _entry(counts: Counts, day: date, dimension: str, key: str) -> dict[str, int]:
    return counts.setdefault((day, dimension, key), {})


def _count_shares_and_visits(start: date, end: date, counts: Counts) -> None:
    zone = timezone.get_current_timezone()
    shares = Share.objects.filter(created_at__date__gte=start, created_at__date__lt=end).annotate(
        day=TruncDate("created_at", tzinfo=zone)
    )
    visits = Visit.objects.filter(day__gte=start, day__lt=end)
    for dimension in SHARE_PATHS:
        for metric, queryset, names in (
            ("shares", shares, SHARE_PATHS[dimension]),
            ("visits", visits, VISIT_PATHS[dimension]),
        ):
            for found in queryset.values("day", *names).annotate(n=Count("id")).order_by():
                key = encode_key(dimension, tuple(found[name] for name in names))
                entry = _entry(counts, found["day"], dimension, key)
                entry[metric] = entry.get(metric, 0) + found["n"]


def _count_attributions(days: Iterable[date], counts: Counts) -> None:
    zone = timezone.get_current_timezone()
    attributions = Attribution.objects.filter(occurred_at__date__in=list(days)).annotate(
        day=TruncDate("occurred_at", tzinfo=zone)
    )
    totals = {
        "signups": Count("id"),
        "attributed": Count("id", filter=CREDITED),
        **{name: Count("id", filter=Q(status=name)) for name in STATUS_COUNTS},
        "expired": Count("id", filter=EXPIRED),
    }
    for dimension, names in ATTRIBUTION_PATHS.items():
        for found in attributions.values("day", *names).annotate(**totals).order_by():
            key = encode_key(dimension, tuple(found[name] for name in names))
            entry = _entry(counts, found["day"], dimension, key)
            for name in ATTRIBUTION_COUNTS:
                entry[name] = entry.get(name, 0) + found[name]
