"""DESIGN.md's attribution rules: an ordered list of small functions, no I/O.

Each rule reads the sign-up and the context (what the database said, see `context.py`),
writes exactly one trace line on the decision and says whether it decided the outcome;
the first rule that decides ends the evaluation. A sign-up reported late is judged as of
when it happened, never later than now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings

from backend.api.moments import clock_skew
from referrals.codes import CodeMalformed, CodeTypo, format_code, normalize_code
from referrals.models import COMMISSIONED_CHANNELS, AttributionStatus
from referrals.services.signups.context import Context, ReferrerCode, ShareLink
from referrals.services.signups.inputs import SignupInput


@dataclass
class Decision:
    moment: datetime  # the sign-up's moment, never later than now
    status: str = AttributionStatus.PENDING
    reason: str = ""
    code: ReferrerCode | None = None
    share: ShareLink | None = None
    trace: list[dict[str, str]] = field(default_factory=list)
    review_signals: list[str] = field(default_factory=list)

    @property
    def employee_id(self) -> int | None:
        return self.code.owner_id if self.code else None

    def line(self, rule: str, result: str, detail: str) -> None:
        self.trace.append({"rule": rule, "result": result, "detail": detail})

    def reject(self, rule: str, reason: str, detail: str) -> bool:
        self.line(rule, "fail", detail)
        self.status, self.reason = AttributionStatus.REJECTED, reason
        return True


# A rule returns True when it decided the outcome (no later rule runs).
Rule = Callable[[SignupInput, Context, Decision], bool]


def _created_after(share: ShareLink, moment: datetime) -> bool:
    """The link was made after the sign-up, beyond what the clocks may disagree by."""
    return share.created_at - moment > clock_skew()


def _referrer_by_code(item: SignupInput, ctx: Context, decision: Decision) -> bool:
    try:
        canonical = normalize_code(item.code)
    except CodeTypo:
        return decision.reject("referrer", "code_typo", "typed code has a typo")
    except CodeMalformed:
        return decision.reject("referrer", "unknown_code", "typed code is not a code")
    code = ctx.codes.get(canonical)
    if code is None:
        detail = f"code {format_code(canonical)} does not exist"
        return decision.reject("referrer", "unknown_code", detail)
    detail = f"code {code.display} typed at sign-up"
    if item.share_token:
        share = ctx.shares.get(item.share_token)
        if share and share.code_id == code.id and not _created_after(share, decision.moment):
            decision.share = share
            detail += "; the share link carries the same code, its answer is linked"
        else:
            detail += "; it wins over the share token"
    decision.code = code
    decision.line("referrer", "pass", detail)
    return False


def _referrer_by_share(item: SignupInput, ctx: Context, decision: Decision) -> bool:
    share = ctx.shares.get(item.share_token)
    if share is None:
        return decision.reject("referrer", "unknown_share", "share token does not exist")
    decision.code, decision.share = ctx.codes_by_id[share.code_id], share
    decision.line("referrer", "pass", f"share link of code {decision.code.display}, no code typed")
    return False


def referrer_rule(item: SignupInput, ctx: Context, decision: Decision) -> bool:
    """1. A code typed at sign-up wins over a share token; neither -> unattributed."""
    if item.code:
        return _referrer_by_code(item, ctx, decision)
    if item.share_token:
        return _referrer_by_share(item, ctx, decision)
    decision.status, decision.reason = AttributionStatus.UNATTRIBUTED, "no_referrer"
    decision.line("referrer", "fail", "neither a code nor a share token")
    return True


def code_rule(item: SignupInput, ctx: Context, decision: Decision) -> bool:
    """2. The code was not revoked and its owner still employed, as of the sign-up."""
    code, moment = decision.code, decision.moment
    assert code is not None  # the referrer rule found one
    if code.revoked_at is not None and code.revoked_at <= moment:
        return decision.reject("code", "code_revoked", "code was revoked before the sign-up")
    left = (code.frozen_at is not None and code.frozen_at <= moment) or (
        not code.owner_is_active and (code.owner_left_at is None or code.owner_left_at <= moment)
    )
    if left:
        return decision.reject("code", "referrer_inactive", "referrer had left at the sign-up")
    decision.line("code", "pass", "code active and referrer employed at the sign-up")
    return False


def window_rule(item: SignupInput, ctx: Context, decision: Decision) -> bool:
    """3. A share link (not a typed code) existed before the sign-up and is not older than
    the window. Differences, not sums: no moment can overflow them."""
    share, days = decision.share, settings.ATTRIBUTION_WINDOW_DAYS
    if share is None or item.code:
        decision.line("window", "skip", "attributed by a typed code, no window applies")
        return False
    if _created_after(share, decision.moment):
        detail = "share link was created after the sign-up"
        return decision.reject("window", "share_after_signup", detail)
    if decision.moment - share.created_at > timedelta(days=days):
        return decision.reject("window", "window_expired", f"share link is older than {days} days")
    decision.line("window", "pass", f"share link within {days} days")
    return False


def self_referral_rule(item: SignupInput, ctx: Context, decision: Decision) -> bool:
    """4. A customer identifier equal to one of the referrer's own."""
    owner_id = decision.employee_id
    hashes = item.customer_hashes
    own = sorted(kind for kind, value in hashes.items() if (owner_id, value) in ctx.own_identifiers)
    if own:
        detail = f"customer {', '.join(own)} is the referrer's own"
        return decision.reject("self_referral", "self_referral", detail)
    decision.line("self_referral", "pass", "customer is not the referrer")
    return False


def customer_rule(item: SignupInput, ctx: Context, decision: Decision) -> bool:
    """5. New customers only, each counted once (the database has the last word: see
    `LiveCustomer` and the re-plan in `ingest.py`)."""
    if not item.is_new_customer:
        return decision.reject("customer", "existing_customer", "already a customer")
    taken = sorted(kind for kind, value in item.customer_hashes.items() if value in ctx.live_hashes)
    if taken:
        detail = f"customer {', '.join(taken)} already counts for another live attribution"
        return decision.reject("customer", "duplicate_customer", detail)
    decision.line("customer", "pass", "new customer, not attributed before")
    return False


def review_rule(item: SignupInput, ctx: Context, decision: Decision) -> bool:
    """6. Signals for a human look: many attributions in 24 hours, a commissioned channel.
    7. Otherwise pending, until activated and past the withdrawal period."""
    recent, limit = ctx.velocity[decision.employee_id or 0], settings.VELOCITY_LIMIT
    if recent >= limit:
        decision.review_signals.append("velocity")
        detail = f"{recent + 1} attributions for the referrer within 24 hours (limit {limit})"
        decision.line("review", "flag", detail)
    if item.sales_channel in COMMISSIONED_CHANNELS:
        decision.review_signals.append("channel_conflict")
        detail = f"sold through {item.sales_channel}, a commissioned channel"
        decision.line("review", "flag", detail)
    if decision.review_signals:
        decision.status = AttributionStatus.NEEDS_REVIEW
        decision.reason = decision.review_signals[0]
        return True
    decision.line("review", "pass", "no review signals")
    return True


RULES: tuple[Rule, ...] = (
    referrer_rule,
    code_rule,
    window_rule,
    self_referral_rule,
    customer_rule,
    review_rule,
)


def attribution_evaluate(item: SignupInput, ctx: Context) -> Decision:
    """The first rule that decides ends the evaluation; each leaves one trace line."""
    decision = Decision(moment=min(item.occurred_at, ctx.now))
    for rule in RULES:
        if rule(item, ctx, decision):
            break
    return decision
