"""The review queue: its filters and its order, shared by the API's queue, its CSV export,
the admin's changelist and (the day bounds) the funnel report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils import timezone

from backend.api.moments import EARLIEST_DAY, LATEST_DAY
from referrals.models import REVIEW_RANK, Attribution

# The queue's order: attributions that need review first, then newest first. The rank is
# the model's `REVIEW_RANK`, the expression the queue index (`referrals_attr_queue_idx`)
# is built on; everything in ops that orders or pages the queue starts from this.
QUEUE_ORDER: tuple[OrderBy, ...] = (REVIEW_RANK.desc(), F("created_at").desc(), F("id").desc())
# With a status filter the rank is constant: newest first.
NEWEST_FIRST: tuple[OrderBy, ...] = QUEUE_ORDER[1:]

# Dates outside this span are clamped: nothing happened before, and the clamp keeps day
# arithmetic and time zones clear of the calendar's ends.
EARLIEST = EARLIEST_DAY
LATEST = LATEST_DAY


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) in the current time zone covering the days `first` to `last`."""
    first = min(max(first, EARLIEST), LATEST)
    last = min(max(last, EARLIEST), LATEST)
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )


@dataclass(frozen=True)
class QueueFilters:
    """Each set field narrows the queue; dates are days of the sign-up, inclusive."""

    status: str | None = None
    reason: str | None = None
    department: str | None = None
    team: str | None = None
    campaign: int | None = None
    channel: str | None = None
    sales_channel: str | None = None
    employee: int | None = None
    occurred_from: date | None = None
    occurred_to: date | None = None

    @property
    def review_first(self) -> bool:
        """Without a status filter the queue puts attributions that need review first."""
        return self.status is None

    @property
    def order(self) -> tuple[OrderBy, ...]:
        return QUEUE_ORDER if self.review_first else NEWEST_FIRST


def reason_or_signal(reason: str) -> Q:
    """Attributions with this reason, or with it among their review signals."""
    if connection.vendor == "postgresql":
        return Q(reason=reason) | Q(review_signals__contains=[reason])
    # SQLite (the demo) has no JSON containment: match the quoted name in the JSON text.
    return Q(reason=reason) | Q(review_signals__icontains=f'"{reason}"')


def attributions_filtered(filters: QueueFilters) -> QuerySet[Attribution]:
    """The attributions the filters let through, unordered."""
    queryset = Attribution.objects.all()
    exact = {
        "status": filters.status,
        "employee__department": filters.department,
        "employee__team": filters.team,
        "code__campaign_id": filters.campaign,
        "share__channel": filters.channel,
        "signup__sales_channel": filters.sales_channel,
        "employee_id": filters.employee,
    }
    queryset = queryset.filter(
        **{name: value for name, value in exact.items() if value is not None}
    )
    if filters.reason is not None:
        queryset = queryset.filter(reason_or_signal(filters.reason))
    if filters.occurred_from or filters.occurred_to:
        start, end = day_bounds(filters.occurred_from or EARLIEST, filters.occurred_to or LATEST)
        queryset = queryset.filter(occurred_at__gte=start, occurred_at__lt=end)
    return queryset


# What the queue shows of each attribution (`apis.serializers.OpsAttributionSerializer`).
QUEUE_RELATED = ("signup", "employee", "code", "code__campaign", "share", "article")


def attributions_for_queue(ids: list[int]) -> list[Attribution]:
    """These attributions, in this order, with what the queue shows of them (one query,
    and one to set the join order); an id that no longer exists is left out."""
    with joins_as_written():
        found = Attribution.objects.select_related(*QUEUE_RELATED).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


@contextmanager
def joins_as_written() -> Iterator[None]:
    """Runs the block's queries with their joins in the order written, on PostgreSQL.

    For reading attributions by primary key with what they point to, every join is a
    primary-key lookup from the attribution, so the written order is the best plan; left
    to choose, PostgreSQL spends longer weighing the orders of the seven tables (8 to 20 ms
    at 100,000 attributions, EXPLAIN ANALYZE) than running the query (1 to 2 ms). The
    setting lasts until the block's transaction ends; inside a caller's transaction it
    is left alone, rather than changing the plans of the caller's later queries."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit = 1")
        yield
