"""Public JSON twin of the landing page, and the friend's feedback. No account, throttled
per visitor, and nothing beyond what the page itself shows."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Language
from backend.api.errors import InvalidInput
from backend.api.permissions import Public
from backend.api.rendering import render
from backend.api.serializers import QueryParamsSerializer, StrictInputSerializer
from referrals.code_check import referral_code_check
from referrals.codes import CodeMalformed
from referrals.landing import LandingContent, landing_content
from referrals.models import FeedbackReason
from referrals.selectors.shares import share_get_public
from referrals.services.shares import share_feedback_record, visit_record, visitor_from_request
from referrals.throttling import PublicCodeCheckThrottle, PublicVisitorThrottle

TAGS = ["public"]


class PublicShareApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [Public]
    throttle_classes = [PublicVisitorThrottle]

    class QuerySerializer(QueryParamsSerializer):
        lang = serializers.ChoiceField(
            choices=Language.choices,
            required=False,
            help_text="The friend's language; the answer's translation when one exists.",
        )

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        language = serializers.ChoiceField(
            choices=Language.choices, help_text="The language of the page's own words."
        )
        answer_language = serializers.ChoiceField(
            choices=Language.choices,
            allow_null=True,
            help_text="The answer's language: the chosen one when a translation exists.",
        )
        title = serializers.CharField(allow_null=True, help_text="The shared answer's title.")
        summary = serializers.CharField(
            allow_null=True, help_text="One line about the answer (the link preview's text)."
        )
        friend_text = serializers.CharField(
            allow_null=True, help_text="The answer, in the version meant for friends."
        )
        answer_retired = serializers.BooleanField(
            help_text="The shared answer was withdrawn; only the code is offered."
        )
        referrer_first_name = serializers.CharField()
        code = serializers.CharField(
            allow_null=True,
            help_text=(
                "Referral code, `XXXXX-XXXXX`. When the shared code was revoked, the "
                "employee's current personal code; null when they have none (left)."
            ),
        )
        perk = serializers.CharField(allow_null=True, help_text="What the friend gets.")
        signup_url = serializers.CharField(help_text="Become a customer, code filled in.")

    @extend_schema(
        operation_id="public_shares_retrieve",
        tags=TAGS,
        summary="A shared answer and code, as the friend sees it (records a visit)",
        auth=[],
        parameters=[QuerySerializer],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request, token: str) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        share = share_get_public(token=token)
        visit_record(share=share, visitor=visitor_from_request(request))
        content: LandingContent = landing_content(share, language=query.validated_data.get("lang"))
        return Response(
            render(self.OutputSerializer, content), headers={"Cache-Control": "no-store"}
        )


class PublicShareFeedbackApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [Public]
    throttle_classes = [PublicVisitorThrottle]
    error_codes = (409,)

    class InputSerializer(StrictInputSerializer):
        helpful = serializers.BooleanField()
        reason = serializers.ChoiceField(
            choices=FeedbackReason.choices, required=False, allow_blank=True, default=""
        )

    class OutputSerializer(serializers.Serializer):
        helpful = serializers.BooleanField()
        reason = serializers.CharField()

    @extend_schema(
        operation_id="public_shares_feedback",
        tags=TAGS,
        summary="The friend says whether the answer helped (one answer a day; the last counts)",
        auth=[],
        request=InputSerializer,
        responses={201: OutputSerializer},
    )
    def post(self, request: Request, token: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        share = share_get_public(token=token)
        feedback = share_feedback_record(
            share=share, visitor=visitor_from_request(request), **serializer.validated_data
        )
        return Response(render(self.OutputSerializer, feedback), status=status.HTTP_201_CREATED)


class PublicCodeCheckApi(APIView):
    """The shop's and the sign-up form's live check of a code while it is typed."""

    authentication_classes: list[type] = []
    permission_classes = [Public]
    throttle_classes = [PublicCodeCheckThrottle]
    error_codes = (400,)  # input that cannot be a code: `code_malformed`

    class OutputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=["valid", "typo", "unknown"],
            help_text=(
                "`valid`: a live code. `typo`: one symbol is wrong or two are swapped. "
                "`unknown`: no live code (never issued, revoked, or its owner left)."
            ),
        )
        code = serializers.CharField(
            allow_null=True,
            help_text="`valid`: the code, `XXXXX-XXXXX`. `typo`: the correction, when exactly "
            "one live code is one mistake away; else null.",
        )
        first_name = serializers.CharField(
            allow_null=True, help_text="The code owner's first name (nothing more), or null."
        )

    @extend_schema(
        operation_id="public_codes_check",
        tags=TAGS,
        summary="Check a referral code while it is typed (no login, strictly throttled)",
        auth=[],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request, code: str) -> Response:
        try:
            check = referral_code_check(raw=code)
        except CodeMalformed as exc:
            raise InvalidInput(exc.message, code=exc.code) from None
        return Response(render(self.OutputSerializer, check), headers={"Cache-Control": "no-store"})
