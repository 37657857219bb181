"""The employee's shares: share an answer or a code, list what came of them, and the QR
code of one. Another employee's share is a 404, never a 403."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.pagination import CursorPagination
from backend.api.permissions import IsEmployee
from backend.api.rendering import render, render_many
from backend.api.request import EmployeeRequest
from backend.api.serializers import StrictInputSerializer
from referrals.apis.common import (
    QR_FORMAT_PARAMETER,
    QR_RESPONSES,
    TAGS,
    IgnoreFormatNegotiation,
    QrFormatSerializer,
    qr_response,
)
from referrals.links import share_url
from referrals.models import Share, ShareChannel
from referrals.selectors.shares import share_of, shares_of
from referrals.services.shares import share_create
from referrals.share_outcomes import share_outcomes_attach


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

    def get_url(self, obj: Share) -> str:
        return share_url(obj.token)


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
    def get(self, request: EmployeeRequest) -> Response:
        paginator = CursorPagination()
        page = paginator.paginate_queryset(shares_of(employee=request.user), request, view=self)
        shares = share_outcomes_attach(list(page or []))
        return paginator.get_paginated_response(render_many(ShareOutcomeSerializer, shares))

    @extend_schema(
        operation_id="shares_create",
        tags=TAGS,
        summary="Share an answer or your code: returns the link for the friend",
        request=InputSerializer,
        responses={201: ShareSerializer},
    )
    def post(self, request: EmployeeRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        share = share_create(
            employee=request.user,
            channel=data["channel"],
            code=data["code"],
            article_slug=data["article"],
        )
        share.visit_count = 0  # type: ignore[attr-defined]  # a new share has no visits
        return Response(render(ShareSerializer, share), status=status.HTTP_201_CREATED)


class ShareQrApi(APIView):
    permission_classes = [IsEmployee]
    content_negotiation_class = IgnoreFormatNegotiation

    @extend_schema(
        operation_id="shares_qr",
        tags=TAGS,
        summary="QR code of your share's link",
        parameters=[QR_FORMAT_PARAMETER],
        responses=QR_RESPONSES,
    )
    def get(self, request: EmployeeRequest, token: str) -> HttpResponse:
        params = QrFormatSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        share = share_of(employee=request.user, token=token)
        return qr_response(
            request, share_url(share.token), kind=params.validated_data["format"], filename="share"
        )
