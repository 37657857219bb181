"""SCIM writes: each provisioning call becomes the one employment action (hire, change,
leave, return), so codes and sessions follow exactly as for the roster and the admin.

A DELETE keeps the row (past attributions keep their owner) but, as RFC 7644 3.6 asks,
the user is gone for SCIM: every operation on their id answers 404 and no list or filter
shows them. A later POST with their userName or employeeNumber is their return."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from backend.accounts.employment import (
    employee_change,
    employee_hire,
    employee_leave,
    employee_return,
    employee_set_active,
)
from backend.accounts.models import Employee
from backend.accounts.scim.resources import Changes, ScimError
from backend.api.errors import Conflict, NotFound


def scim_users() -> QuerySet[Employee]:
    """The users SCIM knows: everyone but those the provider deleted."""
    return Employee.objects.filter(scim_deleted_at__isnull=True)


def scim_user_get(*, scim_id: str, for_update: bool = False) -> Employee:
    queryset = scim_users()
    if for_update:
        queryset = queryset.select_for_update()
    # isascii: str.isdigit() also takes digits int() refuses, such as "²".
    valid = scim_id.isascii() and scim_id.isdigit()
    employee = queryset.filter(pk=int(scim_id)).first() if valid else None
    if employee is None:
        raise NotFound("No such user.", code="not_found")
    return employee


def _conflict() -> Conflict:
    return Conflict("A user with this userName or employeeNumber exists.", code="uniqueness")


def _deleted_holder(*, email: str, employee_number: str) -> Employee | None:
    """The deleted user holding this userName or employeeNumber, locked. Once a concurrent
    return has cleared the mark the row no longer matches, and the caller's hire conflicts."""
    holder = Q(email=email.strip().lower()) | Q(employee_number=employee_number)
    queryset = Employee.objects.select_for_update().filter(holder, scim_deleted_at__isnull=False)
    return queryset.order_by("pk").first()


@transaction.atomic
def scim_user_create(*, changes: Changes) -> Employee:
    """Hires the employee the document describes (no password: they sign in with single
    sign-on, or an invitation), or takes back the deleted user holding its userName or
    employeeNumber: same row and id, profile replaced, codes unfrozen. `active: false`
    hires (or takes back) and leaves in one transaction."""
    fields = changes.fields
    for name, attribute in (("email", "userName"), ("employee_number", "employeeNumber")):
        if not fields.get(name):
            raise ScimError(
                f"{attribute} is required (map it in the provider's attribute mappings)."
            )
    display_name = fields.get("display_name") or fields["email"].split("@")[0]
    fields = {**fields, "display_name": display_name}
    employee = _deleted_holder(email=fields["email"], employee_number=fields["employee_number"])
    try:
        if employee is None:
            employee = Employee(**fields)
            employee.set_unusable_password()
            employee_hire(employee=employee)
        else:
            employee_change(employee=employee, data=fields)
            employee_return(employee=employee)
    except Conflict:
        raise _conflict() from None
    if changes.active is False:
        employee_leave(employee=employee)
    return employee


@transaction.atomic
def scim_user_update(*, scim_id: str, changes: Changes) -> Employee:
    """PUT or PATCH: the profile fields change, then leave or return when `active` flips.
    Holds a FOR UPDATE lock on the employee for the whole update."""
    employee = scim_user_get(scim_id=scim_id, for_update=True)
    try:
        employee_change(employee=employee, data=changes.fields)
    except Conflict:
        raise _conflict() from None
    if changes.active is not None:
        employee_set_active(employee=employee, active=changes.active)
    return employee


@transaction.atomic
def scim_user_delete(*, scim_id: str) -> None:
    """The provider deletes the user: they leave (if not already left: the first date
    stays) and are marked deleted, so SCIM answers 404 for them from now on."""
    employee = scim_user_get(scim_id=scim_id, for_update=True)
    employee_leave(employee=employee)
    employee.scim_deleted_at = timezone.now()
    employee.save(update_fields=["scim_deleted_at"])


def scim_users_filter(*, attribute: str, value: str) -> QuerySet[Employee]:
    """Users whose `attribute` equals `value`: userName and emails case-insensitively
    (caseExact false in RFC 7643), externalId exactly."""
    if attribute in ("username", "emails.value", 'emails[type eq "work"].value'):
        return scim_users().filter(email=value.strip().lower())
    if attribute == "externalid":
        return scim_users().filter(external_id=value)
    if attribute == "enterprise.employeenumber":
        return scim_users().filter(employee_number=value)
    raise ScimError(f"Filtering on {attribute!r} is not supported.", code="invalidFilter")
