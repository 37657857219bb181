"""Admin for webhook endpoints and their delivery log (staff only: no role grants these)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from backend.events.models import (
    DeliveryStatus,
    Device,
    Notification,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from backend.events.webhooks import EVENT_TYPES, delivery_schedule, secret_new, url_check


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        choices=[(name, name) for name in EVENT_TYPES], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "event_types", "is_active")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        from backend.api.errors import InvalidInput

        try:
            url_check(url, resolve=False)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "event_types", "is_active", "disabled_at", "created_at")
    list_filter = ("is_active",)
    readonly_fields = ("disabled_at", "disabled_reason", "created_at")
    actions = ("enable",)

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:
        if not change:
            secret, obj.secret_encrypted = secret_new()
            messages.warning(
                request,
                f"The signing secret, shown only now: {secret} — give it to the receiver.",
            )
        if obj.is_active:
            obj.disabled_at = None
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)

    @admin.action(description="Enable again (after the receiver is fixed)")
    def enable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        count = queryset.update(is_active=True, disabled_at=None, disabled_reason="")
        self.message_user(request, f"{count} endpoint(s) enabled.")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("at", "status_code", "error", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "message_id",
        "endpoint",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
    )
    list_filter = ("status", "event_type", "endpoint")
    search_fields = ("message_id", "subject")
    readonly_fields = (
        "endpoint",
        "message_id",
        "event_type",
        "subject",
        "payload",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
    )
    inlines = (WebhookAttemptInline,)
    actions = ("replay",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Replay (same webhook-id, signed afresh)")
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        replayed = 0
        for delivery in queryset.select_related("endpoint"):
            if not delivery.endpoint.is_active:
                continue
            delivery.status = DeliveryStatus.PENDING
            delivery.attempts = 0
            delivery.save(update_fields=["status", "attempts"])
            delivery_schedule(delivery)
            replayed += 1
        skipped = queryset.count() - replayed
        note = f"; {skipped} skipped (endpoint disabled: enable it first)" if skipped else ""
        self.message_user(request, f"{replayed} delivery(ies) queued again{note}.")


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("employee", "platform", "timezone", "created_at", "last_used_at")
    raw_id_fields = ("employee",)
    exclude = ("token",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("employee", "kind", "created_at", "read_at", "pushed_at", "push_skipped")
    list_filter = ("kind",)
    raw_id_fields = ("employee",)
