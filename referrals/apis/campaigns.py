"""Campaigns: employees list the running ones (to make a campaign code); sales ops manage
them here as well as in the admin."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.moments import AwareDateTimeField
from backend.api.pagination import CursorPagination
from backend.api.permissions import IsEmployee, IsSalesOps
from backend.api.rendering import render
from backend.api.request import EmployeeRequest
from backend.api.serializers import QueryParamsSerializer, StrictInputSerializer
from referrals.apis.common import TAGS, paginated_response
from referrals.selectors.campaigns import STATES, campaign_get, campaigns_for_ops, campaigns_running
from referrals.services.campaigns import campaign_create, campaign_update


class CampaignWithPerksSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    friend_perk_nl = serializers.CharField(help_text="The friend's perk, in Dutch.")
    friend_perk_en = serializers.CharField(help_text="The friend's perk, in English.")
    is_running = serializers.BooleanField()  # `Campaign.is_running()`, called now
    created_at = serializers.DateTimeField()


class CampaignInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100)
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField(help_text="Must be after `starts_at`.")
    friend_perk_nl = serializers.CharField(max_length=200)
    friend_perk_en = serializers.CharField(max_length=200)


class CampaignListApi(APIView):
    permission_classes = [IsEmployee]
    pagination_class = CursorPagination

    @extend_schema(
        operation_id="campaigns_list",
        tags=TAGS,
        summary="Running campaigns, newest first (to make a campaign code)",
        responses={200: CampaignWithPerksSerializer(many=True)},
    )
    def get(self, request: EmployeeRequest) -> Response:
        return paginated_response(
            queryset=campaigns_running(),
            serializer_class=CampaignWithPerksSerializer,
            request=request,
            view=self,
        )


class OpsCampaignListCreateApi(APIView):
    permission_classes = [IsSalesOps]
    pagination_class = CursorPagination
    error_codes = (409,)

    class FilterSerializer(QueryParamsSerializer):
        state = serializers.ChoiceField(choices=STATES, required=False)

        class Meta:
            ref_name = None

    @extend_schema(
        operation_id="ops_campaigns_list",
        tags=["ops"],
        summary="All campaigns (or the running, upcoming or ended ones), newest first",
        parameters=[FilterSerializer],
        responses={200: CampaignWithPerksSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return paginated_response(
            queryset=campaigns_for_ops(**params.validated_data),
            serializer_class=CampaignWithPerksSerializer,
            request=request,
            view=self,
        )

    @extend_schema(
        operation_id="ops_campaigns_create",
        tags=["ops"],
        summary="Set up a campaign",
        request=CampaignInputSerializer,
        responses={201: CampaignWithPerksSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = CampaignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign = campaign_create(**serializer.validated_data)
        return Response(
            render(CampaignWithPerksSerializer, campaign), status=status.HTTP_201_CREATED
        )


class OpsCampaignDetailApi(APIView):
    permission_classes = [IsSalesOps]
    error_codes = (409,)

    @extend_schema(
        operation_id="ops_campaigns_retrieve",
        tags=["ops"],
        summary="One campaign",
        responses={200: CampaignWithPerksSerializer},
    )
    def get(self, request: Request, campaign_id: int) -> Response:
        return Response(render(CampaignWithPerksSerializer, campaign_get(campaign_id=campaign_id)))

    @extend_schema(
        operation_id="ops_campaigns_partial_update",
        tags=["ops"],
        summary="Change a campaign (e.g. end it early by moving `ends_at`)",
        request=CampaignInputSerializer(partial=True),
        responses={200: CampaignWithPerksSerializer},
    )
    def patch(self, request: Request, campaign_id: int) -> Response:
        serializer = CampaignInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        campaign = campaign_update(campaign_id=campaign_id, changes=serializer.validated_data)
        return Response(render(CampaignWithPerksSerializer, campaign))
