"""Sales ops decide employees' claims: each claim with the sign-ups whose customer hash
matches it; accepting credits the claimant with one of them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.identifiers import IdentifierKind
from backend.api.pagination import CursorPagination
from backend.api.permissions import IsSalesOps
from backend.api.rendering import render, render_many
from backend.api.request import EmployeeRequest
from backend.api.serializers import QueryParamsSerializer, StrictInputSerializer
from referrals.models import AttributionStatus, Claim, ClaimStatus
from referrals.ops.apis.serializers import MAX_ID, TAGS, OpsEmployeeSerializer, OpsSignupSerializer
from referrals.ops.selectors.claims import claim_for_review, claims_for_review, claims_with_matches
from referrals.services.claims import claim_accept, claim_reject


class MatchAttributionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="Send it back to accept the claim.")
    status = serializers.ChoiceField(choices=AttributionStatus.choices)
    reason = serializers.CharField()
    employee = OpsEmployeeSerializer(allow_null=True)


class ClaimMatchSerializer(OpsSignupSerializer):
    attribution = MatchAttributionSerializer()


class OpsClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee = OpsEmployeeSerializer()
    kind = serializers.ChoiceField(choices=IdentifierKind.choices)
    note = serializers.CharField()
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = OpsEmployeeSerializer(allow_null=True)
    decision_note = serializers.CharField()
    signup_id = serializers.IntegerField(
        allow_null=True, help_text="The sign-up the claim was made or accepted for."
    )
    matches = ClaimMatchSerializer(
        many=True, help_text="Sign-ups whose customer matches the claim, newest first."
    )


class OpsClaimListApi(APIView):
    permission_classes = [IsSalesOps]
    pagination_class = CursorPagination

    class FilterSerializer(QueryParamsSerializer):
        status = serializers.ChoiceField(choices=ClaimStatus.choices, required=False)
        employee = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, required=False, help_text="Id of the claimant."
        )

        class Meta:
            ref_name = None

    @extend_schema(
        operation_id="ops_claims_list",
        tags=TAGS,
        summary="Employees' claims with the sign-ups that match them, newest first",
        parameters=[FilterSerializer],
        responses={200: OpsClaimSerializer(many=True)},
    )
    def get(self, request: EmployeeRequest) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        paginator = CursorPagination()
        page = paginator.paginate_queryset(
            claims_for_review(**params.validated_data), request, view=self
        )
        claims = claims_with_matches(page or [])
        return paginator.get_paginated_response(render_many(OpsClaimSerializer, claims))


class OpsClaimDetailApi(APIView):
    permission_classes = [IsSalesOps]

    @extend_schema(
        operation_id="ops_claims_retrieve",
        tags=TAGS,
        summary="One claim with the sign-ups that match it",
        responses={200: OpsClaimSerializer},
    )
    def get(self, request: EmployeeRequest, claim_id: int) -> Response:
        [claim] = claims_with_matches([claim_for_review(claim_id=claim_id)])
        return Response(render(OpsClaimSerializer, claim))


_REASON = serializers.CharField(max_length=500, help_text="Why; kept with the decision.")


def _decided(claim: Claim) -> Response:
    """The decided claim as it is now, with its matches."""
    [fresh] = claims_with_matches([claim_for_review(claim_id=claim.pk)])
    return Response(render(OpsClaimSerializer, fresh))


class OpsClaimAcceptApi(APIView):
    permission_classes = [IsSalesOps]
    error_codes = (409,)

    class InputSerializer(StrictInputSerializer):
        signup = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, help_text="Id of one of the claim's matches."
        )
        version = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, help_text="That sign-up's attribution version you saw."
        )
        reason = _REASON

    @extend_schema(
        operation_id="ops_claims_accept",
        tags=TAGS,
        summary="Accept a claim: the matching sign-up counts for the claimant",
        description=(
            "Assigns or reassigns the sign-up's attribution to the claimant (an event, as "
            "for every decision); pending, or confirmed when the withdrawal period after "
            "activation has passed. 409 `claim_decided`, `signup_does_not_match`, "
            "`stale_version` or any refusal of a decision."
        ),
        request=InputSerializer,
        responses={200: OpsClaimSerializer},
    )
    def post(self, request: EmployeeRequest, claim_id: int) -> Response:
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        claim = claim_accept(
            claim_id=claim_id,
            signup_id=data["signup"],
            version=data["version"],
            actor=request.user,
            reason=data["reason"],
        )
        return _decided(claim)


class OpsClaimRejectApi(APIView):
    permission_classes = [IsSalesOps]
    error_codes = (409,)

    class InputSerializer(StrictInputSerializer):
        reason = _REASON

    @extend_schema(
        operation_id="ops_claims_reject",
        tags=TAGS,
        summary="Reject a claim; the attribution stays as it is",
        request=InputSerializer,
        responses={200: OpsClaimSerializer},
    )
    def post(self, request: EmployeeRequest, claim_id: int) -> Response:
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        claim = claim_reject(claim_id=claim_id, actor=request.user, **body.validated_data)
        return _decided(claim)
