from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from backend.accounts.employment import employee_hire, employee_leave, employee_return
from backend.accounts.models import Employee, EmployeeIdentifier, ScimToken
from backend.accounts.services import employee_sessions_end


class EmployeeCreationForm(UserCreationForm):
    class Meta:
        model = Employee
        fields = ("email", "employee_number", "display_name", "department", "team", "language")


class EmployeeIdentifierInline(admin.TabularInline):
    """Hashes only: the personal values themselves are never stored."""

    model = EmployeeIdentifier
    extra = 0
    fields = ("kind", "value_hash", "created_at")
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Employee)
class EmployeeAdmin(UserAdmin):
    add_form = EmployeeCreationForm
    ordering = ("display_name",)
    list_display = (
        "display_name",
        "email",
        "employee_number",
        "department",
        "team",
        "is_active",
        "is_staff",
    )
    list_filter = ("is_active", "is_staff", "groups", "department", "team", "language")
    search_fields = ("display_name", "email", "employee_number")
    # Leaving and returning are actions (below), so that `left_at` is always recorded and
    # codes and sessions follow: never a bare checkbox.
    readonly_fields = ("last_login", "date_joined", "is_active", "left_at", "scim_deleted_at")
    inlines = [EmployeeIdentifierInline]
    actions = ["deactivate_selected", "reactivate_selected", "end_sessions_selected"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Employee",
            {
                "fields": (
                    "employee_number",
                    "display_name",
                    "department",
                    "team",
                    "language",
                    "ranking_opt_out",
                )
            },
        ),
        (
            "Roles and access",
            {"fields": ("is_active", "left_at", "scim_deleted_at", "is_staff", "groups")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "employee_number",
                    "display_name",
                    "department",
                    "team",
                    "language",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    filter_horizontal = ("groups",)

    def save_model(self, request: HttpRequest, obj: Employee, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            employee_hire(employee=obj)

    @admin.action(description="Mark selected employees as left (deactivate)")
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet[Employee]) -> None:
        count = sum(employee_leave(employee=employee) for employee in queryset.order_by("pk"))
        self.message_user(request, f"{count} employee(s) deactivated.", messages.SUCCESS)

    @admin.action(description="Mark selected employees as returned (reactivate)")
    def reactivate_selected(self, request: HttpRequest, queryset: QuerySet[Employee]) -> None:
        count = sum(employee_return(employee=employee) for employee in queryset.order_by("pk"))
        self.message_user(request, f"{count} employee(s) reactivated.", messages.SUCCESS)

    @admin.action(description="End all sessions of selected employees (they must log in again)")
    def end_sessions_selected(self, request: HttpRequest, queryset: QuerySet[Employee]) -> None:
        employees = list(queryset.order_by("pk"))
        for employee in employees:
            employee_sessions_end(employee=employee)
        self.message_user(
            request, f"Sessions ended for {len(employees)} employee(s).", messages.SUCCESS
        )


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `manage.py create_scim_token NAME` (shown once); here they
    are listed and revoked."""

    list_display = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    fields = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke selected SCIM tokens")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ScimToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} SCIM token(s) revoked.", messages.SUCCESS)
