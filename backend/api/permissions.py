"""Permissions. The default is DenyAll: a view is reachable only after it says who may use it."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request

from backend.accounts.models import Employee
from backend.accounts.roles import Role


def signed_in_employee(request: Request) -> Employee | None:
    """The active employee making the request, or None (anonymous or inactive)."""
    user = request.user
    return user if isinstance(user, Employee) and user.is_active else None


class DenyAll(BasePermission):
    """The project default, so that a view without explicit permissions is closed."""

    message = "This endpoint has no access rule and is closed."

    def has_permission(self, request: Request, view: Any) -> bool:
        return False


class IsEmployee(BasePermission):
    """An authenticated, active employee (any role)."""

    message = "You must be signed in as an active employee."

    def has_permission(self, request: Request, view: Any) -> bool:
        return signed_in_employee(request) is not None


class _HasRole(IsEmployee):
    role: Role

    def has_permission(self, request: Request, view: Any) -> bool:
        employee = signed_in_employee(request)
        return employee is not None and employee.has_role(self.role)


class IsEditor(_HasRole):
    role = Role.EDITOR
    message = "Only knowledge editors may do this."


class IsSalesOps(_HasRole):
    role = Role.SALES_OPS
    message = "Only sales operations may do this."


class IsStaff(IsEmployee):
    message = "Only administrators may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        employee = signed_in_employee(request)
        return employee is not None and employee.is_staff


class Public(AllowAny):
    """Anyone, signed in or not: friend-facing pages, health checks, login."""
