"""Who sales ops may credit with a sign-up: the attribution rules that concern the person
(still employed at the sign-up, not the customer themselves), asked by every decision
that credits someone."""

from __future__ import annotations

from collections.abc import Sequence

from backend.accounts.identifiers import work_email_hash
from backend.accounts.models import Employee, EmployeeIdentifier
from backend.api.errors import Conflict, NotFound
from referrals.models import Attribution, Signup


def reassign_target(employee_id: int) -> Employee:
    employee = Employee.objects.filter(pk=employee_id).first()
    if employee is None:
        raise NotFound("No employee with this id.", code="employee_not_found")
    if not employee.is_active:
        raise Conflict("This employee has left and cannot be credited.", code="employee_inactive")
    return employee


def own_identifiers_of(
    attributions: Sequence[Attribution], employee: Employee | None
) -> set[tuple[int, str]]:
    """(employee id, hash) pairs of the identifiers that the employees to be credited
    (`employee`, else each attribution's own) hold among these customers' hashes."""
    credited = (
        {employee.pk}
        if employee
        else {a.employee_id for a in attributions if a.employee_id is not None}
    )
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
    work_hashes = {(pk, hashed) for pk, email in emails if (hashed := work_email_hash(email))}
    pairs |= work_hashes & {(pk, value) for pk in credited for value in hashes}
    return pairs


def credit_refusal(
    *, employee: Employee, signup: Signup, own_identifiers: set[tuple[int, str]]
) -> Conflict | None:
    """Why `employee` may not be credited for `signup`, by the attribution rules that
    concern the person (see `referrals.services.signups`), or None. Every path that
    credits someone (approve, reassign, an accepted claim, bulk) asks this.

    `own_identifiers` holds (employee id, hash) pairs from `own_identifiers_of`.
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
