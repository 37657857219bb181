"""Data protection: visitor data past retention, and a friend's request to be erased."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.identifiers import IdentifierKind, identifier_hash
from backend.api.errors import InvalidInput
from referrals.models import Claim, CustomerErasure, LiveCustomer, ShareFeedback, Signup, Visit

PURGE_CHUNK = 10_000
_HASH_FIELD = {
    IdentifierKind.EMAIL: "email_hash",
    IdentifierKind.PHONE: "phone_hash",
    IdentifierKind.ACCOUNT: "account_hash",
}


@dataclass(frozen=True)
class PurgeResult:
    cutoff: str
    visits: int
    feedback: int


def visitor_data_purge(*, older_than_days: int, now: datetime | None = None) -> PurgeResult:
    """Erases the visitor hash and the exact time (reset to the day's local midnight) of
    visits and friend feedback from before `older_than_days` days ago. The rows stay, so
    every count by share and day is unchanged. Idempotent; works in chunks so that a large
    backlog never holds long locks.
    """
    if older_than_days < 1:
        raise InvalidInput("Keep at least one day of visitor data.", code="retention_too_short")
    cutoff = timezone.localdate(now or timezone.now()) - timedelta(days=older_than_days)
    visits = _erase_in_chunks(Visit, cutoff, time_field="at")
    feedback = _erase_in_chunks(ShareFeedback, cutoff, time_field="created_at")
    return PurgeResult(cutoff=cutoff.isoformat(), visits=visits, feedback=feedback)


def _erase_in_chunks(
    model: type[Visit] | type[ShareFeedback], cutoff: date, *, time_field: str
) -> int:
    pending = model.objects.filter(day__lt=cutoff, visitor_hash__isnull=False).order_by("pk")
    total = 0
    while rows := list(pending.values_list("pk", "day")[:PURGE_CHUNK]):
        by_day: dict[date, list[int]] = defaultdict(list)
        for pk, day in rows:
            by_day[day].append(pk)
        with transaction.atomic():
            for day, ids in by_day.items():
                midnight = timezone.make_aware(datetime.combine(day, time.min))
                total += model.objects.filter(pk__in=ids).update(
                    visitor_hash=None, **{time_field: midnight}
                )
    return total


@dataclass(frozen=True)
class ErasureResult:
    signups: int
    claims: int


def _signups_with(hashes: set[str], *, lock: bool) -> list[Signup]:
    matches = Q()
    for field in _HASH_FIELD.values():
        matches |= Q(**{f"{field}__in": hashes})
    queryset = Signup.objects.filter(matches).order_by("pk")
    return list(queryset.select_for_update() if lock else queryset)


def _hashes_of(identifiers: Mapping[str, str]) -> dict[str, str]:
    """Kind → keyed hash of each identifier; InvalidInput for a malformed one or none."""
    if not identifiers:
        raise InvalidInput("Give the friend's email, phone or account number.", code="required")
    hashes: dict[str, str] = {}
    for kind, value in identifiers.items():
        try:
            hashes[kind] = identifier_hash(kind, value)
        except ValidationError as exc:
            raise InvalidInput(exc.messages[0], code=exc.code or "invalid") from None
    return hashes


def _friends_signups(hashes: set[str]) -> tuple[list[Signup], set[str]]:
    """The friend's sign-ups, locked, and every hash they carry. The friend's sign-ups also
    carry their other identifiers (a phone next to the email asked about): those are
    theirs too, and so are the sign-ups that hold them."""
    all_hashes = set(hashes)
    for signup in _signups_with(hashes, lock=False):
        all_hashes |= set(signup.customer_hashes().values())
    signups = _signups_with(all_hashes, lock=True)
    for signup in signups:
        all_hashes |= set(signup.customer_hashes().values())
    return signups, all_hashes


def customer_erase(*, identifiers: Mapping[str, str], requested_by: str) -> ErasureResult:
    """Erases a friend from the referral data on their request.

    Every sign-up carrying one of the friend's identifier hashes (or another identifier
    found on those sign-ups) loses all its customer hashes and is detached from the sign-up
    system's id. It keeps its product, channel, dates and attribution, so anonymous
    counts and the referrer's recognition stand. Matching claims lose the hash; the
    customer's live-attribution rows go. One
    CustomerErasure row records the request, without the identifiers. All or nothing.
    Raises InvalidInput for a malformed identifier or when none is given.
    """
    hashes = _hashes_of(identifiers)
    with transaction.atomic():
        signups, all_hashes = _friends_signups(set(hashes.values()))
        LiveCustomer.objects.filter(
            Q(value_hash__in=all_hashes) | Q(attribution__signup__in=signups)
        ).delete()
        for signup in signups:
            signup.email_hash = signup.phone_hash = signup.account_hash = ""
            signup.external_id = f"erased-{signup.pk}"
            signup.payload_hash = ""
        Signup.objects.bulk_update(
            signups, ["email_hash", "phone_hash", "account_hash", "external_id", "payload_hash"]
        )
        # A marker per claim, not "": one employee may hold two open claims for this friend.
        claims = list(Claim.objects.select_for_update().filter(value_hash__in=all_hashes))
        for claim in claims:
            claim.value_hash = f"erased-{claim.pk}"
        Claim.objects.bulk_update(claims, ["value_hash"])
        CustomerErasure.objects.create(
            requested_by=requested_by,
            identifier_kinds=",".join(sorted(hashes)),
            signups=len(signups),
            claims=len(claims),
        )
    return ErasureResult(signups=len(signups), claims=len(claims))
