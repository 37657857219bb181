"""Admin parts shared by the referrals admin and the sales ops workspace."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from referrals.models import AttributionEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the product's rules, never by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttributionEventInline(admin.TabularInline):
    model = AttributionEvent
    fields = (
        "at",
        "from_status",
        "to_status",
        "reason",
        "actor",
        "from_employee",
        "to_employee",
        "note",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
