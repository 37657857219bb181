"""The employee's claims: "I helped this friend" for a sign-up the rules missed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.fields import (
    AccountIdentifierField,
    EmailIdentifierField,
    PhoneIdentifierField,
)
from backend.accounts.identifiers import IdentifierKind
from backend.api.pagination import CursorPagination
from backend.api.permissions import IsEmployee
from backend.api.rendering import render
from backend.api.request import EmployeeRequest
from backend.api.serializers import StrictInputSerializer
from referrals.apis.common import TAGS, paginated_response
from referrals.models import ClaimStatus
from referrals.selectors.claims import claims_of
from referrals.services.claims import claim_create
from referrals.throttling import ClaimRateThrottle


class _ClaimInput(StrictInputSerializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class EmailClaimInputSerializer(_ClaimInput):
    kind = serializers.ChoiceField(choices=["email"])
    value = EmailIdentifierField(help_text="The friend's email address; hashed at once.")


class PhoneClaimInputSerializer(_ClaimInput):
    kind = serializers.ChoiceField(choices=["phone"])
    value = PhoneIdentifierField(help_text="The friend's phone number; hashed at once.")


class AccountClaimInputSerializer(_ClaimInput):
    kind = serializers.ChoiceField(choices=["account"])
    value = AccountIdentifierField(help_text="The friend's customer account id; hashed at once.")


CLAIM_INPUTS: Mapping[str, type[serializers.Serializer]] = {
    "email": EmailClaimInputSerializer,
    "phone": PhoneClaimInputSerializer,
    "account": AccountClaimInputSerializer,
}


def claim_input_serializer(data: Any) -> serializers.Serializer:
    """The input serializer for the claim's `kind`: each kind has its own value syntax."""
    kind = data.get("kind") if isinstance(data, dict) else None
    serializer_class = CLAIM_INPUTS.get(kind) if isinstance(kind, str) else None
    if serializer_class is None:
        raise serializers.ValidationError(
            {"kind": [ErrorDetail("Must be email, phone or account.", code="invalid_choice")]}
        )
    return serializer_class(data=data)


class ClaimListCreateApi(APIView):
    permission_classes = [IsEmployee]
    throttle_classes = [ClaimRateThrottle]
    pagination_class = CursorPagination
    error_codes = (409,)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        kind = serializers.ChoiceField(choices=IdentifierKind.choices)
        note = serializers.CharField()
        status = serializers.ChoiceField(
            choices=ClaimStatus.choices,
            help_text="`open` until sales ops decide. Nothing here says whether the friend "
            "signed up: that is never told to a claimant.",
        )
        created_at = serializers.DateTimeField()
        decided_at = serializers.DateTimeField(allow_null=True)
        decision_reason = serializers.CharField(
            source="decision_note",
            help_text="Sales ops' reason for the decision (why a claim was rejected); "
            "empty while the claim is open.",
        )

    @extend_schema(
        operation_id="claims_list",
        tags=TAGS,
        summary="Your claims, newest first",
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request: EmployeeRequest) -> Response:
        return paginated_response(
            queryset=claims_of(employee=request.user),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(
        operation_id="claims_create",
        tags=TAGS,
        summary="Claim a sign-up the rules missed, by the friend's email, phone or account id",
        request=PolymorphicProxySerializer(
            component_name="ClaimCreate",
            serializers=dict(CLAIM_INPUTS),
            resource_type_field_name="kind",
        ),
        responses={201: OutputSerializer},
    )
    def post(self, request: EmployeeRequest) -> Response:
        serializer = claim_input_serializer(request.data)
        serializer.is_valid(raise_exception=True)
        claim = claim_create(employee=request.user, **serializer.validated_data)
        return Response(render(self.OutputSerializer, claim), status=status.HTTP_201_CREATED)
