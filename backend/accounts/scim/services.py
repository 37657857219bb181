"""SCIM writes: each provisioning call becomes the one employment action (hire, change,
leave, return), so codes and sessions follow exactly as for the roster and the admin."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from backend.accounts.employment import employee_change, employee_hire, employee_set_active
from backend.accounts.models import Employee
from backend.accounts.scim.resources import Changes, ScimError
from backend.api.errors import Conflict, NotFound


def scim_user_get(*, scim_id: str, for_update: bool = False) -> Employee:
    queryset: QuerySet[Employee] = Employee.objects.all()
    if for_update:
        queryset = queryset.select_for_update()
    employee = queryset.filter(pk=int(scim_id)).first() if scim_id.isdigit() else None
    if employee is None:
        raise NotFound("No such user.", code="not_found")
    return employee


def _conflict() -> Conflict:
    return Conflict("A user with this userName or employeeNumber exists.", code="uniqueness")


@transaction.atomic
def scim_user_create(*, changes: Changes) -> Employee:
    """Hires the employee the document describes (no password: they sign in with single
    sign-on, or an invitation). `active: false` hires and leaves in one transaction."""
    fields = changes.fields
    for name, attribute in (("email", "userName"), ("employee_number", "employeeNumber")):
        if not fields.get(name):
            raise ScimError(
                f"{attribute} is required (map it in the provider's attribute mappings)."
            )
    display_name = fields.get("display_name") or fields["email"].split("@")[0]
    employee = Employee(**{**fields, "display_name": display_name})
    employee.set_unusable_password()
    try:
        employee_hire(employee=employee)
    except Conflict:
        raise _conflict() from None
    if changes.active is False:
        employee_set_active(employee=employee, active=False)
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


def scim_user_delete(*, scim_id: str) -> None:
    """The provider deletes the user: they leave. The row stays (their past attributions
    keep their owner), inactive, so a later re-assignment can return them."""
    employee = scim_user_get(scim_id=scim_id)
    employee_set_active(employee=employee, active=False)


def scim_users_filter(*, attribute: str, value: str) -> QuerySet[Employee]:
    """Users whose `attribute` equals `value`: userName and emails case-insensitively
    (caseExact false in RFC 7643), externalId exactly."""
    if attribute in ("username", "emails.value", 'emails[type eq "work"].value'):
        return Employee.objects.filter(email=value.strip().lower())
    if attribute == "externalid":
        return Employee.objects.filter(external_id=value)
    if attribute == "enterprise.employeenumber":
        return Employee.objects.filter(employee_number=value)
    raise ScimError(f"Filtering on {attribute!r} is not supported.", code="invalidFilter")
