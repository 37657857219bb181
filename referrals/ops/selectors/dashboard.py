"""The sales ops dashboard in the admin: the funnel of the last 12 weeks as a chart drawn
on the server (an SVG in the page: no chart library, no CDN, nothing to load), the review
queue's size and age, and the answers that convert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from referrals.models import Attribution, AttributionStatus
from referrals.ops.selectors.funnel import ArticleConversion, FunnelRow, funnel_report

WEEKS = 12
STALE_REVIEW_DAYS = 7
# (metric, legend, colour): colours tell the lines apart; the table below the chart
# carries the same numbers for anyone who cannot.
SERIES = (
    ("shares", "Shares", "#5a2ca0"),
    ("visits", "Visits", "#1f77b4"),
    ("signups", "Sign-ups", "#d97706"),
    ("attributed", "Attributed", "#be185d"),
    ("confirmed", "Confirmed", "#15803d"),
)
WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


@dataclass(frozen=True)
class Series:
    name: str
    label: str
    color: str
    points: str  # SVG polyline points


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class FunnelChart:
    width: int
    height: int
    plot_bottom: int
    plot_right: int
    series: list[Series]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    weeks: list[FunnelRow]


@dataclass(frozen=True)
class ReviewQueue:
    size: int
    oldest_at: datetime | None
    oldest_days: int | None
    older_than_a_week: int


@dataclass(frozen=True)
class Dashboard:
    start: date
    end: date
    chart: FunnelChart
    totals: FunnelRow
    queue: ReviewQueue
    top_articles: list[ArticleConversion]


def _week_starts(today: date) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=WEEKS - 1 - n) for n in range(WEEKS)]


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 x 10^n at or above `value` (at least 5), for round ticks."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= max(value, 5):
                return factor * step
        step *= 10


def funnel_chart(weeks: list[FunnelRow], starts: list[date]) -> FunnelChart:
    top = _nice_ceiling(max((getattr(w, name) for w in weeks for name, *_ in SERIES), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(weeks) - 1, 1)

    def y(value: int) -> float:
        return round(TOP + plot_h - value / top * plot_h, 1)

    series = [
        Series(
            name=name,
            label=label,
            color=color,
            points=" ".join(
                f"{round(LEFT + i * step, 1)},{y(getattr(w, name))}" for i, w in enumerate(weeks)
            ),
        )
        for name, label, color in SERIES
    ]
    x_ticks = [Tick(round(LEFT + i * step, 1), s.strftime("%d %b")) for i, s in enumerate(starts)]
    y_ticks = [Tick(y(top // 5 * n), str(top // 5 * n)) for n in range(6)]
    return FunnelChart(
        WIDTH, HEIGHT, HEIGHT - BOTTOM, WIDTH - RIGHT, series, x_ticks, y_ticks, weeks
    )


def review_queue(*, now: datetime) -> ReviewQueue:
    """One query: how many attributions wait for review and since when."""
    week_ago = now - timedelta(days=STALE_REVIEW_DAYS)
    found = Attribution.objects.filter(status=AttributionStatus.NEEDS_REVIEW).aggregate(
        size=Count("id"),
        oldest=Min("created_at"),
        stale=Count("id", filter=Q(created_at__lt=week_ago)),
    )
    oldest = found["oldest"]
    return ReviewQueue(
        size=found["size"],
        oldest_at=oldest,
        oldest_days=(now - oldest).days if oldest else None,
        older_than_a_week=found["stale"],
    )


def dashboard_build(*, now: datetime | None = None) -> Dashboard:
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    starts = _week_starts(today)
    report = funnel_report(start=starts[0], end=today, group_by="week")
    by_week = {row.key: row for row in report.rows}
    weeks = [by_week.get(start.isoformat()) or FunnelRow(key=start.isoformat()) for start in starts]
    for week, start in zip(weeks, starts, strict=True):
        week.label = week.label or "{}-W{:02d}".format(*start.isocalendar()[:2])
    return Dashboard(
        start=starts[0],
        end=today,
        chart=funnel_chart(weeks, starts),
        totals=report.totals,
        queue=review_queue(now=moment),
        top_articles=report.top_articles,
    )
