"""The plausible range of every date and moment the API accepts.

An implausible timestamp is a client bug (.NET's `DateTime.MinValue`, a zeroed field, a
local time without its zone), and stored it breaks what counts with it: windows,
withdrawal periods, reports that start in year 1. So every timestamp that enters the
system goes through one of these fields:

- nothing before `EARLIEST` (2000-01-01, UTC): the product did not exist;
- an *event* (a sign-up, an activation, a cancellation) has happened: it may be at most
  `CLOCK_SKEW_SECONDS` ahead of our clock (other systems' clocks run a little fast);
- a *planned* moment or day (an article's `verified_until`, an outage notice, the end of
  a report range) may lie up to `PLANNING_HORIZON` ahead;
- a date-time must carry its time zone (`Z` or `+01:00`): a bare local time is refused
  rather than guessed.

Out of range is a 400 naming the field (`too_early`, `in_future`, `too_far`,
`timezone_required`). `shifted` does date arithmetic on stored values that can never
overflow, for rows stored before these rules existed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
EARLIEST_DAY = EARLIEST.date()
# verified_until may be set up to KNOWLEDGE_VERIFY_MAX_DAYS (730) ahead; a little more.
PLANNING_HORIZON = timedelta(days=800)
LATEST_DAY = date(2100, 12, 31)


def clock_skew() -> timedelta:
    """How far the clocks of systems that report events to us may run ahead of ours."""
    return timedelta(seconds=settings.CLOCK_SKEW_SECONDS)


def shifted(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, pinned to the calendar's ends instead of raising OverflowError."""
    try:
        return moment + delta
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC) if delta > timedelta(0) else EARLIEST


MESSAGES: dict[str, StrOrPromise] = {
    "timezone_required": "Give the time zone, e.g. 2026-03-01T09:30:00Z or +01:00.",
    "too_early": "Must not be before 2000-01-01.",
    "in_future": "Must not be in the future.",
    "too_far": f"Must not be more than {PLANNING_HORIZON.days} days ahead.",
}


def moment_refusal(value: datetime, *, planned: bool) -> str | None:
    """The code (a key of MESSAGES) for an aware moment outside the plausible range."""
    if value < EARLIEST:
        return "too_early"
    ahead = value - timezone.now()
    if planned and ahead > PLANNING_HORIZON:
        return "too_far"
    if not planned and ahead > clock_skew():
        return "in_future"
    return None


def day_refusal(value: date) -> str | None:
    """The code (a key of MESSAGES) for a day outside the plausible range."""
    if value < EARLIEST_DAY:
        return "too_early"
    if (value - timezone.localdate()).days > PLANNING_HORIZON.days:
        return "too_far"
    return None


class AwareDateTimeField(serializers.DateTimeField):
    """A date-time with its time zone: a bare local time is refused, never guessed. For
    moments whose range a service checks itself (a campaign's period)."""

    default_error_messages = MESSAGES

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            self.fail("timezone_required")
        return super().enforce_timezone(value)


class PlausibleDateTimeField(AwareDateTimeField):
    """A date-time with its time zone, not before 2000, and not ahead of now by more than
    the clock skew (an event) or the planning horizon (`planned=True`)."""

    def __init__(self, *, planned: bool = False, **kwargs: Any) -> None:
        self.planned = planned
        super().__init__(**kwargs)

    def enforce_timezone(self, value: datetime) -> datetime:
        # DRF calls this on every parsed value; the range is checked before the value is
        # moved to the local zone, which would overflow at the calendar's ends.
        if timezone.is_naive(value):
            self.fail("timezone_required")
        refusal = moment_refusal(value, planned=self.planned)
        if refusal:
            self.fail(refusal)
        return super().enforce_timezone(value)


class PlausibleDateField(serializers.DateField):
    """A day not before 2000-01-01 and at most the planning horizon ahead."""

    default_error_messages = MESSAGES

    def to_internal_value(self, value: Any) -> date:
        day: date = super().to_internal_value(value)
        refusal = day_refusal(day)
        if refusal:
            self.fail(refusal)
        return day
