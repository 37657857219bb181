"""What sales ops see of one attribution, and of claims: every candidate touch for the
customer, matched by the keyed hashes of their identifiers (never the clear values).

Visits carry a salted daily visitor hash that is deliberately unlinkable to a customer,
so a share counts as a touch of this customer when one of the customer's sign-ups carries
its token; its visits inside the attribution window are counted.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from backend.accounts.models import Employee
from backend.api.errors import NotFound
from backend.api.moments import shifted
from referrals.codes import CodeMalformed, CodeTypo, format_code, normalize_code
from referrals.models import (
    Attribution,
    AttributionEvent,
    Claim,
    ReferralCode,
    Share,
    Signup,
    Visit,
)
from referrals.ops.selectors.queue import QUEUE_RELATED, joins_as_written

_HASH_FIELDS = {"email": "email_hash", "phone": "phone_hash", "account": "account_hash"}


def same_customer(pairs: Iterable[tuple[str, str]]) -> Q:
    """Sign-ups holding any of these (kind, hash) pairs; matches nothing when empty."""
    query = Q(pk__in=[])
    for kind, value in pairs:
        query |= Q(**{_HASH_FIELDS[kind]: value})
    return query


@dataclass
class CodeTouch:
    typed: str
    code: str | None
    owner: Employee | None
    external_id: str
    occurred_at: datetime
    this_signup: bool


@dataclass
class ShareTouch:
    share: Share
    external_id: str
    occurred_at: datetime
    within_window: bool
    visits_in_window: int
    this_signup: bool


@dataclass
class AttributionReview:
    attribution: Attribution
    events: list[AttributionEvent]
    other_signups: list[Signup]
    codes: list[CodeTouch]
    shares: list[ShareTouch]
    claims: list[Claim]


def _codes(signups: Sequence[Signup], this: Signup) -> list[CodeTouch]:
    typed = {}
    for signup in signups:
        if signup.presented_code:
            canonical = None
            with contextlib.suppress(CodeMalformed, CodeTypo):
                canonical = normalize_code(signup.presented_code)
            typed[signup.pk] = canonical
    known = {
        code.code: code
        for code in ReferralCode.objects.select_related("owner").filter(
            code__in={c for c in typed.values() if c}
        )
    }
    touches = []
    for signup in signups:
        if signup.pk not in typed:
            continue
        code = known.get(typed[signup.pk] or "")
        touches.append(
            CodeTouch(
                typed=signup.presented_code,
                code=format_code(code.code) if code else None,
                owner=code.owner if code else None,
                external_id=signup.external_id,
                occurred_at=signup.occurred_at,
                this_signup=signup.pk == this.pk,
            )
        )
    return touches


def _shares(signups: Sequence[Signup], this: Signup) -> list[ShareTouch]:
    window = timedelta(days=settings.ATTRIBUTION_WINDOW_DAYS)
    with_token = [signup for signup in signups if signup.share_token]
    if not with_token:
        return []
    earliest = shifted(min(signup.occurred_at for signup in with_token), -window)
    shares = {
        share.token: share
        for share in Share.objects.select_related("employee", "article", "code").filter(
            token__in={signup.share_token for signup in with_token}
        )
    }
    visits: dict[int, list[datetime]] = defaultdict(list)
    if shares:
        recent = Visit.objects.filter(share__in=shares.values(), day__gte=earliest.date())
        for share_id, at in recent.values_list("share_id", "at"):
            visits[share_id].append(at)
    touches = []
    for signup in with_token:
        share = shares.get(signup.share_token)
        if share is None:
            continue
        start = shifted(signup.occurred_at, -window)
        touches.append(
            ShareTouch(
                share=share,
                external_id=signup.external_id,
                occurred_at=signup.occurred_at,
                within_window=share.created_at >= start,
                visits_in_window=sum(
                    1 for at in visits[share.pk] if start <= at <= signup.occurred_at
                ),
                this_signup=signup.pk == this.pk,
            )
        )
    return touches


def attribution_review(*, attribution_id: int) -> AttributionReview:
    """One attribution with its events and every candidate touch; a fixed number of
    queries, whatever the customer's history."""
    with joins_as_written():
        attribution = (
            Attribution.objects.select_related(*QUEUE_RELATED).filter(pk=attribution_id).first()
        )
    if attribution is None:
        raise NotFound("No attribution with this id.", code="attribution_not_found")
    signup = attribution.signup
    pairs = list(signup.customer_hashes().items())
    others = list(
        Signup.objects.filter(same_customer(pairs))
        .exclude(pk=signup.pk)
        .select_related("attribution", "attribution__employee")
        .order_by("occurred_at", "id")
    )
    everyone = sorted([signup, *others], key=lambda s: (s.occurred_at, s.pk))
    events = attribution.events.select_related("actor", "from_employee", "to_employee")
    return AttributionReview(
        attribution=attribution,
        events=list(events.order_by("at", "id")),
        other_signups=others,
        codes=_codes(everyone, signup),
        shares=_shares(everyone, signup),
        claims=_claims_for(pairs),
    )


def _claims_for(pairs: Sequence[tuple[str, str]]) -> list[Claim]:
    """Employees' claims naming any of the customer's (kind, hash) pairs, oldest first."""
    claims = Q(pk__in=[])
    for kind, value in pairs:
        claims |= Q(kind=kind, value_hash=value)
    found = Claim.objects.filter(claims).select_related("employee", "decided_by")
    return list(found.order_by("created_at", "id"))
