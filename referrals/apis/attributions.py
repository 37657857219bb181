"""The sign-ups attributed to the employee (never the friend's data)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.pagination import CursorPagination
from backend.api.permissions import IsEmployee
from backend.api.request import EmployeeRequest
from backend.api.serializers import QueryParamsSerializer
from referrals.apis.common import TAGS, paginated_response
from referrals.apis.shares import ShareArticleSerializer
from referrals.models import AttributionStatus
from referrals.selectors.attributions import attributions_of


class AttributionListApi(APIView):
    permission_classes = [IsEmployee]
    pagination_class = CursorPagination

    class FilterSerializer(QueryParamsSerializer):
        status = serializers.ChoiceField(choices=AttributionStatus.choices, required=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.ChoiceField(choices=AttributionStatus.choices)
        reason = serializers.CharField(help_text="Machine code of the rule that decided it.")
        occurred_at = serializers.DateTimeField(source="signup.occurred_at")
        product = serializers.CharField(source="signup.product")
        sales_channel = serializers.CharField(source="signup.sales_channel")
        code = serializers.CharField(source="code.display", allow_null=True)
        share_channel = serializers.CharField(source="share.channel", allow_null=True)
        article = ShareArticleSerializer(allow_null=True)
        created_at = serializers.DateTimeField()
        confirmed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(
        operation_id="attributions_list",
        tags=TAGS,
        summary="Sign-ups attributed to you (never the friend's data)",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=AttributionStatus.values),
        ],
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request: EmployeeRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            queryset=attributions_of(
                employee=request.user, status=filters.validated_data.get("status")
            ),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )
