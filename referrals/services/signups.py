"""Sign-up ingestion and the attribution rules.

One code path serves a single sign-up and a batch of up to 1,000: every read is a bulk
read (existing sign-ups, codes, shares, the referrers' own identifiers, live customers,
recent attributions per referrer), the rules run in memory, and every write is a bulk
insert — a fixed number of queries per call, whatever the batch size. A call is one
transaction: it lands whole or not at all.

The database decides races. (source, external_id) is unique, so of two concurrent
deliveries of one sign-up only one insert lands; a customer hash can be held by one
live attribution only (`LiveCustomer`), so two sign-ups of the same customer cannot
both go live. When a constraint fires, the whole call is re-planned against what the
other transaction committed: the repeated delivery becomes a replay, the second
customer a `duplicate_customer`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from backend.accounts.identifiers import work_email_hash
from backend.accounts.models import Employee, EmployeeIdentifier
from backend.api.errors import Conflict, InvalidInput, NotFound
from backend.api.moments import clock_skew
from referrals.codes import CodeMalformed, CodeTypo, format_code, normalize_code
from referrals.models import (
    COMMISSIONED_CHANNELS,
    LIVE_STATUSES,
    Attribution,
    AttributionEvent,
    AttributionStatus,
    LiveCustomer,
    ReferralCode,
    Share,
    Signup,
)
from referrals.services.announce import attributions_created_announce
from referrals.services.attribution import (
    attribution_event,
    attribution_set_status,
    live_customer_rows,
    withdrawal_period,
)

MAX_BATCH = 1000
# From this many sign-ups on, COPY beats INSERTs; below it its extra round trips cost more.
COPY_FROM = 20
_ATTEMPTS = 5


@dataclass(frozen=True)
class SignupInput:
    """One validated sign-up; customer identifiers are already keyed hashes."""

    external_id: str
    occurred_at: datetime
    sales_channel: str
    is_new_customer: bool
    customer_hashes: dict[str, str]
    code: str = ""
    share_token: str = ""
    product: str = ""

    def payload_hash(self) -> str:
        """Fingerprint of what was delivered, to tell a repeat from a changed payload."""
        canonical = {
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "code": self.code,
            "share_token": self.share_token,
            "customer": dict(sorted(self.customer_hashes.items())),
            "product": self.product,
            "sales_channel": self.sales_channel,
            "is_new_customer": self.is_new_customer,
        }
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


class Outcome:
    CREATED = "created"
    REPLAYED = "replayed"
    CONFLICT = "conflict"


@dataclass
class IngestResult:
    external_id: str
    outcome: str
    signup: Signup | None


@dataclass
class _Context:
    now: datetime
    codes: dict[str, ReferralCode]
    shares: dict[str, Share]
    own_identifiers: set[tuple[int, str]]
    live_hashes: set[str]
    velocity: Counter[int]


@dataclass
class _Decision:
    status: str = AttributionStatus.PENDING
    reason: str = ""
    employee: Employee | None = None
    code: ReferralCode | None = None
    share: Share | None = None
    trace: list[dict[str, str]] = field(default_factory=list)
    review_signals: list[str] = field(default_factory=list)

    def line(self, rule: str, result: str, detail: str) -> None:
        self.trace.append({"rule": rule, "result": result, "detail": detail})

    def reject(self, rule: str, reason: str, detail: str) -> _Decision:
        self.line(rule, "fail", detail)
        self.status = AttributionStatus.REJECTED
        self.reason = reason
        return self


def _created_after(share: Share, moment: datetime) -> bool:
    """The link was made after the sign-up, beyond what the clocks may disagree by."""
    return share.created_at - moment > clock_skew()


def _evaluate(item: SignupInput, ctx: _Context) -> _Decision:
    """DESIGN's attribution rules, in order; each leaves one line in the trace."""
    decision = _Decision()
    # A sign-up reported late is judged as of when it happened, never later than now.
    moment = min(item.occurred_at, ctx.now)

    # 1. Referrer: a typed code wins over a share token; neither -> unattributed.
    share: Share | None = None
    if item.code:
        try:
            canonical = normalize_code(item.code)
        except CodeTypo:
            return decision.reject("referrer", "code_typo", "typed code has a typo")
        except CodeMalformed:
            return decision.reject("referrer", "unknown_code", "typed code is not a code")
        code = ctx.codes.get(canonical)
        if code is None:
            return decision.reject(
                "referrer", "unknown_code", f"code {format_code(canonical)} does not exist"
            )
        detail = f"code {code.display} typed at sign-up"
        if item.share_token:
            candidate = ctx.shares.get(item.share_token)
            if (
                candidate is not None
                and candidate.code_id == code.pk
                and not _created_after(candidate, moment)
            ):
                share = candidate
                detail += "; the share link carries the same code, its answer is linked"
            else:
                detail += "; it wins over the share token"
        decision.line("referrer", "pass", detail)
    elif item.share_token:
        share = ctx.shares.get(item.share_token)
        if share is None:
            return decision.reject("referrer", "unknown_share", "share token does not exist")
        code = share.code
        decision.line("referrer", "pass", f"share link of code {code.display}, no code typed")
    else:
        decision.status = AttributionStatus.UNATTRIBUTED
        decision.reason = "no_referrer"
        decision.line("referrer", "fail", "neither a code nor a share token")
        return decision
    owner: Employee = code.owner
    decision.employee, decision.code, decision.share = owner, code, share

    # 2. The code and its owner, as of the sign-up.
    if code.revoked_at is not None and code.revoked_at <= moment:
        return decision.reject("code", "code_revoked", "code was revoked before the sign-up")
    left = (code.frozen_at is not None and code.frozen_at <= moment) or (
        not owner.is_active and (owner.left_at is None or owner.left_at <= moment)
    )
    if left:
        return decision.reject("code", "referrer_inactive", "referrer had left at the sign-up")
    decision.line("code", "pass", "code active and referrer employed at the sign-up")

    # 3. Attribution window of a share link: it existed before the sign-up and is not
    # older than the window. Differences, not sums: no moment can overflow them.
    if share is not None and not item.code:
        if _created_after(share, moment):
            return decision.reject(
                "window", "share_after_signup", "share link was created after the sign-up"
            )
        window = timedelta(days=settings.ATTRIBUTION_WINDOW_DAYS)
        if moment - share.created_at > window:
            return decision.reject(
                "window",
                "window_expired",
                f"share link is older than {settings.ATTRIBUTION_WINDOW_DAYS} days",
            )
        decision.line(
            "window", "pass", f"share link within {settings.ATTRIBUTION_WINDOW_DAYS} days"
        )
    else:
        decision.line("window", "skip", "attributed by a typed code, no window applies")

    # 4. Self-referral.
    hashes = item.customer_hashes
    own = sorted(kind for kind, value in hashes.items() if (owner.pk, value) in ctx.own_identifiers)
    if own:
        return decision.reject(
            "self_referral", "self_referral", f"customer {', '.join(own)} is the referrer's own"
        )
    decision.line("self_referral", "pass", "customer is not the referrer")

    # 5. New customers only, each counted once.
    if not item.is_new_customer:
        return decision.reject("customer", "existing_customer", "already a customer")
    taken = sorted(kind for kind, value in hashes.items() if value in ctx.live_hashes)
    if taken:
        return decision.reject(
            "customer",
            "duplicate_customer",
            f"customer {', '.join(taken)} already counts for another live attribution",
        )
    decision.line("customer", "pass", "new customer, not attributed before")

    # 6. Signals for a human look.
    flags = []
    recent = ctx.velocity[owner.pk]
    if recent >= settings.VELOCITY_LIMIT:
        flags.append("velocity")
        decision.line(
            "review",
            "flag",
            f"{recent + 1} attributions for the referrer within 24 hours "
            f"(limit {settings.VELOCITY_LIMIT})",
        )
    if item.sales_channel in COMMISSIONED_CHANNELS:
        flags.append("channel_conflict")
        decision.line(
            "review", "flag", f"sold through {item.sales_channel}, a commissioned channel"
        )
    if flags:
        decision.status, decision.reason = AttributionStatus.NEEDS_REVIEW, flags[0]
        decision.review_signals = flags
        return decision

    # 7. Pending until activated and past the withdrawal period.
    decision.line("review", "pass", "no review signals")
    return decision


def _context(items: Sequence[SignupInput], now: datetime) -> _Context:
    """Every read the rules need, in a fixed number of queries. Holds FOR UPDATE locks on
    the codes involved (pk order), so a concurrent revoke or leave is ordered with us."""
    canonical: set[str] = set()
    for item in items:
        if item.code:
            with contextlib.suppress(CodeMalformed, CodeTypo):
                canonical.add(normalize_code(item.code))
    tokens = {item.share_token for item in items if item.share_token}
    shares = {share.token: share for share in Share.objects.filter(token__anyof=tokens)}
    codes: dict[str, ReferralCode] = {}
    by_pk: dict[int, ReferralCode] = {}
    if canonical or shares:
        locked = (
            ReferralCode.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(Q(code__anyof=canonical) | Q(pk__anyof={s.code_id for s in shares.values()}))
            .order_by("pk")
        )
        for code in locked:
            codes[code.code] = code
            by_pk[code.pk] = code
    for share in shares.values():
        share.code = by_pk[share.code_id]
    referrers = {code.owner_id for code in by_pk.values()}
    all_hashes = {value for item in items for value in item.customer_hashes.values()}
    own_identifiers: set[tuple[int, str]] = set()
    velocity: Counter[int] = Counter()
    if referrers and all_hashes:
        own_identifiers = set(
            EmployeeIdentifier.objects.filter(
                employee_id__anyof=referrers, value_hash__anyof=all_hashes
            ).values_list("employee_id", "value_hash")
        )
    for code in by_pk.values():
        work_email = work_email_hash(code.owner.email)
        if work_email:
            own_identifiers.add((code.owner_id, work_email))
    if referrers:
        velocity.update(
            dict(
                Attribution.objects.filter(
                    employee_id__anyof=referrers, created_at__gt=now - timedelta(hours=24)
                )
                .values("employee_id")
                .annotate(count=Count("id"))
                .values_list("employee_id", "count")
            )
        )
    live_hashes = (
        set(
            LiveCustomer.objects.filter(value_hash__anyof=all_hashes).values_list(
                "value_hash", flat=True
            )
        )
        if all_hashes
        else set()
    )
    return _Context(now, codes, shares, own_identifiers, live_hashes, velocity)


def _ingest_once(source: str, items: Sequence[SignupInput]) -> list[IngestResult]:
    existing = {
        signup.external_id: signup
        for signup in Signup.objects.filter(
            source=source, external_id__anyof=[item.external_id for item in items]
        ).select_related("attribution")
    }
    results: dict[str, IngestResult] = {}
    new_items = []
    for item in items:
        found = existing.get(item.external_id)
        if found is None:
            new_items.append(item)
        elif found.payload_hash == item.payload_hash():
            results[item.external_id] = IngestResult(item.external_id, Outcome.REPLAYED, found)
        else:
            results[item.external_id] = IngestResult(item.external_id, Outcome.CONFLICT, None)

    if new_items:
        now = timezone.now()
        ctx = _context(new_items, now)
        signups, decisions = [], []
        for item in new_items:
            decision = _evaluate(item, ctx)
            if decision.employee is not None:
                ctx.velocity[decision.employee.pk] += 1
            if decision.status in LIVE_STATUSES:
                ctx.live_hashes.update(item.customer_hashes.values())
            signups.append(_signup_row(source, item, now))
            decisions.append(decision)
        _write(signups, decisions, now)
        for signup in signups:
            results[signup.external_id] = IngestResult(signup.external_id, Outcome.CREATED, signup)
    return [results[item.external_id] for item in items]


def _signup_row(source: str, item: SignupInput, now: datetime) -> Signup:
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


def _write(signups: list[Signup], decisions: list[_Decision], now: datetime) -> None:
    """Bulk inserts, each table in key order so that concurrent calls queue on the same
    rows in the same order instead of deadlocking."""
    order = sorted(range(len(signups)), key=lambda index: signups[index].external_id)
    signups_sorted = [signups[index] for index in order]
    attributions = []
    for signup, decision in zip(signups, decisions, strict=True):
        # Ids rather than objects: assigning related objects costs more than the insert.
        attribution = Attribution(
            signup=signup,
            employee_id=decision.employee.pk if decision.employee else None,
            code_id=decision.code.pk if decision.code else None,
            share_id=decision.share.pk if decision.share else None,
            article_id=decision.share.article_id if decision.share else None,
            status=decision.status,
            reason=decision.reason,
            review_signals=decision.review_signals,
            trace=decision.trace,
            created_at=now,
            updated_at=now,
            occurred_at=signup.occurred_at,
        )
        signup.attribution = attribution
        attributions.append(attribution)
    if connection.vendor == "postgresql" and len(signups) >= COPY_FROM:
        _copy_all(signups_sorted, attributions, now)
        attributions_created_announce(attributions, now)
        return
    Signup.objects.bulk_create(signups_sorted)
    Attribution.objects.bulk_create(attributions)
    AttributionEvent.objects.bulk_create(
        [
            attribution_event(a, to_status=a.status, reason=a.reason, at=now, from_status="")
            for a in attributions
        ]
    )
    live = [row for a in attributions if a.status in LIVE_STATUSES for row in live_customer_rows(a)]
    LiveCustomer.objects.bulk_create(sorted(live, key=lambda row: row.value_hash))
    attributions_created_announce(attributions, now)


_SIGNUP_COLUMNS = [
    "id", "source", "external_id", "occurred_at", "presented_code", "share_token", "email_hash",
    "phone_hash", "account_hash", "product", "sales_channel", "is_new_customer", "activated_at",
    "cancelled_at", "payload_hash", "created_at",
]  # fmt: skip
_ATTRIBUTION_COLUMNS = [
    "id", "signup_id", "employee_id", "code_id", "share_id", "article_id", "status", "reason",
    "trace", "version", "created_at", "updated_at", "confirmed_at", "review_signals",
]  # fmt: skip


def _next_ids(model: type[Signup] | type[Attribution], count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model: type[models.Model], columns: list[str], rows: list[tuple[object, ...]]) -> None:
    """COPY into `model`'s table: the same rows as bulk_create, several times faster for a
    batch of a thousand. Database errors surface as Django's (IntegrityError, …)."""
    table = model._meta.db_table
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with (
        connection.wrap_database_errors,
        connection.connection.cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _copy_all(signups: list[Signup], attributions: list[Attribution], now: datetime) -> None:
    """PostgreSQL: ids drawn from the tables' sequences first, then one COPY per table.
    `signups` is in key order; each attribution refers to its sign-up as `.signup`."""
    for signup, pk in zip(signups, _next_ids(Signup, len(signups)), strict=True):
        signup.pk = pk
    pairs = sorted(((a.signup, a) for a in attributions), key=lambda pair: pair[0].external_id)
    for (signup, attribution), pk in zip(pairs, _next_ids(Attribution, len(pairs)), strict=True):
        attribution.pk = pk
        attribution.__dict__["signup_id"] = signup.pk  # keeps the cached sign-up
    _copy(
        Signup,
        _SIGNUP_COLUMNS,
        [
            (
                s.pk,
                s.source,
                s.external_id,
                s.occurred_at,
                s.presented_code,
                s.share_token,
                s.email_hash,
                s.phone_hash,
                s.account_hash,
                s.product,
                s.sales_channel,
                s.is_new_customer,
                None,
                None,
                s.payload_hash,
                s.created_at,
            )
            for s in signups
        ],
    )
    _copy(
        Attribution,
        _ATTRIBUTION_COLUMNS,
        [
            (
                a.pk,
                s.pk,
                a.employee_id,
                a.code_id,
                a.share_id,
                a.article_id,
                a.status,
                a.reason,
                json.dumps(a.trace),
                a.version,
                a.created_at,
                a.updated_at,
                None,
                json.dumps(a.review_signals),
            )
            for s, a in pairs
        ],
    )
    _copy(
        AttributionEvent,
        ["attribution_id", "actor_id", "from_status", "to_status", "reason", "note", "at"],
        [(a.pk, None, "", a.status, a.reason, "", now) for _, a in pairs],
    )
    live = sorted(
        (value_hash, kind, a.pk)
        for s, a in pairs
        if a.status in LIVE_STATUSES
        for kind, value_hash in s.customer_hashes().items()
    )
    _copy(LiveCustomer, ["value_hash", "kind", "attribution_id"], live)


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


def _locked_signup(source: str, external_id: str) -> Signup:
    signup = (
        Signup.objects.select_for_update().filter(source=source, external_id=external_id).first()
    )
    if signup is None:
        raise NotFound("No sign-up with this id from your source.", code="signup_not_found")
    signup.attribution = Attribution.objects.select_for_update().get(signup=signup)
    return signup


def _not_before_signup(signup: Signup, name: str, value: datetime) -> None:
    if value < signup.occurred_at:
        message = "Must not be before the sign-up occurred."
        raise InvalidInput(message, fields={name: [{"code": "before_signup", "message": message}]})


@transaction.atomic
def signup_activate(*, source: str, external_id: str, activated_at: datetime) -> Signup:
    """Records the activation; idempotent for the same moment, 409 for another one.
    Holds FOR UPDATE locks on the sign-up, then its attribution."""
    signup = _locked_signup(source, external_id)
    if signup.activated_at is not None:
        if signup.activated_at == activated_at:
            return signup
        raise Conflict(
            "This sign-up was already activated at another moment.", code="already_activated"
        )
    if signup.cancelled_at is not None:
        raise Conflict("This sign-up was cancelled.", code="signup_cancelled")
    _not_before_signup(signup, "activated_at", activated_at)
    signup.activated_at = activated_at
    signup.save(update_fields=["activated_at"])
    return signup


@transaction.atomic
def signup_cancel(*, source: str, external_id: str, cancelled_at: datetime) -> Signup:
    """Records a cancellation. Inside the withdrawal period (or before activation) a live
    attribution is reversed as `withdrawn`; later cancellations leave it as it is.
    Idempotent for the same moment, 409 for another one."""
    signup = _locked_signup(source, external_id)
    if signup.cancelled_at is not None:
        if signup.cancelled_at == cancelled_at:
            return signup
        raise Conflict(
            "This sign-up was already cancelled at another moment.", code="already_cancelled"
        )
    _not_before_signup(signup, "cancelled_at", cancelled_at)
    signup.cancelled_at = cancelled_at
    signup.save(update_fields=["cancelled_at"])
    attribution = signup.attribution
    withdrawn = (
        signup.activated_at is None or cancelled_at - signup.activated_at <= withdrawal_period()
    )
    if attribution.status in LIVE_STATUSES and withdrawn:
        attribution_set_status(
            attribution=attribution,
            to_status=AttributionStatus.REVERSED,
            reason="withdrawn",
            note="Cancelled within the withdrawal period.",
        )
    return signup
