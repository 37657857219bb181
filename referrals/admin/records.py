"""The referrals records in the admin: campaigns, codes, shares, sign-ups, events,
claims, sign-up API keys and erasures; everything but campaigns read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from referrals.admin.common import ReadOnlyAdmin
from referrals.models import (
    AttributionEvent,
    Campaign,
    Claim,
    CustomerErasure,
    ReferralCode,
    Share,
    ShareFeedback,
    Signup,
)
from referrals.services.codes import referral_code_revoke


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_at", "ends_at", "friend_perk_en")
    search_fields = ("name",)
    date_hierarchy = "starts_at"


@admin.register(ReferralCode)
class ReferralCodeAdmin(ReadOnlyAdmin):
    list_display = ("display", "owner", "is_personal", "label", "campaign", "status", "created_at")
    list_filter = ("is_personal", "campaign")
    search_fields = ("code", "owner__display_name", "owner__email", "label")
    list_select_related = ("owner", "campaign")
    actions = ["revoke_selected"]
    show_full_result_count = False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff)

    @admin.action(description="Revoke selected codes", permissions=["revoke"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ReferralCode]) -> None:
        for code in queryset.select_related("owner"):
            referral_code_revoke(employee=code.owner, code=code.code)
        self.message_user(request, f"{queryset.count()} code(s) revoked.", messages.SUCCESS)


@admin.register(Share)
class ShareAdmin(ReadOnlyAdmin):
    list_display = ("token", "employee", "channel", "article", "created_at")
    list_filter = ("channel",)
    search_fields = ("token", "employee__display_name", "article__slug")
    list_select_related = ("employee", "article")
    show_full_result_count = False


@admin.register(ShareFeedback)
class ShareFeedbackAdmin(ReadOnlyAdmin):
    list_display = ("share", "helpful", "reason", "created_at")
    list_filter = ("helpful", "reason")
    list_select_related = ("share",)
    exclude = ("visitor_hash",)


@admin.register(Signup)
class SignupAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "source", "occurred_at", "sales_channel", "activated_at")
    list_filter = ("source", "sales_channel", "is_new_customer")
    search_fields = ("external_id",)
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(AttributionEvent)
class AttributionEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "attribution", "from_status", "to_status", "reason", "actor")
    list_filter = ("to_status", "reason")
    list_select_related = ("attribution", "actor")
    show_full_result_count = False


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ("id", "employee", "kind", "status", "signup", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("employee__display_name", "employee__email")
    list_select_related = ("employee", "signup")
    exclude = ("value_hash",)


class SignupApiKeyAdmin(APIKeyModelAdmin):
    """The key's name is the sign-up source, so it cannot change once the key exists."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "name") if obj is not None else fields


admin.site.unregister(APIKey)
admin.site.register(APIKey, SignupApiKeyAdmin)


@admin.register(CustomerErasure)
class CustomerErasureAdmin(admin.ModelAdmin):
    """The audit of erasure requests: read-only, even for administrators."""

    list_display = ("at", "requested_by", "identifier_kinds", "signups", "claims")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
