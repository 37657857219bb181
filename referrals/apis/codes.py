"""The employee's referral codes: list, create, revoke, and the QR code of one.

Another employee's code is a 404, never a 403, so nothing tells them it exists.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.pagination import CursorPagination
from backend.api.permissions import IsEmployee
from backend.api.rendering import render
from backend.api.request import EmployeeRequest
from backend.api.serializers import (
    PrimaryKeyReferenceField,
    StrictInputSerializer,
    refuse_body_fields,
)
from referrals.apis.common import (
    QR_FORMAT_PARAMETER,
    QR_RESPONSES,
    TAGS,
    IgnoreFormatNegotiation,
    QrFormatSerializer,
    paginated_response,
    qr_response,
)
from referrals.links import signup_url
from referrals.models import Campaign, ReferralCode
from referrals.selectors.codes import referral_code_of, referral_codes_of
from referrals.services.codes import (
    referral_code_create,
    referral_code_parse_path,
    referral_code_revoke,
)


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class ReferralCodeSerializer(serializers.Serializer):
    code = serializers.CharField(source="display", help_text="Shown as `XXXXX-XXXXX`.")
    is_personal = serializers.BooleanField()
    # A field named like `Field.label`, which the stubs type as a string.
    label = serializers.CharField()  # type: ignore[assignment]
    campaign = CampaignSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=["active", "revoked", "frozen"])
    signup_url = serializers.SerializerMethodField(
        help_text="The shop's sign-up page with this code filled in."
    )
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_signup_url(self, obj: ReferralCode) -> str:
        return signup_url(code=obj.code)


class ReferralCodeListCreateApi(APIView):
    permission_classes = [IsEmployee]
    pagination_class = CursorPagination
    error_codes = (404, 409)

    class InputSerializer(StrictInputSerializer):
        label = serializers.CharField(  # type: ignore[assignment]  # shadows `Field.label`
            max_length=60, required=False, allow_blank=True, default=""
        )
        campaign = PrimaryKeyReferenceField(
            queryset=Campaign.objects.all(),
            required=False,
            allow_null=True,
            default=None,
            help_text="Id of a campaign that has not ended.",
        )

    @extend_schema(
        operation_id="referral_codes_list",
        tags=TAGS,
        summary="Your referral codes, newest first",
        responses={200: ReferralCodeSerializer(many=True)},
    )
    def get(self, request: EmployeeRequest) -> Response:
        return paginated_response(
            queryset=referral_codes_of(employee=request.user),
            serializer_class=ReferralCodeSerializer,
            request=request,
            view=self,
        )

    @extend_schema(
        operation_id="referral_codes_create",
        tags=TAGS,
        summary="Create an extra, labelled code (e.g. for a campaign or a poster)",
        request=InputSerializer,
        responses={201: ReferralCodeSerializer},
    )
    def post(self, request: EmployeeRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = referral_code_create(
            employee=request.user,
            label=serializer.validated_data["label"],
            campaign=serializer.validated_data["campaign"],
        )
        return Response(render(ReferralCodeSerializer, code), status=status.HTTP_201_CREATED)


_CODE_PATH = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="The code, with or without dash."
)


class ReferralCodeRevokeApi(APIView):
    permission_classes = [IsEmployee]
    error_codes = (409,)

    @extend_schema(
        operation_id="referral_codes_revoke",
        tags=TAGS,
        summary="Revoke one of your codes (revoking your personal code issues a new one)",
        parameters=[_CODE_PATH],
        request=None,
        responses={200: ReferralCodeSerializer},
    )
    def post(self, request: EmployeeRequest, code: str) -> Response:
        refuse_body_fields(request.data)
        revoked = referral_code_revoke(employee=request.user, code=code)
        return Response(render(ReferralCodeSerializer, revoked))


class ReferralCodeQrApi(APIView):
    permission_classes = [IsEmployee]
    content_negotiation_class = IgnoreFormatNegotiation

    @extend_schema(
        operation_id="referral_codes_qr",
        tags=TAGS,
        summary="QR code of your code: opens the sign-up page with the code filled in",
        parameters=[_CODE_PATH, QR_FORMAT_PARAMETER],
        responses=QR_RESPONSES,
    )
    def get(self, request: EmployeeRequest, code: str) -> HttpResponse:
        params = QrFormatSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = referral_code_of(employee=request.user, code=referral_code_parse_path(raw=code))
        return qr_response(
            request,
            signup_url(code=found.code),
            kind=params.validated_data["format"],
            filename=f"code-{found.code}",
        )
