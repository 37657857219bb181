"""The writers of new sign-ups: their rows, attributions, first events and live customers.

A few sign-ups go in with bulk_create; from COPY_FROM on, with COPY (PostgreSQL), whose
extra round trips for the ids pay off from there. Both write each table in key order, so
that concurrent calls queue on the same rows in the same order instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection

from referrals.models import LIVE_STATUSES, Attribution, AttributionEvent, LiveCustomer, Signup
from referrals.services.announce import attributions_created_announce
from referrals.services.attribution import attribution_event, live_customer_rows
from referrals.services.signups.inputs import SignupInput
from referrals.services.signups.rules import Decision
from referrals.sql import ids_draw, rows_copy

# From this many sign-ups on, COPY beats INSERTs; below it its extra round trips cost more.
COPY_FROM = 20


def signup_row(*, source: str, item: SignupInput, now: datetime) -> Signup:
    hashes = item.customer_hashes
    return Signup(
        source=source,
        external_id=item.external_id,
        occurred_at=item.occurred_at,
        presented_code=item.code,
        share_token=item.share_token,
        email_hash=hashes.get("email", ""),
        phone_hash=hashes.get("phone", ""),
        account_hash=hashes.get("account", ""),
        product=item.product,
        sales_channel=item.sales_channel,
        is_new_customer=item.is_new_customer,
        payload_hash=item.payload_hash(),
        created_at=now,
    )


def _attribution_row(signup: Signup, decision: Decision, now: datetime) -> Attribution:
    code, share = decision.code, decision.share
    # Ids rather than objects: assigning related objects costs more than the insert.
    attribution = Attribution(
        signup=signup,
        employee_id=decision.employee_id,
        code_id=code.id if code else None,
        share_id=share.id if share else None,
        article_id=share.article_id if share else None,
        status=decision.status,
        reason=decision.reason,
        review_signals=decision.review_signals,
        trace=decision.trace,
        created_at=now,
        updated_at=now,
        occurred_at=signup.occurred_at,
    )
    signup.attribution = attribution
    return attribution


def signups_write(*, signups: list[Signup], decisions: Sequence[Decision], now: datetime) -> None:
    """Stores the sign-ups with an attribution each (from its decision, same order) and
    announces them. Sets the sign-ups' and attributions' primary keys; each sign-up gets
    its attribution as `.attribution`. Call inside the caller's transaction."""
    attributions = [
        _attribution_row(signup, decision, now)
        for signup, decision in zip(signups, decisions, strict=True)
    ]
    in_key_order = sorted(attributions, key=lambda a: a.signup.external_id)
    if connection.vendor == "postgresql" and len(signups) >= COPY_FROM:
        _copy_all(in_key_order, now)
    else:
        _insert_all(in_key_order, now)
    attributions_created_announce(attributions, now)


def _events(attributions: Sequence[Attribution], now: datetime) -> list[AttributionEvent]:
    return [
        attribution_event(a, to_status=a.status, reason=a.reason, at=now, from_status="")
        for a in attributions
    ]


def _live_customers(attributions: Sequence[Attribution]) -> list[LiveCustomer]:
    live = [row for a in attributions if a.status in LIVE_STATUSES for row in live_customer_rows(a)]
    return sorted(live, key=lambda row: row.value_hash)


def _insert_all(attributions: list[Attribution], now: datetime) -> None:
    Signup.objects.bulk_create([a.signup for a in attributions])
    Attribution.objects.bulk_create(attributions)
    AttributionEvent.objects.bulk_create(_events(attributions, now))
    LiveCustomer.objects.bulk_create(_live_customers(attributions))


def _copy_all(attributions: list[Attribution], now: datetime) -> None:
    """Ids drawn from the tables' sequences first (ascending, so in key order too), then
    one COPY per table."""
    signup_ids = ids_draw(model=Signup, count=len(attributions))
    attribution_ids = ids_draw(model=Attribution, count=len(attributions))
    for attribution, signup_id, pk in zip(attributions, signup_ids, attribution_ids, strict=True):
        attribution.signup.pk = signup_id
        attribution.pk = pk
        attribution.__dict__["signup_id"] = signup_id  # keeps the cached sign-up
    rows_copy(model=Signup, instances=[a.signup for a in attributions])
    rows_copy(model=Attribution, instances=attributions)
    rows_copy(model=AttributionEvent, instances=_events(attributions, now))
    rows_copy(model=LiveCustomer, instances=_live_customers(attributions))
