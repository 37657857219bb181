"""The employee's own referral views: codes, shares, attributions, impact and claims.

Everything is scoped to the signed-in employee; another employee's code or share is a
404, never a 403, so nothing tells them it exists.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
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
from backend.api.serializers import (
    PrimaryKeyReferenceField,
    QueryParamsSerializer,
    StrictInputSerializer,
    refuse_body_fields,
)
from referrals import selectors
from referrals.apis.common import (
    QR_GENERIC_MEDIA_TYPE,
    IgnoreFormatNegotiation,
    QrFormatSerializer,
    paginated_response,
    qr_response,
)
from referrals.links import QR_MEDIA_TYPES, share_url, signup_url
from referrals.models import AttributionStatus, Campaign, ClaimStatus, ShareChannel
from referrals.services.claims import claim_create
from referrals.services.codes import (
    referral_code_create,
    referral_code_parse_path,
    referral_code_revoke,
)
from referrals.services.shares import share_create
from referrals.share_outcomes import share_outcomes_attach
from referrals.throttling import ClaimRateThrottle

TAGS = ["referrals"]


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class ReferralCodeSerializer(serializers.Serializer):
    code = serializers.CharField(source="display", help_text="Shown as `XXXXX-XXXXX`.")
    is_personal = serializers.BooleanField()
    label = serializers.CharField()
    campaign = CampaignSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=["active", "revoked", "frozen"])
    signup_url = serializers.SerializerMethodField(
        help_text="The shop's sign-up page with this code filled in."
    )
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_signup_url(self, obj: object) -> str:
        return signup_url(code=obj.code)  # type: ignore[attr-defined]


class ReferralCodeListCreateApi(APIView):
    permission_classes = [IsEmployee]
    pagination_class = CursorPagination
    error_codes = (404, 409)

    class InputSerializer(StrictInputSerializer):
        label = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
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
    def get(self, request: Request) -> Response:
        return paginated_response(
            queryset=selectors.referral_codes_of(employee=request.user),
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
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = referral_code_create(
            employee=request.user,
            label=serializer.validated_data["label"],
            campaign=serializer.validated_data["campaign"],
        )
        return Response(ReferralCodeSerializer(code).data, status=status.HTTP_201_CREATED)


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
    def post(self, request: Request, code: str) -> Response:
        refuse_body_fields(request.data)
        revoked = referral_code_revoke(employee=request.user, code=code)
        return Response(ReferralCodeSerializer(revoked).data)


_QR_FORMAT = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["svg", "png"], default="svg", description="Image format."
)
_QR_IMAGE = OpenApiResponse(
    response=OpenApiTypes.BINARY,
    description=(
        "The QR image in the `format` asked for (SVG or PNG). The same bytes come as "
        f"`{QR_GENERIC_MEDIA_TYPE}` when the Accept header prefers that type."
    ),
)
_QR_RESPONSES = {
    (200, QR_MEDIA_TYPES["svg"]): _QR_IMAGE,
    (200, QR_MEDIA_TYPES["png"]): _QR_IMAGE,
    (200, QR_GENERIC_MEDIA_TYPE): _QR_IMAGE,
}


class ReferralCodeQrApi(APIView):
    permission_classes = [IsEmployee]
    content_negotiation_class = IgnoreFormatNegotiation

    @extend_schema(
        operation_id="referral_codes_qr",
        tags=TAGS,
        summary="QR code of your code: opens the sign-up page with the code filled in",
        parameters=[_CODE_PATH, _QR_FORMAT],
        responses=_QR_RESPONSES,
    )
    def get(self, request: Request, code: str) -> object:
        params = QrFormatSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = selectors.referral_code_of(
            employee=request.user, code=referral_code_parse_path(raw=code)
        )
        return qr_response(
            request,
            signup_url(code=found.code),
            kind=params.validated_data["format"],
            filename=f"code-{found.code}",
        )


class ShareArticleSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    language = serializers.CharField()


class ShareFeedbackCountsSerializer(serializers.Serializer):
    helpful = serializers.IntegerField(help_text='Friends who said "this helped".')
    not_helpful = serializers.IntegerField()
    reasons = serializers.DictField(
        child=serializers.IntegerField(), help_text="How often each reason was given."
    )


class ShareSignupCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Sign-ups that came through this link.")
    pending = serializers.IntegerField()
    needs_review = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    rejected = serializers.IntegerField()
    reversed = serializers.IntegerField()


class ShareSerializer(serializers.Serializer):
    token = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The friend's landing page.")
    channel = serializers.ChoiceField(choices=ShareChannel.choices)
    code = serializers.CharField(source="code.display")
    article = ShareArticleSerializer(allow_null=True)
    visit_count = serializers.IntegerField(help_text="Visitors, each counted once a day.")
    created_at = serializers.DateTimeField()

    def get_url(self, obj: object) -> str:
        return share_url(obj.token)  # type: ignore[attr-defined]


class ShareOutcomeSerializer(ShareSerializer):
    feedback = ShareFeedbackCountsSerializer(
        source="feedback_counts", help_text='What friends answered to "did this help?".'
    )
    signups = ShareSignupCountsSerializer(
        source="signup_counts", help_text="Sign-ups through this link by attribution status."
    )


class ShareListCreateApi(APIView):
    permission_classes = [IsEmployee]
    pagination_class = CursorPagination
    error_codes = (404, 409)

    class InputSerializer(StrictInputSerializer):
        channel = serializers.ChoiceField(choices=ShareChannel.choices)
        article = serializers.SlugField(
            max_length=120,
            required=False,
            allow_null=True,
            default=None,
            help_text="Slug of a published answer; leave out to share just your code.",
        )
        code = serializers.CharField(
            max_length=32,
            required=False,
            allow_null=True,
            default=None,
            help_text="One of your codes; your personal code when left out.",
        )

    @extend_schema(
        operation_id="shares_list",
        tags=TAGS,
        summary="Your shares with what came of them (counts only, never who), newest first",
        responses={200: ShareOutcomeSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        paginator = CursorPagination()
        page = paginator.paginate_queryset(
            selectors.shares_of(employee=request.user), request, view=self
        )
        shares = share_outcomes_attach(list(page or []))
        return paginator.get_paginated_response(ShareOutcomeSerializer(shares, many=True).data)

    @extend_schema(
        operation_id="shares_create",
        tags=TAGS,
        summary="Share an answer or your code: returns the link for the friend",
        request=InputSerializer,
        responses={201: ShareSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        share = share_create(
            employee=request.user,
            channel=data["channel"],
            code=data["code"],
            article_slug=data["article"],
        )
        share.visit_count = 0  # type: ignore[attr-defined]
        return Response(ShareSerializer(share).data, status=status.HTTP_201_CREATED)


class ShareQrApi(APIView):
    permission_classes = [IsEmployee]
    content_negotiation_class = IgnoreFormatNegotiation

    @extend_schema(
        operation_id="shares_qr",
        tags=TAGS,
        summary="QR code of your share's link",
        parameters=[_QR_FORMAT],
        responses=_QR_RESPONSES,
    )
    def get(self, request: Request, token: str) -> object:
        params = QrFormatSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        share = selectors.share_of(employee=request.user, token=token)
        return qr_response(
            request, share_url(share.token), kind=params.validated_data["format"], filename="share"
        )


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
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            queryset=selectors.attributions_of(
                employee=request.user, status=filters.validated_data.get("status")
            ),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )


class ImpactTotalsSerializer(serializers.Serializer):
    shares = serializers.IntegerField(help_text="Links shared (answers and codes).")
    answers_shared = serializers.IntegerField()
    friends_reached = serializers.IntegerField(help_text="Shared links opened at least once.")
    signups_attributed = serializers.IntegerField(help_text="Pending, in review or confirmed.")
    signups_confirmed = serializers.IntegerField()


class LeaderSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    display_name = serializers.CharField()
    signups_confirmed = serializers.IntegerField()


class MilestonesSerializer(serializers.Serializer):
    reached = serializers.ListField(
        child=serializers.IntegerField(),
        source="milestones_reached",
        help_text="Confirmed sign-up milestones reached (of 1, 5, 10, 25, 50, 100).",
    )
    next = serializers.IntegerField(source="next_milestone", allow_null=True)


class ImpactApi(APIView):
    permission_classes = [IsEmployee]

    class OutputSerializer(serializers.Serializer):
        own = ImpactTotalsSerializer()
        milestones = MilestonesSerializer(source="*")
        team_name = serializers.CharField()
        team_members = serializers.IntegerField()
        team = ImpactTotalsSerializer()
        team_leaders = LeaderSerializer(
            many=True, help_text="Never lists people who opted out of rankings."
        )
        company = ImpactTotalsSerializer()
        company_leaders = LeaderSerializer(many=True)

    @extend_schema(
        operation_id="impact_retrieve",
        tags=TAGS,
        summary="Your impact, your team's and the company's, with milestones",
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        impact = selectors.impact_of(employee=request.user)
        return Response(self.OutputSerializer(impact).data)


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


CLAIM_INPUTS: dict[str, type[_ClaimInput]] = {
    "email": EmailClaimInputSerializer,
    "phone": PhoneClaimInputSerializer,
    "account": AccountClaimInputSerializer,
}


def claim_input_serializer(data: Any) -> _ClaimInput:
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
    def get(self, request: Request) -> Response:
        return paginated_response(
            queryset=selectors.claims_of(employee=request.user),
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
            serializers=CLAIM_INPUTS,
            resource_type_field_name="kind",
        ),
        responses={201: OutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = claim_input_serializer(request.data)
        serializer.is_valid(raise_exception=True)
        claim = claim_create(employee=request.user, **serializer.validated_data)
        return Response(self.OutputSerializer(claim).data, status=status.HTTP_201_CREATED)
