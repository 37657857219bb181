"""Sales ops: the attribution review queue, one attribution's full story and the CSV
export. Sales ops only; everyone else gets 403."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.moments import PlausibleDateField
from backend.api.permissions import IsSalesOps
from backend.api.rendering import render, render_many
from backend.api.request import EmployeeRequest
from backend.api.serializers import QueryParamsSerializer
from referrals.apis.common import IgnoreFormatNegotiation
from referrals.models import AttributionStatus, SalesChannel, ShareChannel
from referrals.ops.apis.export import queue_csv_response
from referrals.ops.apis.pagination import ReviewQueuePagination
from referrals.ops.apis.serializers import (
    MAX_ID,
    TAGS,
    OpsAttributionDetailSerializer,
    OpsAttributionSerializer,
)
from referrals.ops.selectors.queue import (
    QueueFilters,
    attributions_filtered,
    attributions_for_queue,
)
from referrals.ops.selectors.review import attribution_review


class QueueFilterSerializer(QueryParamsSerializer):
    status = serializers.ChoiceField(choices=AttributionStatus.choices, required=False)
    reason = serializers.CharField(
        max_length=32, required=False, help_text="Machine code, e.g. `channel_conflict`."
    )
    department = serializers.CharField(max_length=100, required=False)
    team = serializers.CharField(max_length=100, required=False)
    campaign = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    channel = serializers.ChoiceField(
        choices=ShareChannel.choices, required=False, help_text="Channel of the share link."
    )
    sales_channel = serializers.ChoiceField(choices=SalesChannel.choices, required=False)
    employee = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Id of the credited employee."
    )
    occurred_from = PlausibleDateField(
        required=False, help_text="First day of the sign-up (inclusive)."
    )
    occurred_to = PlausibleDateField(
        required=False, help_text="Last day of the sign-up (inclusive)."
    )

    class Meta:
        ref_name = None

    def filters(self) -> QueueFilters:
        return QueueFilters(**self.validated_data)


def _queue_filters(request: EmployeeRequest) -> QueueFilters:
    params = QueueFilterSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.filters()


class OpsAttributionListApi(APIView):
    permission_classes = [IsSalesOps]
    pagination_class = ReviewQueuePagination

    @extend_schema(
        operation_id="ops_attributions_list",
        tags=TAGS,
        summary="The review queue: attributions that need review first, then newest first",
        description=(
            "Filters combine. Without `status` the queue puts `needs_review` first; with "
            "it, newest first. Dates are days of the sign-up, inclusive."
        ),
        parameters=[QueueFilterSerializer],
        responses={200: OpsAttributionSerializer(many=True)},
    )
    def get(self, request: EmployeeRequest) -> Response:
        filters = _queue_filters(request)
        paginator = ReviewQueuePagination(review_first=filters.review_first)
        # The page is chosen by the filters alone (the planner picks where to start), then
        # read with what it shows by primary key.
        queryset = attributions_filtered(filters).only("id", "status", "created_at")
        page = paginator.paginate_queryset(queryset, request, view=self)
        shown = attributions_for_queue([attribution.pk for attribution in page])
        return paginator.get_paginated_response(render_many(OpsAttributionSerializer, shown))


class OpsAttributionExportApi(APIView):
    permission_classes = [IsSalesOps]
    content_negotiation_class = IgnoreFormatNegotiation

    @extend_schema(
        operation_id="ops_attributions_export",
        tags=TAGS,
        summary="The filtered queue as CSV, streamed (no friend contact data)",
        parameters=[QueueFilterSerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: EmployeeRequest) -> StreamingHttpResponse:
        filters = _queue_filters(request)
        return queue_csv_response(attributions_filtered(filters), review_first=filters.review_first)


class OpsAttributionDetailApi(APIView):
    permission_classes = [IsSalesOps]

    @extend_schema(
        operation_id="ops_attributions_retrieve",
        tags=TAGS,
        summary="One attribution: rule trace, every candidate touch, claims and all events",
        responses={200: OpsAttributionDetailSerializer},
    )
    def get(self, request: EmployeeRequest, attribution_id: int) -> Response:
        review = attribution_review(attribution_id=attribution_id)
        attribution: Any = review.attribution
        attribution.review_events = review.events
        attribution.review_candidates = review
        return Response(render(OpsAttributionDetailSerializer, attribution))
