"""The funnel report: shares → visits → sign-ups → attributed → confirmed, per period or
per department, team, campaign, share channel or answer, and the answers that convert.

Each stage counts what happened in the period by its own date (a share when it was
created, a visit on its day, a sign-up when it occurred); statuses are the attribution's
status now. A fixed number of grouped queries, whatever the period or grouping.

Shares and visits of days that are over come from the daily rollup (`rollup_funnel`,
scheduled); the days after it from the raw tables. Attributions are counted live (their
status changes), from an index on their sign-up time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import Trunc

from backend.accounts.models import Employee
from knowledge.models import Article
from referrals.models import (
    Attribution,
    AttributionStatus,
    Campaign,
    FunnelDaily,
    FunnelDimension,
    Share,
    ShareChannel,
    Visit,
)
from referrals.ops.filters import day_bounds
from referrals.ops.rollup import CREDITED, EXPIRED, decode_key, funnel_rolled_until

TIME_GROUPS = ("day", "week", "month")
GROUPS = (*TIME_GROUPS, "department", "team", "campaign", "channel", "article", "employee")
TOP_ARTICLES = 10
STATUS_COUNTS = ("pending", "needs_review", "confirmed", "rejected", "reversed")
_METRICS = ("shares", "visits", "signups", "attributed", *STATUS_COUNTS, "expired")


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

    def add(self, other: FunnelRow) -> None:
        for name in _METRICS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ArticleConversion:
    slug: str
    title: str
    language: str
    shares: int
    confirmed: int

    @property
    def confirmed_per_share(self) -> float | None:
        return _rate(self.confirmed, self.shares)


@dataclass
class FunnelReport:
    start: date
    end: date
    group_by: str
    rows: list[FunnelRow]
    totals: FunnelRow
    top_articles: list[ArticleConversion] = field(default_factory=list)


# Per grouping, the path from a share to the grouped value (visits and attributions
# reach the share's values through their own paths below).
_SHARE_PATHS = {
    "department": ["employee__department"],
    "team": ["employee__department", "employee__team"],
    "campaign": ["code__campaign"],
    "channel": ["channel"],
    "article": ["article"],
    "employee": ["employee"],
}
_ATTRIBUTION_PATHS = {**_SHARE_PATHS, "channel": ["share__channel"]}


def _grouped(
    queryset: QuerySet[Any], group_by: str, moment: str, paths: dict[str, list[str]], **counts: Any
) -> list[dict[str, Any]]:
    if group_by in TIME_GROUPS:
        names = ["period"]
        queryset = queryset.annotate(period=Trunc(moment, group_by, output_field=DateField()))
    else:
        names = paths[group_by]
    return list(queryset.values(*names).annotate(**counts).order_by())


def _rolled_up(first: date, until: date, group_by: str) -> dict[Any, dict[str, int]]:
    """Every count of the rolled-up days [first, until), keyed like the live rows."""
    rolled = FunnelDaily.objects.filter(day__gte=first, day__lt=until)
    if group_by in TIME_GROUPS:
        grouped = (
            rolled.filter(dimension=FunnelDimension.ALL)
            .annotate(period=Trunc("day", group_by, output_field=DateField()))
            .values("period")
        )
    else:
        grouped = rolled.filter(dimension=group_by).values("key")
    sums = {name: Sum(name) for name in _METRICS}
    return {
        found["period"] if group_by in TIME_GROUPS else decode_key(group_by, found["key"]): {
            name: found[name] for name in _METRICS
        }
        for found in grouped.annotate(**sums).order_by()
    }


def _key(group_by: str, row: dict[str, Any], paths: dict[str, list[str]]) -> Any:
    if group_by in TIME_GROUPS:
        return row["period"]
    values = tuple(row[name] for name in paths[group_by])
    if group_by == "team":
        return None if values == (None, None) else values
    return values[0] if values[0] not in ("",) else None


def _labeller(group_by: str, keys: set[Any]) -> Callable[[Any], tuple[str | None, str]]:
    """Turns a group's raw key into the (key, label) the report shows."""
    if group_by == "month":
        return lambda k: (k.isoformat(), k.strftime("%Y-%m"))
    if group_by == "week":
        return lambda k: (k.isoformat(), "{}-W{:02d}".format(*k.isocalendar()[:2]))
    if group_by == "day":
        return lambda k: (k.isoformat(), k.isoformat())
    if group_by == "campaign":
        names = dict(Campaign.objects.filter(pk__in=keys).values_list("pk", "name"))
        return lambda k: (str(k), names.get(k, "")) if k else (None, "(no campaign)")
    if group_by == "article":
        found = {a.pk: a for a in Article.objects.filter(pk__in=keys).only("slug", "title")}
        return lambda k: (found[k].slug, found[k].title) if k in found else (None, "(no answer)")
    if group_by == "employee":  # sales ops see everyone, ranking opt-outs included
        people = dict(Employee.objects.filter(pk__in=keys).values_list("pk", "display_name"))
        return lambda k: (str(k), people.get(k, "")) if k else (None, "(no employee)")
    if group_by == "channel":
        labels = dict(ShareChannel.choices)
        return lambda k: (k, labels.get(k, k)) if k else (None, "(no share link)")
    if group_by == "team":
        return lambda k: (f"{k[0]} / {k[1]}", f"{k[0]} / {k[1]}") if k else (None, "(none)")
    return lambda k: (k, k) if k else (None, "(none)")


def funnel_report(*, start: date, end: date, group_by: str) -> FunnelReport:
    first, after = day_bounds(start, end)
    rows: dict[Any, FunnelRow] = {}

    def row(key: Any) -> FunnelRow:
        return rows.setdefault(key, FunnelRow(key=None))

    live_from = first
    if start <= end:
        rolled_until = funnel_rolled_until()
        if rolled_until is not None and first.date() < rolled_until:
            split = min(rolled_until, after.date())
            for key, counts in _rolled_up(first.date(), split, group_by).items():
                target = row(key)
                for name in _METRICS:
                    setattr(target, name, getattr(target, name) + counts[name])
            live_from = max(first, datetime.combine(split, time.min, tzinfo=first.tzinfo))
    if live_from < after:
        shares = Share.objects.filter(created_at__gte=live_from, created_at__lt=after)
        for found in _grouped(shares, group_by, "created_at", _SHARE_PATHS, n=Count("id")):
            row(_key(group_by, found, _SHARE_PATHS)).shares += found["n"]
        visit_paths = {name: [f"share__{p}" for p in ps] for name, ps in _SHARE_PATHS.items()}
        visits = Visit.objects.filter(day__gte=live_from.date(), day__lt=after.date())
        for found in _grouped(visits, group_by, "day", visit_paths, n=Count("id")):
            row(_key(group_by, found, visit_paths)).visits += found["n"]
        attributions = Attribution.objects.filter(occurred_at__gte=live_from, occurred_at__lt=after)
        status_counts = {
            name: Count("id", filter=Q(status=AttributionStatus(name))) for name in STATUS_COUNTS
        }
        for found in _grouped(
            attributions,
            group_by,
            "occurred_at",
            _ATTRIBUTION_PATHS,
            signups=Count("id"),
            attributed=Count("id", filter=CREDITED),
            expired=Count("id", filter=EXPIRED),
            **status_counts,
        ):
            target = row(_key(group_by, found, _ATTRIBUTION_PATHS))
            for name in ("signups", "attributed", *STATUS_COUNTS, "expired"):
                setattr(target, name, getattr(target, name) + found[name])

    label = _labeller(group_by, {key for key in rows if key is not None})
    totals = FunnelRow(key=None, label="Total")
    result = []
    for raw, found in rows.items():
        found.key, found.label = label(raw) if raw is not None else (None, label(None)[1])
        totals.add(found)
        result.append((raw, found))
    if group_by in TIME_GROUPS:
        result.sort(key=lambda pair: pair[0])
    else:
        result.sort(key=lambda p: (p[1].key is None, -p[1].confirmed, -p[1].signups, p[1].label))
    return FunnelReport(
        start=start,
        end=end,
        group_by=group_by,
        rows=[found for _, found in result],
        totals=totals,
        top_articles=_top_articles(first, after, live_from) if start <= end else [],
    )


def _top_articles(first: datetime, after: datetime, live_from: datetime) -> list[ArticleConversion]:
    """The answers whose shares led to the most confirmed sign-ups in the period, from
    the rollup for its rolled-up days and the raw tables for the rest."""
    rolled = FunnelDaily.objects.filter(
        dimension=FunnelDimension.ARTICLE, day__gte=first.date(), day__lt=live_from.date()
    ).exclude(key="")
    live_attributions = Attribution.objects.filter(
        status=AttributionStatus.CONFIRMED,
        article__isnull=False,
        occurred_at__gte=live_from,
        occurred_at__lt=after,
    )
    confirmed: Counter[int] = Counter()
    if first < live_from:
        for found in (
            rolled.filter(confirmed__gt=0).values("key").annotate(n=Sum("confirmed")).order_by()
        ):
            confirmed[int(found["key"])] += found["n"]
    if live_from < after:
        for found in live_attributions.values("article_id").annotate(n=Count("id")).order_by():
            confirmed[found["article_id"]] += found["n"]
    top = sorted(confirmed.items(), key=lambda pair: -pair[1])[: TOP_ARTICLES * 2]
    articles = {
        article.pk: article
        for article in Article.objects.filter(pk__in=[pk for pk, _ in top]).only(
            "slug", "title", "language"
        )
    }
    ranked = sorted(
        ((n, articles[pk]) for pk, n in top if pk in articles),
        key=lambda pair: (-pair[0], pair[1].slug),
    )[:TOP_ARTICLES]
    shares: Counter[int] = Counter()
    chosen = [article.pk for _, article in ranked]
    if chosen and first < live_from:
        for found in (
            rolled.filter(key__in=[str(pk) for pk in chosen])
            .values("key")
            .annotate(n=Sum("shares"))
            .order_by()
        ):
            shares[int(found["key"])] += found["n"]
    if chosen and live_from < after:
        for found in (
            Share.objects.filter(
                article_id__in=chosen, created_at__gte=live_from, created_at__lt=after
            )
            .values("article_id")
            .annotate(n=Count("id"))
            .order_by()
        ):
            shares[found["article_id"]] += found["n"]
    return [
        ArticleConversion(
            slug=article.slug,
            title=article.title,
            language=article.language,
            shares=shares[article.pk],
            confirmed=n,
        )
        for n, article in ranked
    ]
