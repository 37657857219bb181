"""An employee's verdict on an article: did it help?"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.permissions import IsEmployee
from backend.api.rendering import render
from backend.api.request import EmployeeRequest
from backend.api.serializers import StrictInputSerializer
from knowledge.apis.serializers import ArticleFeedbackStateSerializer
from knowledge.models import FeedbackReason
from knowledge.selectors.articles import article_get
from knowledge.services.feedback import article_feedback_set


class HelpfulFeedbackInputSerializer(StrictInputSerializer):
    helpful = serializers.ChoiceField(choices=[True], help_text="The article helped.")
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


class UnhelpfulFeedbackInputSerializer(StrictInputSerializer):
    helpful = serializers.ChoiceField(choices=[False], help_text="The article did not help.")
    reason = serializers.ChoiceField(
        choices=FeedbackReason.choices, required=False, allow_blank=True, help_text="Why not."
    )
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


def feedback_input_serializer(data: Any) -> StrictInputSerializer:
    """A reason explains an unhelpful verdict only; each verdict has its own shape."""
    helpful = data.get("helpful") if isinstance(data, dict) else None
    if helpful is True:
        return HelpfulFeedbackInputSerializer(data=data)
    if helpful is False:
        return UnhelpfulFeedbackInputSerializer(data=data)
    raise serializers.ValidationError(
        {"helpful": [ErrorDetail("Must be true or false.", code="invalid_type")]}
    )


class ArticleFeedbackApi(APIView):
    permission_classes = [IsEmployee]

    class OutputSerializer(ArticleFeedbackStateSerializer):
        updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema(
        operation_id="knowledge_articles_feedback",
        tags=["knowledge"],
        summary="Say whether an article helped; giving it again replaces your verdict",
        request=PolymorphicProxySerializer(
            component_name="ArticleFeedbackInput",
            serializers=[HelpfulFeedbackInputSerializer, UnhelpfulFeedbackInputSerializer],
            resource_type_field_name=None,
        ),
        responses={200: OutputSerializer},
    )
    def post(self, request: EmployeeRequest, slug: str) -> Response:
        serializer = feedback_input_serializer(request.data)
        serializer.is_valid(raise_exception=True)
        article = article_get(slug=slug, employee=request.user)
        feedback = article_feedback_set(
            article=article, employee=request.user, **serializer.validated_data
        )
        return Response(render(self.OutputSerializer, feedback))
