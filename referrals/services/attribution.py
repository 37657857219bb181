"""Attribution status changes. Every change bumps `version`, writes an AttributionEvent
and keeps the live-customer rows (the duplicate-customer guard) in step with the status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from backend.accounts.models import Employee
from backend.api.errors import Conflict
from referrals.models import (
    LIVE_STATUSES,
    Attribution,
    AttributionEvent,
    AttributionStatus,
    LiveCustomer,
)
from referrals.services.announce import attribution_changed_announce


def withdrawal_period() -> timedelta:
    return timedelta(days=settings.WITHDRAWAL_DAYS)


def attribution_event(
    attribution: Attribution,
    *,
    to_status: str,
    reason: str,
    at: datetime,
    actor: Employee | None = None,
    note: str = "",
    from_status: str | None = None,
) -> AttributionEvent:
    """An unsaved event for a change of `attribution` to `to_status`."""
    return AttributionEvent(
        attribution=attribution,
        actor=actor,
        from_status=attribution.status if from_status is None else from_status,
        to_status=to_status,
        reason=reason,
        note=note,
        at=at,
    )


def live_customer_rows(attribution: Attribution) -> list[LiveCustomer]:
    return [
        LiveCustomer(value_hash=value_hash, kind=kind, attribution=attribution)
        for kind, value_hash in sorted(attribution.signup.customer_hashes().items())
    ]


def _live_customers_follow(attribution: Attribution, to_status: str) -> None:
    """Entering a live status claims the customer's hashes (Conflict `duplicate_customer`
    when another live attribution holds one, writing nothing); leaving releases them."""
    was_live = attribution.status in LIVE_STATUSES
    will_be_live = to_status in LIVE_STATUSES
    if will_be_live and not was_live:
        try:
            with transaction.atomic():
                LiveCustomer.objects.bulk_create(live_customer_rows(attribution))
        except IntegrityError:
            raise Conflict(
                "This customer already counts for a live attribution.",
                code="duplicate_customer",
            ) from None
    elif was_live and not will_be_live:
        LiveCustomer.objects.filter(attribution=attribution).delete()


def attribution_set_status(
    *,
    attribution: Attribution,
    to_status: str,
    reason: str,
    actor: Employee | None = None,
    note: str = "",
    at: datetime | None = None,
    reassign_to: Employee | None = None,
) -> Attribution:
    """Moves an attribution to `to_status` (and, with `reassign_to`, to another
    employee) and records the event.

    Precondition: the caller holds a FOR UPDATE lock on the attribution inside a
    transaction. Entering a live status claims the customer's hashes; when another live
    attribution holds one of them this raises Conflict(`duplicate_customer`) and writes
    nothing. Leaving the live statuses releases them.
    """
    at = at or timezone.now()
    event = attribution_event(
        attribution, to_status=to_status, reason=reason, at=at, actor=actor, note=note
    )
    if reassign_to is not None:
        event.from_employee_id = attribution.employee_id
        event.to_employee = reassign_to
    with transaction.atomic():
        _live_customers_follow(attribution, to_status)
        if to_status == AttributionStatus.CONFIRMED and attribution.status != to_status:
            attribution.confirmed_at = at
        attribution.status = to_status
        attribution.reason = reason
        attribution.version += 1
        # The wall clock, not `at` (which may be an earlier moment, e.g. a cancellation):
        # the funnel rollup finds what changed since its last run by this.
        attribution.updated_at = timezone.now()
        fields = ["status", "reason", "version", "updated_at", "confirmed_at"]
        if reassign_to is not None:
            attribution.employee = reassign_to
            fields.append("employee")
        attribution.save(update_fields=fields)
        event.save()
        attribution_changed_announce(attribution, event)
    return attribution


def _move_batch(batch: Sequence[Attribution], *, to_status: str, reason: str, at: datetime) -> None:
    """Moves locked rows out of (or within) the live statuses in bulk, with their events.

    Precondition: the caller holds FOR UPDATE locks on `batch` inside a transaction."""
    leaving = [a.pk for a in batch if a.status in LIVE_STATUSES and to_status not in LIVE_STATUSES]
    if leaving:
        LiveCustomer.objects.filter(attribution_id__in=leaving).delete()
    events = []
    for attribution in batch:
        events.append(attribution_event(attribution, to_status=to_status, reason=reason, at=at))
        attribution.status = to_status
        attribution.reason = reason
        attribution.version += 1
        attribution.updated_at = timezone.now()
        if to_status == AttributionStatus.CONFIRMED:
            attribution.confirmed_at = at
    Attribution.objects.bulk_update(
        batch, ["status", "reason", "version", "updated_at", "confirmed_at"]
    )
    AttributionEvent.objects.bulk_create(events)
    for attribution, event in zip(batch, events, strict=True):
        attribution_changed_announce(attribution, event)


def _in_chunks(
    due: QuerySet[Attribution], *, to_status: str, reason: str, at: datetime, chunk: int
) -> int:
    """Each chunk its own transaction, skipping rows another transaction holds (a
    decision in progress); the next run picks those up."""
    moved = 0
    while True:
        with transaction.atomic():
            batch: Sequence[Attribution] = list(
                due.select_for_update(skip_locked=True, of=("self",)).order_by("pk")[:chunk]
            )
            if not batch:
                return moved
            _move_batch(batch, to_status=to_status, reason=reason, at=at)
            moved += len(batch)


def attributions_finalize(*, now: datetime | None = None, chunk: int = 1000) -> int:
    """Confirms pending attributions whose sign-up was activated at least WITHDRAWAL_DAYS
    ago and not withdrawn. Idempotent: a second run finds nothing left to do."""
    now = now or timezone.now()
    due = Attribution.objects.filter(
        status=AttributionStatus.PENDING, signup__activated_at__lte=now - withdrawal_period()
    )
    return _in_chunks(
        due,
        to_status=AttributionStatus.CONFIRMED,
        reason="withdrawal_period_passed",
        at=now,
        chunk=chunk,
    )


def attributions_expire(*, now: datetime | None = None, chunk: int = 1000) -> int:
    """Reverses (`not_activated`) pending attributions whose sign-up occurred more than
    ACTIVATION_DAYS ago and was never activated nor cancelled: the friend never became a
    customer, so the customer's identifiers are freed for a later referral. Each gets an
    AttributionEvent. Idempotent: a second run finds nothing left to do."""
    now = now or timezone.now()
    due = Attribution.objects.filter(
        status=AttributionStatus.PENDING,
        signup__activated_at__isnull=True,
        signup__cancelled_at__isnull=True,
        signup__occurred_at__lte=now - timedelta(days=settings.ACTIVATION_DAYS),
    )
    return _in_chunks(
        due, to_status=AttributionStatus.REVERSED, reason="not_activated", at=now, chunk=chunk
    )
