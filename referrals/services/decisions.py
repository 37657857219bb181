"""Sales ops decisions on attributions: approve, reject, reassign.

Every decision names the version of the attribution the reviewer saw; a record that
changed since is refused (`stale_version`), so nobody overrules what they have not seen.
A decision on many attributions is one transaction: every one applies, or none does and
the error lists each refused id with its reason.

Locks follow the order of sign-up activation and cancellation (the sign-up, then its
attribution), each kind in pk order, so concurrent decisions, activations and
cancellations queue instead of deadlocking. Approving reads the sign-up's activation and
cancellation, which is why the sign-up is locked too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from backend.accounts.models import Employee
from backend.api.errors import Conflict, DomainError, InvalidInput, NotFound
from referrals.models import LIVE_STATUSES, Attribution, AttributionStatus, Signup
from referrals.services.attribution import attribution_set_status, withdrawal_period
from referrals.services.crediting import credit_refusal, own_identifiers_of, reassign_target

MAX_BULK = 500


class DecisionAction(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    REASSIGN = "reassign", "Reassign to another employee"


# The attribution's `reason` after a decision; the reviewer's own words go to the event.
DECISION_REASONS = {
    DecisionAction.APPROVE: "approved_by_ops",
    DecisionAction.REJECT: "rejected_by_ops",
    DecisionAction.REASSIGN: "reassigned_by_ops",
}


@dataclass(frozen=True)
class SeenVersion:
    """An attribution id and the version the reviewer saw."""

    attribution_id: int
    version: int


def _approved_status(signup: Signup, now: datetime) -> str:
    """Pending, or confirmed when the withdrawal period after activation has passed."""
    period = withdrawal_period()
    if signup.cancelled_at is not None and (
        signup.activated_at is None or signup.cancelled_at - signup.activated_at <= period
    ):
        raise Conflict("The customer withdrew: this sign-up cannot count.", code="signup_withdrawn")
    # Differences, not sums: a moment near the calendar's end cannot overflow.
    if signup.activated_at is not None and now - signup.activated_at >= period:
        return AttributionStatus.CONFIRMED
    return AttributionStatus.PENDING


def _target(
    attribution: Attribution, action: str, actor: Employee, employee: Employee | None, now: datetime
) -> str:
    """The status a decision leads to, or the Conflict that explains why it cannot."""
    status = attribution.status
    if attribution.employee_id is not None and attribution.employee_id == actor.pk:
        raise Conflict("You cannot decide on your own attribution.", code="own_attribution")
    if status == AttributionStatus.REVERSED:
        raise Conflict("The customer withdrew: this sign-up cannot count.", code="signup_withdrawn")
    if action == DecisionAction.REJECT:
        if status == AttributionStatus.UNATTRIBUTED:
            raise Conflict("This sign-up has no referrer to reject.", code="no_referrer")
        if status == AttributionStatus.REJECTED:
            raise Conflict("This attribution is already rejected.", code="already_rejected")
        return AttributionStatus.REJECTED
    if action == DecisionAction.APPROVE:
        if status in (AttributionStatus.PENDING, AttributionStatus.CONFIRMED):
            raise Conflict("This attribution is already approved.", code="already_approved")
        if attribution.employee_id is None:
            raise Conflict(
                "This sign-up has no referrer to approve; reassign it to an employee.",
                code="no_referrer",
            )
        return _approved_status(attribution.signup, now)
    assert employee is not None
    if employee.pk == attribution.employee_id:
        raise Conflict("It already counts for this employee.", code="already_assigned")
    if employee.pk == actor.pk:
        raise Conflict("You cannot assign a sign-up to yourself.", code="own_attribution")
    if status in LIVE_STATUSES - {AttributionStatus.NEEDS_REVIEW}:
        return status  # moves to the new employee as it is
    return _approved_status(attribution.signup, now)


def attributions_lock(ids: Sequence[int]) -> dict[int, Attribution]:
    """FOR UPDATE locks on the sign-ups, then the attributions, each in pk order."""
    signup_ids = Attribution.objects.filter(pk__in=ids).values_list("signup_id", flat=True)
    list(Signup.objects.select_for_update().filter(pk__in=signup_ids).order_by("pk").values("pk"))
    return {
        attribution.pk: attribution
        for attribution in Attribution.objects.select_for_update(of=("self",))
        .select_related("signup", "employee")
        .filter(pk__in=ids)
        .order_by("pk")
    }


def _error(attribution_id: int, exc: DomainError) -> dict[str, object]:
    return {"id": attribution_id, "code": exc.code, "message": exc.message, **(exc.extra or {})}


def _reason_required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "Give a reason for the decision.",
            fields={"reason": [{"code": "required", "message": "Give a reason."}]},
        )
    return reason


def _checked_ids(seen: Sequence[SeenVersion]) -> list[int]:
    ids = [item.attribution_id for item in seen]
    if len(set(ids)) != len(ids):
        raise InvalidInput("An attribution may appear only once.", code="duplicate_id")
    if len(ids) > MAX_BULK:
        raise InvalidInput(f"At most {MAX_BULK} attributions at once.", code="too_many")
    return ids


def _reassign_target_of(action: str, employee_id: int | None) -> Employee | None:
    if action != DecisionAction.REASSIGN:
        return None
    if employee_id is None:
        raise InvalidInput("Name the employee to reassign to.", code="employee_required")
    return reassign_target(employee_id)


def _all_locked(ids: list[int]) -> dict[int, Attribution]:
    attributions = attributions_lock(ids)
    missing = sorted(set(ids) - set(attributions))
    if missing:
        raise NotFound(
            "No attribution with these ids.", code="attribution_not_found", extra={"ids": missing}
        )
    return attributions


@dataclass(frozen=True)
class _Decision:
    """One decision as it applies to each attribution of a batch."""

    action: str
    actor: Employee
    employee: Employee | None  # the new employee of a reassignment
    note: str
    at: datetime
    own_identifiers: set[tuple[int, str]]


def _decide_one(attribution: Attribution, version: int, decision: _Decision) -> None:
    """Applies the decision to one locked attribution, or raises the Conflict refusing it."""
    if attribution.version != version:
        raise Conflict(
            f"Changed since you saw it (version {version}, now "
            f"{attribution.version}); reload and decide again.",
            code="stale_version",
            extra={"current_version": attribution.version},
        )
    action, employee = decision.action, decision.employee
    to_status = _target(attribution, action, decision.actor, employee, decision.at)
    credited = employee or attribution.employee
    if action != DecisionAction.REJECT and credited is not None:
        refusal = credit_refusal(
            employee=credited,
            signup=attribution.signup,
            own_identifiers=decision.own_identifiers,
        )
        if refusal is not None:
            raise refusal
    attribution_set_status(
        attribution=attribution,
        to_status=to_status,
        reason=DECISION_REASONS[DecisionAction(action)],
        actor=decision.actor,
        note=decision.note,
        at=decision.at,
        reassign_to=employee,
    )


@transaction.atomic
def attributions_decide(
    *,
    seen: Sequence[SeenVersion],
    actor: Employee,
    action: str,
    reason: str,
    employee_id: int | None = None,
    note_prefix: str = "",
) -> list[Attribution]:
    """Applies one decision to every attribution in `seen`, all or nothing.

    `reason` is mandatory (the reviewer's words, kept on the event); `employee_id` is the
    new employee of a reassignment. Unknown ids raise NotFound(`attribution_not_found`);
    any refused attribution raises Conflict listing every refusal in `errors`, or, for a
    single attribution, the refusal itself.
    """
    reason = _reason_required(reason)
    ids = _checked_ids(seen)
    employee = _reassign_target_of(action, employee_id)
    attributions = _all_locked(ids)
    credits = action != DecisionAction.REJECT
    own = own_identifiers_of(list(attributions.values()), employee) if credits else set()
    decision = _Decision(action, actor, employee, f"{note_prefix}{reason}", timezone.now(), own)
    errors: list[dict[str, object]] = []
    for item in sorted(seen, key=lambda item: item.attribution_id):
        try:
            _decide_one(attributions[item.attribution_id], item.version, decision)
        except Conflict as exc:
            if len(seen) == 1:
                raise
            errors.append(_error(item.attribution_id, exc))
    if errors:
        raise Conflict(
            f"{len(errors)} of {len(ids)} attributions cannot be decided so; nothing changed.",
            code="decisions_refused",
            extra={"errors": errors},
        )
    return [attributions[attribution_id] for attribution_id in ids]


def attribution_decide(
    *,
    attribution_id: int,
    version: int,
    actor: Employee,
    action: str,
    reason: str,
    employee_id: int | None = None,
    note_prefix: str = "",
) -> Attribution:
    """One decision; see `attributions_decide`."""
    [attribution] = attributions_decide(
        seen=[SeenVersion(attribution_id, version)],
        actor=actor,
        action=action,
        reason=reason,
        employee_id=employee_id,
        note_prefix=note_prefix,
    )
    return attribution
