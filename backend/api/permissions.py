"""Permissions. The default is DenyAll: a view is reachable only after it says who may use it."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request

from backend.accounts.roles import Role


class DenyAll(BasePermission):
    """The project default, so that a view without explicit permissions is closed."""

    message = "This endpoint has no access rule and is closed."

    def has_permission(self, request: Request, view: Any) -> bool:
        return False


class IsEmployee(BasePermission):
    """An authenticated, active employee (any role)."""

    message = "You must be signed in as an active employee."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class _HasRole(IsEmployee):
    role: Role

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and request.user.has_role(self.role)


class IsEditor(_HasRole):
    role = Role.EDITOR
    message = "Only knowledge editors may do this."


class IsSalesOps(_HasRole):
    role = Role.SALES_OPS
    message = "Only sales operations may do this."


class IsStaff(IsEmployee):
    message = "Only administrators may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and bool(request.user.is_staff)


class Public(AllowAny):
    """Anyone, signed in or not: friend-facing pages, health checks, login."""
