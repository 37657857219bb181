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

from backend.accounts.identifiers import work_email_hash
from backend.accounts.models import Employee, EmployeeIdentifier
from backend.api.errors import Conflict, DomainError, InvalidInput, NotFound
from referrals.models import LIVE_STATUSES, Attribution, AttributionStatus, Signup
from referrals.services.attribution import attribution_set_status, withdrawal_period

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


def _reassign_target(employee_id: int) -> Employee:
    employee = Employee.objects.filter(pk=employee_id).first()
    if employee is None:
        raise NotFound("No employee with this id.", code="employee_not_found")
    if not employee.is_active:
        raise Conflict("This employee has left and cannot be credited.", code="employee_inactive")
    return employee


def _own_identifiers(
    attributions: Sequence[Attribution], employee: Employee | None
) -> set[tuple[int, str]]:
    """(employee id, hash) pairs of the identifiers that the employees to be credited
    (`employee`, else each attribution's own) hold among these customers' hashes."""
    credited = {employee.pk} if employee else {a.employee_id for a in attributions} - {None}
    hashes = {value for a in attributions for value in a.signup.customer_hashes().values()}
    if not credited or not hashes:
        return set()
    own = EmployeeIdentifier.objects.filter(employee_id__in=credited, value_hash__in=hashes)
    pairs = set(own.values_list("employee_id", "value_hash"))
    # The work email is the employee's own identifier too, hashed on the fly so that it
    # follows a changed address.
    emails = (
        [(employee.pk, employee.email)]
        if employee
        else Employee.objects.filter(pk__in=credited).values_list("pk", "email")
    )
    pairs |= {(pk, work_email_hash(email)) for pk, email in emails} & {
        (pk, value) for pk in credited for value in hashes
    }
    return pairs


def credit_refusal(
    *, employee: Employee, signup: Signup, own_identifiers: set[tuple[int, str]]
) -> Conflict | None:
    """Why `employee` may not be credited for `signup`, by the attribution rules that
    concern the person (see `referrals.services.signups`), or None. Every path that
    credits someone (approve, reassign, an accepted claim, bulk) asks this.

    `own_identifiers` holds (employee id, hash) pairs from `_own_identifiers`.
    """
    left = not employee.is_active and (
        employee.left_at is None or employee.left_at <= signup.occurred_at
    )
    if left:
        return Conflict(
            "The referrer had left at the sign-up and cannot be credited.",
            code="referrer_inactive",
        )
    if any((employee.pk, value) in own_identifiers for value in signup.customer_hashes().values()):
        return Conflict("The customer is this employee themselves.", code="self_referral")
    return None


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
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "Give a reason for the decision.",
            fields={"reason": [{"code": "required", "message": "Give a reason."}]},
        )
    ids = [item.attribution_id for item in seen]
    if len(set(ids)) != len(ids):
        raise InvalidInput("An attribution may appear only once.", code="duplicate_id")
    if len(ids) > MAX_BULK:
        raise InvalidInput(f"At most {MAX_BULK} attributions at once.", code="too_many")
    employee = None
    if action == DecisionAction.REASSIGN:
        if employee_id is None:
            raise InvalidInput("Name the employee to reassign to.", code="employee_required")
        employee = _reassign_target(employee_id)

    now = timezone.now()
    attributions = attributions_lock(ids)
    missing = sorted(set(ids) - set(attributions))
    if missing:
        raise NotFound(
            "No attribution with these ids.", code="attribution_not_found", extra={"ids": missing}
        )
    credits = action != DecisionAction.REJECT
    own = _own_identifiers(list(attributions.values()), employee) if credits else set()
    errors: list[dict[str, object]] = []
    decided: list[Attribution] = []
    for item in sorted(seen, key=lambda item: item.attribution_id):
        attribution = attributions[item.attribution_id]
        try:
            if attribution.version != item.version:
                raise Conflict(
                    f"Changed since you saw it (version {item.version}, now "
                    f"{attribution.version}); reload and decide again.",
                    code="stale_version",
                    extra={"current_version": attribution.version},
                )
            to_status = _target(attribution, action, actor, employee, now)
            credited = employee or attribution.employee
            if action != DecisionAction.REJECT and credited is not None:
                refusal = credit_refusal(
                    employee=credited, signup=attribution.signup, own_identifiers=own
                )
                if refusal is not None:
                    raise refusal
            attribution_set_status(
                attribution=attribution,
                to_status=to_status,
                reason=DECISION_REASONS[DecisionAction(action)],
                actor=actor,
                note=f"{note_prefix}{reason}",
                at=now,
                reassign_to=employee,
            )
            decided.append(attribution)
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
    position = {attribution_id: index for index, attribution_id in enumerate(ids)}
    return sorted(decided, key=lambda attribution: position[attribution.pk])


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
