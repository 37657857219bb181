"""The sales ops workspace in the admin: the review queue with its filters and search,
approve and reject actions that ask for the reason on an intermediate page (with the
versions shown there, so a record that changed meanwhile is refused), the rule trace and
read-only events on each attribution, and a CSV download of the filtered queue.

Decisions go through `referrals.services.decisions`, exactly as through the API; the
admin never saves an attribution itself.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from backend.accounts.models import Employee
from backend.api.errors import DomainError
from referrals.admin.common import AttributionEventInline, ReadOnlyAdmin
from referrals.codes import CodeMalformed, CodeTypo, normalize_code
from referrals.models import Attribution
from referrals.ops.apis.export import queue_csv_response
from referrals.ops.selectors.dashboard import dashboard_build
from referrals.ops.selectors.queue import QUEUE_ORDER, reason_or_signal
from referrals.services.decisions import MAX_BULK, DecisionAction, SeenVersion, attributions_decide


def _employee(request: HttpRequest) -> Employee:
    """The signed-in employee deciding in the admin (`admin_view` lets only staff in)."""
    if not isinstance(request.user, Employee):
        raise PermissionDenied
    return request.user


class DecisionReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept with the decision in the attribution's history.",
    )


class DepartmentFilter(admin.SimpleListFilter):
    title = "department"
    parameter_name = "department"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        names = Employee.objects.exclude(department="").values_list("department", flat=True)
        return [(name, name) for name in sorted(set(names))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(employee__department=value) if value else queryset


class TeamFilter(admin.SimpleListFilter):
    title = "team"
    parameter_name = "team"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        teams = Employee.objects.exclude(team="").values_list("team", flat=True)
        return [(name, name) for name in sorted(set(teams))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(employee__team=value) if value else queryset


class ReviewSignalFilter(admin.SimpleListFilter):
    title = "review signal"
    parameter_name = "signal"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("velocity", "velocity"), ("channel_conflict", "channel conflict")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(reason_or_signal(value)) if value else queryset


@admin.register(Attribution)
class AttributionAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "status",
        "reason",
        "employee",
        "external_id",
        "occurred_at",
        "version",
        "created_at",
    )
    list_filter = (
        "status",
        "reason",
        ReviewSignalFilter,
        DepartmentFilter,
        TeamFilter,
        ("code__campaign", admin.RelatedOnlyFieldListFilter),
        "share__channel",
        "signup__sales_channel",
    )
    search_fields = (
        "employee__display_name",
        "employee__email",
        "employee__employee_number",
        "signup__external_id",
    )
    search_help_text = "Employee name, email or number, referral code, or the sign-up's id."
    list_select_related = ("signup", "employee")
    ordering = QUEUE_ORDER
    inlines = [AttributionEventInline]
    exclude = ("trace",)
    readonly_fields = ("rule_trace",)
    actions = ["approve_selected", "reject_selected"]
    show_full_result_count = False

    @admin.display(description="sign-up", ordering="signup__external_id")
    def external_id(self, obj: Attribution) -> str:
        return obj.signup.external_id

    @admin.display(description="occurred", ordering="signup__occurred_at")
    def occurred_at(self, obj: Attribution) -> Any:
        return obj.signup.occurred_at

    @admin.display(description="Rule trace")
    def rule_trace(self, obj: Attribution) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.trace, indent=2, ensure_ascii=False))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """Also finds a referral code typed the way people type them (dash, case, O/0)."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        try:
            canonical = normalize_code(search_term)
        except (CodeMalformed, CodeTypo):
            return found, duplicates
        return queryset.filter(Q(pk__in=found.values("pk")) | Q(code__code=canonical)), duplicates

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("referrals.change_attribution"))

    @admin.action(description="Approve selected attributions…", permissions=["decide"])
    def approve_selected(
        self, request: HttpRequest, queryset: QuerySet[Attribution]
    ) -> HttpResponse | None:
        return self._decide(request, queryset, DecisionAction.APPROVE)

    @admin.action(description="Reject selected attributions…", permissions=["decide"])
    def reject_selected(
        self, request: HttpRequest, queryset: QuerySet[Attribution]
    ) -> HttpResponse | None:
        return self._decide(request, queryset, DecisionAction.REJECT)

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[Attribution], action: str
    ) -> HttpResponse | None:
        """First call: the intermediate page asking for the reason, showing the versions
        it will decide on. Second call (`confirm`): the decision, all or nothing."""
        rows = list(queryset.select_related("signup", "employee").order_by("pk")[: MAX_BULK + 1])
        if len(rows) > MAX_BULK:
            self.message_user(request, f"Select at most {MAX_BULK}.", messages.ERROR)
            return None
        form = DecisionReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            self._decide_confirmed(request, rows, action, form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{action.capitalize()} {len(rows)} attribution(s)",
            "opts": self.model._meta,
            "rows": rows,
            "form": form,
            "action": request.POST.get("action", ""),
            "action_name": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/referrals/attribution/decide.html", context)

    def _decide_confirmed(
        self, request: HttpRequest, rows: list[Attribution], action: str, reason: str
    ) -> None:
        """The decision on the versions the intermediate page showed, all or nothing."""
        seen = [
            SeenVersion(row.pk, int(request.POST.get(f"version_{row.pk}", "0") or 0))
            for row in rows
        ]
        try:
            decided = attributions_decide(
                seen=seen, actor=_employee(request), action=action, reason=reason
            )
        except DomainError as exc:
            details = [f"#{e['id']}: {e['message']}" for e in (exc.extra or {}).get("errors", [])]
            self.message_user(request, " ".join([exc.message, *details]), messages.ERROR)
            return
        verb = "approved" if action == DecisionAction.APPROVE else "rejected"
        self.message_user(request, f"{len(decided)} attribution(s) {verb}.", messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name="referrals_attribution_export",
        )
        dashboard = path(
            "dashboard/",
            self.admin_site.admin_view(self.dashboard_view),
            name="referrals_attribution_dashboard",
        )
        return [export, dashboard, *super().get_urls()]

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        """The funnel of the last 12 weeks, the review queue and the converting answers."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Referral dashboard",
            "dashboard": dashboard_build(),
        }
        return TemplateResponse(request, "admin/referrals/attribution/dashboard.html", context)

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        """The changelist's rows (filters and search applied) as a streamed CSV."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:referrals_attribution_changelist"))
        return queue_csv_response(
            changelist.get_queryset(request), review_first="status__exact" not in request.GET
        )
