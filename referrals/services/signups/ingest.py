"""Ingestion of a sign-up or a batch: one transaction, re-planned when the database
decides a race against us.

(source, external_id) is unique, so of two concurrent deliveries of one sign-up only one
insert lands; a customer hash can be held by one live attribution only (`LiveCustomer`),
so two sign-ups of the same customer cannot both go live. When a constraint fires, the
whole call is planned again against what the other transaction committed: the repeated
delivery becomes a replay, the second customer a `duplicate_customer`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from backend.api.errors import Conflict, InvalidInput
from referrals.models import LIVE_STATUSES, Signup
from referrals.services.signups.context import context_lock
from referrals.services.signups.inputs import MAX_BATCH, IngestResult, Outcome, SignupInput
from referrals.services.signups.rules import attribution_evaluate
from referrals.services.signups.writers import signup_row, signups_write

_ATTEMPTS = 5


def _stored(source: str, items: Sequence[SignupInput]) -> dict[str, Signup]:
    ids = [item.external_id for item in items]
    found = Signup.objects.filter(source=source, external_id__anyof=ids).select_related(
        "attribution"
    )
    return {signup.external_id: signup for signup in found}


def _create(source: str, items: Sequence[SignupInput]) -> list[Signup]:
    """Evaluates and stores new sign-ups; each later item sees the earlier ones."""
    now = timezone.now()
    ctx = context_lock(items=items, now=now)
    signups, decisions = [], []
    for item in items:
        decision = attribution_evaluate(item, ctx)
        if decision.employee_id is not None:
            ctx.velocity[decision.employee_id] += 1
        if decision.status in LIVE_STATUSES:
            ctx.live_hashes.update(item.customer_hashes.values())
        signups.append(signup_row(source=source, item=item, now=now))
        decisions.append(decision)
    signups_write(signups=signups, decisions=decisions, now=now)
    return signups


def _ingest_once(source: str, items: Sequence[SignupInput]) -> list[IngestResult]:
    stored = _stored(source, items)
    results: dict[str, IngestResult] = {}
    new_items = []
    for item in items:
        found = stored.get(item.external_id)
        if found is None:
            new_items.append(item)
        elif found.payload_hash == item.payload_hash():
            results[item.external_id] = IngestResult(item.external_id, Outcome.REPLAYED, found)
        else:
            results[item.external_id] = IngestResult(item.external_id, Outcome.CONFLICT, None)
    for signup in _create(source, new_items) if new_items else []:
        results[signup.external_id] = IngestResult(signup.external_id, Outcome.CREATED, signup)
    return [results[item.external_id] for item in items]


def _is_deadlock(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == "40P01"


def signups_ingest(*, source: str, items: Sequence[SignupInput]) -> list[IngestResult]:
    """Stores new sign-ups with their attribution; returns one result per item, in order.

    A repeated delivery (same source, external_id and payload) is a replay of the stored
    sign-up; the same id with another payload is a conflict. Nothing is written unless
    every new item is.
    """
    ids = [item.external_id for item in items]
    if len(set(ids)) != len(ids):
        raise InvalidInput("A batch may not repeat an external_id.", code="duplicate_external_id")
    if len(items) > MAX_BATCH:
        raise InvalidInput(f"At most {MAX_BATCH} sign-ups per call.", code="batch_too_large")
    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                return _ingest_once(source, items)
        except IntegrityError:
            # Another transaction committed one of our sign-ups or customers first.
            if attempt == _ATTEMPTS - 1:
                raise Conflict(
                    "The sign-ups conflict with concurrent deliveries; retry.",
                    code="concurrent_delivery",
                ) from None
        except OperationalError as exc:
            if not _is_deadlock(exc) or attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
