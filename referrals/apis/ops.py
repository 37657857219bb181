"""Sales ops: the attribution review queue, one attribution's full story, decisions and
the CSV export. Sales ops only; everyone else gets 403."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import Conflict
from backend.api.moments import PlausibleDateField
from backend.api.permissions import IsSalesOps
from backend.api.serializers import StrictInputSerializer
from referrals.apis.common import IgnoreFormatNegotiation
from referrals.apis.ops_serializers import (
    ATTRIBUTION_RELATED,
    MAX_ID,
    ApproveOrRejectSerializer,
    DecisionInputSerializer,
    OpsAttributionDetailSerializer,
    OpsAttributionSerializer,
    QueryParamsSerializer,
    ReassignSerializer,
)
from referrals.models import Attribution, AttributionStatus, SalesChannel, ShareChannel
from referrals.ops.export import queue_csv_response
from referrals.ops.filters import QueueFilters, attributions_filtered
from referrals.ops.pagination import ReviewQueuePagination
from referrals.ops.review import attribution_review
from referrals.services.decisions import (
    MAX_BULK,
    DecisionAction,
    SeenVersion,
    attributions_decide,
)

TAGS = ["ops"]


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


def _queue_filters(request: Request) -> QueueFilters:
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
    def get(self, request: Request) -> Response:
        filters = _queue_filters(request)
        paginator = ReviewQueuePagination(review_first=filters.review_first)
        queryset = attributions_filtered(filters).select_related(*ATTRIBUTION_RELATED)
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(OpsAttributionSerializer(page, many=True).data)


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
    def get(self, request: Request) -> Any:
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
    def get(self, request: Request, attribution_id: int) -> Response:
        review = attribution_review(attribution_id=attribution_id)
        attribution: Any = review.attribution
        attribution.review_events = review.events
        attribution.review_candidates = review
        return Response(OpsAttributionDetailSerializer(attribution).data)


def _decided(attributions: list[Attribution]) -> list[Attribution]:
    """The decided attributions again, with what the queue shows of them (one query)."""
    fresh = Attribution.objects.select_related(*ATTRIBUTION_RELATED).in_bulk(
        [a.pk for a in attributions]
    )
    return [fresh[a.pk] for a in attributions]


class OpsAttributionDecideApi(APIView):
    permission_classes = [IsSalesOps]
    error_codes = (409,)

    @extend_schema(
        operation_id="ops_attributions_decide",
        tags=TAGS,
        summary="Approve, reject or reassign one attribution, with a reason",
        description=(
            "`version` is the version you saw: a record that changed since is refused "
            "with 409 `stale_version`. Approving moves `needs_review` (or a rejection "
            "with a referrer) to `pending`, or to `confirmed` when the withdrawal period "
            "after activation has passed. Impossible transitions are 409 with a code "
            "saying why (`already_approved`, `already_rejected`, `no_referrer`, "
            "`signup_withdrawn`, `already_assigned`, `employee_inactive`, "
            "`self_referral`, `duplicate_customer`, `own_attribution`)."
        ),
        request=PolymorphicProxySerializer(
            component_name="AttributionDecision",
            serializers=[ApproveOrRejectSerializer, ReassignSerializer],
            resource_type_field_name=None,
        ),
        responses={200: OpsAttributionSerializer},
    )
    def post(self, request: Request, attribution_id: int) -> Response:
        body = DecisionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        decided = attributions_decide(
            seen=[SeenVersion(attribution_id, data["version"])],
            actor=request.user,
            action=data["action"],
            reason=data["reason"],
            employee_id=data.get("employee"),
        )
        return Response(OpsAttributionSerializer(_decided(decided)[0]).data)


class SeenVersionSerializer(StrictInputSerializer):
    id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    class Meta:
        ref_name = "SeenVersion"


class BulkApproveOrRejectSerializer(StrictInputSerializer):
    action = serializers.ChoiceField(choices=[DecisionAction.APPROVE, DecisionAction.REJECT])
    reason = serializers.CharField(max_length=500)
    items = SeenVersionSerializer(many=True, min_length=1, max_length=MAX_BULK)


class BulkReassignSerializer(StrictInputSerializer):
    action = serializers.ChoiceField(choices=[DecisionAction.REASSIGN])
    reason = serializers.CharField(max_length=500)
    employee = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    items = SeenVersionSerializer(many=True, min_length=1, max_length=MAX_BULK)


class BulkDecisionInputSerializer(DecisionInputSerializer):
    version = None  # type: ignore[assignment]
    items = SeenVersionSerializer(many=True, min_length=1, max_length=MAX_BULK)

    def validate_items(self, items: list[dict[str, int]]) -> list[dict[str, int]]:
        """An attribution listed twice with the same version is one decision; listed with
        two versions, at least one of them is stale."""
        versions: dict[int, int] = {}
        for item in items:
            if versions.setdefault(item["id"], item["version"]) != item["version"]:
                raise Conflict(
                    f"Attribution {item['id']} is listed with two versions; reload it.",
                    code="stale_version",
                )
        return [{"id": pk, "version": version} for pk, version in versions.items()]


class OpsAttributionBulkDecideApi(APIView):
    permission_classes = [IsSalesOps]
    error_codes = (404, 409)

    class OutputSerializer(serializers.Serializer):
        decided = serializers.IntegerField()
        results = OpsAttributionSerializer(many=True)

    @extend_schema(
        operation_id="ops_attributions_bulk_decide",
        tags=TAGS,
        summary=f"One decision on up to {MAX_BULK} attributions, all or nothing",
        description=(
            "One transaction: when any attribution cannot be decided so (a stale version, "
            "an impossible transition), nothing changes and the 409 `decisions_refused` "
            "lists each refused id with its code in `errors`. Unknown ids are a 404 "
            "`attribution_not_found` listing them in `ids`."
        ),
        request=PolymorphicProxySerializer(
            component_name="AttributionBulkDecision",
            serializers=[BulkApproveOrRejectSerializer, BulkReassignSerializer],
            resource_type_field_name=None,
        ),
        responses={200: OutputSerializer},
    )
    def post(self, request: Request) -> Response:
        body = BulkDecisionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        decided = attributions_decide(
            seen=[SeenVersion(item["id"], item["version"]) for item in data["items"]],
            actor=request.user,
            action=data["action"],
            reason=data["reason"],
            employee_id=data.get("employee"),
        )
        result = {"decided": len(decided), "results": _decided(decided)}
        return Response(self.OutputSerializer(result).data)
