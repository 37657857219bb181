"""The one employment action: hire, change, leave, return.

SCIM provisioning, the CSV roster import, the admin and the demo all go through these
functions, so an employee's codes, sessions and records follow their employment the same
way whichever door HR used. The platform does not know what other apps keep per employee:
it announces each change with the signals below, sent inside the transaction of the
change, and apps (referrals: personal codes) connect to them in their `AppConfig.ready()`.
A receiver's writes therefore commit or roll back together with the change itself.

Within `employment_batch()` the announcements are collected and sent once per kind at the
end of the block, so that a roster of thousands of rows issues codes in bulk.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from backend.accounts.models import Employee
from backend.accounts.roles import Role
from backend.api.errors import Conflict

# Each is sent with `employees`: a list of Employee instances as stored after the change.
employees_hired = Signal()
employees_left = Signal()
employees_returned = Signal()

_SIGNALS = {"hired": employees_hired, "left": employees_left, "returned": employees_returned}
_batch: ContextVar[dict[str, list[Employee]] | None] = ContextVar("employment_batch", default=None)

# What `employee_change` may set; employment status has its own actions.
PROFILE_FIELDS = (
    "email",
    "employee_number",
    "display_name",
    "department",
    "team",
    "language",
    "external_id",
)

_DUPLICATE = "An employee with this email or employee number exists."


def _announce(kind: str, employee: Employee) -> None:
    pending = _batch.get()
    if pending is not None:
        pending[kind].append(employee)
    else:
        _SIGNALS[kind].send(sender=Employee, employees=[employee])


@contextlib.contextmanager
def employment_batch() -> Iterator[None]:
    """Collects the announcements of the actions inside the block and sends them, one
    signal per kind, when it ends without an error. Use inside the caller's transaction."""
    if _batch.get() is not None:
        yield  # already collecting: the outer block sends
        return
    pending: dict[str, list[Employee]] = {kind: [] for kind in _SIGNALS}
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    for kind, employees in pending.items():
        if employees:
            _SIGNALS[kind].send(sender=Employee, employees=employees)


def employee_hire(*, employee: Employee, roles: Iterable[Role | str] = ()) -> Employee:
    """Stores a new employee built by the caller (password set or unusable) and announces
    the hire. Raises Conflict when the email or employee number is taken; inside a
    caller's transaction that transaction is then spoilt (no savepoint per hire, which a
    roster of thousands would pay for): let the Conflict propagate."""
    from backend.accounts.services import employee_set_roles

    employee.email = employee.email.strip().lower()
    employee.is_active, employee.left_at = True, None
    with transaction.atomic(savepoint=False):
        try:
            employee.save(force_insert=True)
        except IntegrityError:
            employee.pk = None
            raise Conflict(_DUPLICATE, code="duplicate_employee") from None
        if roles:
            employee_set_roles(employee=employee, roles=roles)
        _announce("hired", employee)
    return employee


def employee_change(*, employee: Employee, data: Mapping[str, Any]) -> list[str]:
    """Sets profile fields (PROFILE_FIELDS only); returns the names that changed.
    Raises Conflict when the new email or employee number belongs to someone else."""
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    values = dict(data)
    if "email" in values:
        values["email"] = str(values["email"]).strip().lower()
    changed = [name for name, value in values.items() if getattr(employee, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(employee, name, values[name])
    try:
        with transaction.atomic():
            employee.save(update_fields=changed)
    except IntegrityError:
        employee.refresh_from_db(fields=changed)
        raise Conflict(_DUPLICATE, code="duplicate_employee") from None
    return changed


def _locked(employee: Employee) -> Employee:
    locked = Employee.objects.select_for_update().get(pk=employee.pk)
    employee.is_active, employee.left_at = locked.is_active, locked.left_at
    employee.scim_deleted_at = locked.scim_deleted_at
    return employee


def employee_leave(*, employee: Employee, left_at: datetime | None = None) -> bool:
    """Marks the employee as left (as of `left_at`, default now), freezes what apps keep
    for them and ends their sessions. Returns False when they had already left.

    Holds a FOR UPDATE lock on the employee, so two concurrent leaves record one date.
    """
    from backend.accounts.services import employee_sessions_end

    with transaction.atomic():
        _locked(employee)
        if not employee.is_active and employee.left_at is not None:
            return False
        employee.is_active = False
        employee.left_at = left_at or timezone.now()
        employee.save(update_fields=["is_active", "left_at"])
        employee_sessions_end(employee=employee)
        _announce("left", employee)
    return True


def employee_return(*, employee: Employee) -> bool:
    """Takes back an employee who left: active again, `left_at` cleared, their codes
    unfrozen. Returns False when they were active. Holds a FOR UPDATE lock on the employee.

    Whichever door they come back through, a SCIM delete mark is cleared too: the identity
    provider sees them again (RFC 7644 hides deleted users only while they are away)."""
    with transaction.atomic():
        _locked(employee)
        if employee.is_active:
            return False
        employee.is_active = True
        employee.left_at = employee.scim_deleted_at = None
        employee.save(update_fields=["is_active", "left_at", "scim_deleted_at"])
        _announce("returned", employee)
    return True


def employee_set_active(
    *, employee: Employee, active: bool, left_at: datetime | None = None
) -> bool:
    """Leave or return, whichever `active` asks for; True when something changed."""
    if active:
        return employee_return(employee=employee)
    return employee_leave(employee=employee, left_at=left_at)
