"""The live code check for the shop and the sign-up form: is what the friend is typing
one of our live codes, a typo of one, or nothing we know?

It tells no more than a printed code already does: the code and its owner's first name,
so the shop can ask "is this Anna's code?". A suggestion is offered only for input that
fails the check symbol and only when exactly one live code is one mistake away; with
~10^5 live codes among 2^45 that is about one guess in a million more than a blind guess
finds, and the endpoint is throttled per client far below what a search needs."""

from __future__ import annotations

from dataclasses import dataclass

from referrals.codes import format_code, is_well_formed, normalize_symbols, typo_corrections
from referrals.models import ReferralCode


@dataclass(frozen=True)
class CodeCheck:
    status: str  # "valid", "typo" or "unknown"
    code: str | None = None  # the code as typed (valid) or the suggested correction (typo)
    first_name: str | None = None


def _live_codes(codes: set[str]) -> list[ReferralCode]:
    return list(
        ReferralCode.objects.filter(
            code__in=codes,
            revoked_at__isnull=True,
            frozen_at__isnull=True,
            owner__is_active=True,
        )
        .select_related("owner")
        .only("code", "owner__display_name")[:2]
    )


def referral_code_check(*, raw: str) -> CodeCheck:
    """Raises CodeMalformed for input that cannot be a code (wrong length or symbols)."""
    text = normalize_symbols(raw)
    if is_well_formed(text):
        found = _live_codes({text})
        if not found:
            return CodeCheck(status="unknown")
        return CodeCheck(
            status="valid", code=format_code(text), first_name=found[0].owner.first_name
        )
    candidates = _live_codes(typo_corrections(text))
    if len(candidates) != 1:
        return CodeCheck(status="typo")
    match = candidates[0]
    return CodeCheck(status="typo", code=match.display, first_name=match.owner.first_name)
