"""Referral codes: the personal code every active employee has, extra labelled codes,
revoking, and freezing when an employee leaves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from backend.accounts.models import Employee
from backend.api.errors import Conflict, InvalidInput, NotFound
from referrals.codes import CodeError, generate_code, normalize_code
from referrals.models import Campaign, ReferralCode

# Live extra codes an employee may hold at once (the personal code does not count).
MAX_LIVE_EXTRA_CODES = 20
_ATTEMPTS = 5


def _fresh_codes(count: int) -> list[str]:
    """`count` new codes not yet stored. A clash among 32^9 codes is rare, not impossible;
    the unique constraint still guards against a concurrent writer."""
    codes: set[str] = set()
    while len(codes) < count:
        codes |= {generate_code() for _ in range(count - len(codes))}
        codes -= set(ReferralCode.objects.filter(code__in=codes).values_list("code", flat=True))
    return sorted(codes)


def referral_code_parse(*, raw: str) -> str:
    """A typed code in canonical form; a malformed code or a typo is a 400 naming which."""
    try:
        return normalize_code(raw)
    except CodeError as exc:
        raise InvalidInput(exc.message, code=exc.code) from None


def referral_code_parse_path(*, raw: str) -> str:
    """A code named in a URL in canonical form. One that cannot be a code (malformed or a
    typo) names no resource: 404, like a well-formed code the caller does not own."""
    try:
        return normalize_code(raw)
    except CodeError:
        raise NotFound("You have no such code.", code="code_not_found") from None


def referral_codes_issue_personal(*, employees: Iterable[Employee]) -> list[ReferralCode]:
    """Gives each active employee without a live personal code one, in bulk.

    Idempotent and safe against a concurrent issue: rows are written in a savepoint and
    re-planned when the one-personal-code constraint or a code clash fires.
    """
    wanted = {employee.pk: employee for employee in employees if employee.is_active}
    for attempt in range(_ATTEMPTS):
        have = set(
            ReferralCode.objects.filter(
                owner_id__in=wanted, is_personal=True, revoked_at__isnull=True
            ).values_list("owner_id", flat=True)
        )
        missing = [pk for pk in sorted(wanted) if pk not in have]
        if not missing:
            return []
        now = timezone.now()
        rows = [
            ReferralCode(code=code, owner_id=pk, is_personal=True, created_at=now)
            for pk, code in zip(missing, _fresh_codes(len(missing)), strict=True)
        ]
        try:
            with transaction.atomic():
                return ReferralCode.objects.bulk_create(rows)
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
    return []  # pragma: no cover - the loop returns or raises


def referral_code_ensure_personal(*, employee: Employee) -> ReferralCode:
    """The employee's live personal code, issued now if they have none yet."""
    code = ReferralCode.objects.filter(
        owner=employee, is_personal=True, revoked_at__isnull=True
    ).first()
    if code is not None:
        return code
    issued = referral_codes_issue_personal(employees=[employee])
    if issued:
        return issued[0]
    return ReferralCode.objects.get(owner=employee, is_personal=True, revoked_at__isnull=True)


@transaction.atomic
def referral_code_create(
    *, employee: Employee, label: str = "", campaign: Campaign | None = None
) -> ReferralCode:
    """An extra, labelled code (e.g. one per campaign or per poster).

    Holds a FOR UPDATE lock on the employee so that two concurrent requests cannot both
    pass the limit on live codes.
    """
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    if employee.is_active is False:
        raise Conflict("Codes of employees who left are frozen.", code="codes_frozen")
    live = ReferralCode.objects.filter(
        owner=employee, is_personal=False, revoked_at__isnull=True
    ).count()
    if live >= MAX_LIVE_EXTRA_CODES:
        raise Conflict(
            f"You already have {MAX_LIVE_EXTRA_CODES} active extra codes; revoke one first.",
            code="too_many_codes",
        )
    if campaign is not None and campaign.ends_at <= timezone.now():
        raise Conflict(
            "This campaign has ended.",
            fields={
                "campaign": [{"code": "campaign_ended", "message": "This campaign has ended."}]
            },
        )
    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(
                    code=_fresh_codes(1)[0], owner=employee, label=label, campaign=campaign
                )
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def referral_code_revoke(*, employee: Employee, code: str) -> ReferralCode:
    """Revokes one of the employee's codes; sign-ups after this moment no longer count.

    Holds a FOR UPDATE lock on the code, the same lock sign-up ingestion takes, so a
    revoke racing a sign-up is ordered one way or the other. Revoking the personal code
    issues a new personal code. Revoking twice is harmless.
    """
    canonical = referral_code_parse_path(raw=code)
    row = ReferralCode.objects.select_for_update().filter(owner=employee, code=canonical).first()
    if row is None:
        raise NotFound("You have no such code.", code="code_not_found")
    if row.revoked_at is not None:
        return row
    if row.frozen_at is not None:
        raise Conflict("Codes of employees who left are frozen.", code="codes_frozen")
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])
    if row.is_personal:
        referral_codes_issue_personal(employees=[employee])
    return row


def referral_codes_follow_employment(*, employees: Sequence[Employee]) -> None:
    """Keeps codes in step with employment, in bulk: an active employee has a live personal
    code and no frozen codes; an employee who left has every live code frozen (as of
    `left_at`). Idempotent; called wherever employees are created, leave or return."""
    active = [employee for employee in employees if employee.is_active]
    left = [employee.pk for employee in employees if not employee.is_active]
    if left:
        left_at = Employee.objects.filter(pk=OuterRef("owner_id")).values("left_at")[:1]
        ReferralCode.objects.filter(
            owner_id__in=left, revoked_at__isnull=True, frozen_at__isnull=True
        ).update(frozen_at=Coalesce(Subquery(left_at), Value(timezone.now())))
    if active:
        ReferralCode.objects.filter(
            owner_id__in=[employee.pk for employee in active], frozen_at__isnull=False
        ).update(frozen_at=None)
        referral_codes_issue_personal(employees=active)
