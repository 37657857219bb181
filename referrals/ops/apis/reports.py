"""Sales ops reports: the referral funnel."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.moments import PlausibleDateField
from backend.api.permissions import IsSalesOps
from backend.api.rendering import render
from backend.api.request import EmployeeRequest
from backend.api.serializers import QueryParamsSerializer
from referrals.ops.apis.serializers import TAGS
from referrals.ops.selectors.funnel import GROUPS, funnel_report

DEFAULT_DAYS = 365

# `from` is a Python keyword, so the query serializer is built with type().
FunnelParamsSerializer = type(
    "FunnelParamsSerializer",
    (QueryParamsSerializer,),
    {
        "from": PlausibleDateField(
            required=False, help_text=f"First day (inclusive); default {DEFAULT_DAYS} days ago."
        ),
        "to": PlausibleDateField(required=False, help_text="Last day (inclusive); default today."),
        "group_by": serializers.ChoiceField(choices=list(GROUPS), default="month"),
        "Meta": type("Meta", (), {"ref_name": None}),
        "__module__": __name__,
    },
)


class FunnelRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text="Period start (ISO date), department, `department / team`, campaign id, "
        "channel or article slug; null for the rest (no referrer, campaign, link or answer).",
    )
    # The stubs type `Field.label`; a field of this name is what DRF means by it.
    label = serializers.CharField()  # type: ignore[assignment]
    shares = serializers.IntegerField()
    visits = serializers.IntegerField(help_text="Visitors, each counted once a day.")
    signups = serializers.IntegerField()
    attributed = serializers.IntegerField(
        help_text="Sign-ups credited to an employee: pending, needs review or confirmed "
        "(not rejected, e.g. for a code typo, nor reversed)."
    )
    pending = serializers.IntegerField()
    needs_review = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    rejected = serializers.IntegerField()
    reversed = serializers.IntegerField()
    expired = serializers.IntegerField(
        help_text="Of `reversed`: sign-ups never activated within ACTIVATION_DAYS "
        "(reason `not_activated`)."
    )
    visits_per_share = serializers.FloatField(allow_null=True)
    signups_per_visit = serializers.FloatField(allow_null=True)
    attribution_rate = serializers.FloatField(allow_null=True, help_text="attributed / signups")
    confirmation_rate = serializers.FloatField(allow_null=True, help_text="confirmed / attributed")
    notes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why a ratio of this row is above 1; empty when none is.",
    )


class ArticleConversionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    language = serializers.CharField()
    shares = serializers.IntegerField(help_text="Shares of the answer in the period.")
    confirmed = serializers.IntegerField(help_text="Confirmed sign-ups it led to.")
    confirmed_per_share = serializers.FloatField(allow_null=True)


class FunnelReportApi(APIView):
    permission_classes = [IsSalesOps]

    class OutputSerializer(serializers.Serializer):
        start = serializers.DateField(help_text="`from`, as applied.")
        end = serializers.DateField(help_text="`to`, as applied.")
        group_by = serializers.ChoiceField(choices=list(GROUPS))
        rows = FunnelRowSerializer(many=True, help_text="Groups with any activity.")
        totals = FunnelRowSerializer()
        answers_that_convert = ArticleConversionSerializer(
            many=True, source="top_articles", help_text="Most confirmed sign-ups first."
        )

    @extend_schema(
        operation_id="ops_reports_funnel",
        tags=TAGS,
        summary="Shares → visits → sign-ups → attributed → confirmed, and answers that convert",
        description=(
            "Each stage counts what happened in the period by its own date: shares when "
            "created, visits on their day, sign-ups when they occurred; statuses are as "
            "they are now. A `from` after `to` is an empty period."
        ),
        parameters=[FunnelParamsSerializer],
        responses={200: OutputSerializer},
    )
    def get(self, request: EmployeeRequest) -> Response:
        params = FunnelParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        end = params.validated_data.get("to") or timezone.localdate()
        start = params.validated_data.get("from") or end - timedelta(days=DEFAULT_DAYS - 1)
        report = funnel_report(start=start, end=end, group_by=params.validated_data["group_by"])
        return Response(render(self.OutputSerializer, report))
