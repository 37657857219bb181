"""The reads the rules need, for a whole batch at once: a fixed number of queries,
whatever its size. Rows are read as values into small dataclasses (no model instances:
a batch reads hundreds of codes and owners)."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q

from backend.accounts.identifiers import work_email_hash
from backend.accounts.models import EmployeeIdentifier
from referrals.codes import CodeMalformed, CodeTypo, format_code, normalize_code
from referrals.models import Attribution, LiveCustomer, ReferralCode, Share
from referrals.services.signups.inputs import SignupInput


@dataclass(frozen=True, slots=True)
class ReferrerCode:
    """A referral code with what the rules need of its owner."""

    id: int
    code: str
    owner_id: int
    revoked_at: datetime | None
    frozen_at: datetime | None
    owner_is_active: bool
    owner_left_at: datetime | None
    owner_email: str

    @property
    def display(self) -> str:
        return format_code(self.code)


_CODE_VALUES = [
    "id",
    "code",
    "owner_id",
    "revoked_at",
    "frozen_at",
    "owner__is_active",
    "owner__left_at",
    "owner__email",
]  # fmt: skip  -- ReferrerCode's fields, in order


@dataclass(frozen=True, slots=True)
class ShareLink:
    id: int
    token: str
    code_id: int
    article_id: int | None
    created_at: datetime


_SHARE_VALUES = ["id", "token", "code_id", "article_id", "created_at"]  # ShareLink's fields


@dataclass
class Context:
    """What the rules know of the world. `live_hashes` and `velocity` grow as a batch is
    evaluated, so that later items see the attributions of earlier ones."""

    now: datetime
    codes: dict[str, ReferrerCode]  # by canonical code
    codes_by_id: dict[int, ReferrerCode]
    shares: dict[str, ShareLink]  # by token
    own_identifiers: set[tuple[int, str]]  # (employee id, identifier hash)
    live_hashes: set[str]
    velocity: Counter[int]  # attributions per employee in the last 24 hours


def _typed_codes(items: Sequence[SignupInput]) -> set[str]:
    canonical: set[str] = set()
    for item in items:
        if item.code:
            with contextlib.suppress(CodeMalformed, CodeTypo):
                canonical.add(normalize_code(item.code))
    return canonical


def _codes_lock(canonical: set[str], shares: Collection[ShareLink]) -> list[ReferrerCode]:
    """Holds FOR UPDATE locks on the codes (pk order) until the transaction ends."""
    if not canonical and not shares:
        return []
    by_share = {share.code_id for share in shares}
    locked = (
        ReferralCode.objects.select_for_update(of=("self",))
        .filter(Q(code__anyof=canonical) | Q(pk__anyof=by_share))
        .order_by("pk")
        .values_list(*_CODE_VALUES)
    )
    return [ReferrerCode(*row) for row in locked]


def _own_identifiers(codes: Collection[ReferrerCode], hashes: set[str]) -> set[tuple[int, str]]:
    owners = {code.owner_id for code in codes}
    found = EmployeeIdentifier.objects.filter(employee_id__anyof=owners, value_hash__anyof=hashes)
    own = set(found.values_list("employee_id", "value_hash")) if owners else set()
    # The work email is an employee's own identifier as much as the personal ones HR gives.
    for code in codes:
        work_email = work_email_hash(code.owner_email)
        if work_email:
            own.add((code.owner_id, work_email))
    return own


def _velocity(codes: Collection[ReferrerCode], since: datetime) -> Counter[int]:
    owners = {code.owner_id for code in codes}
    if not owners:
        return Counter()
    recent = (
        Attribution.objects.filter(employee_id__anyof=owners, created_at__gt=since)
        .values("employee_id")
        .annotate(count=Count("id"))
        .values_list("employee_id", "count")
    )
    return Counter(dict(recent))


def context_lock(*, items: Sequence[SignupInput], now: datetime) -> Context:
    """Everything the rules read about `items`, as of now. Holds FOR UPDATE locks on the
    codes involved, so a concurrent revoke or leave is ordered with the sign-ups; the
    reads after the lock see what such a transaction committed."""
    tokens = {item.share_token for item in items if item.share_token}
    found = Share.objects.filter(token__anyof=tokens).values_list(*_SHARE_VALUES)
    shares = [ShareLink(*row) for row in found] if tokens else []
    codes = _codes_lock(_typed_codes(items), shares)
    hashes = {value for item in items for value in item.customer_hashes.values()}
    live = LiveCustomer.objects.filter(value_hash__anyof=hashes).values_list("value_hash")
    return Context(
        now=now,
        codes={code.code: code for code in codes},
        codes_by_id={code.id: code for code in codes},
        shares={share.token: share for share in shares},
        own_identifiers=_own_identifiers(codes, hashes),
        live_hashes={value_hash for (value_hash,) in live},
        velocity=_velocity(codes, now - timedelta(hours=24)),
    )
