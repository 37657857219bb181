"""The Django admin, opened to knowledge editors and sales ops as well as staff.

Django's default admin admits only `is_staff`. Here `is_staff` means administrator, and
editors and sales ops work in the admin too, limited by the model permissions their
role group holds (see `backend.accounts.roles.ROLE_PERMISSIONS`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse

from backend.accounts.roles import Role


def may_use_admin(user: Any) -> bool:
    return bool(user.is_staff) or any(user.has_role(role) for role in Role)


class CeoAdminSite(admin.AdminSite):
    site_header = "CEO app administration"
    site_title = "CEO app admin"
    index_title = "Employees, knowledge and referrals"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return may_use_admin(user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # Imported here: auth forms need the app registry, which this module precedes.
        from backend.admin_login import CeoAdminLoginForm

        self.login_form = CeoAdminLoginForm
        return super().login(request, extra_context)


class CeoAdminConfig(AdminConfig):
    default_site = "backend.admin.CeoAdminSite"
