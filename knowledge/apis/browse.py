"""Categories, outage notices and editors' insights."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.pagination import CursorPagination
from backend.api.permissions import IsEditor, IsEmployee
from backend.api.rendering import render, render_many
from backend.api.request import EmployeeRequest
from backend.api.serializers import QueryParamsSerializer
from knowledge.apis.serializers import ArticleListItemSerializer, PersonRefSerializer
from knowledge.models import ArticleLanguage, Category
from knowledge.selectors.articles import categories_with_counts, notices_active
from knowledge.selectors.insights import MIN_FEEDBACK, insights_get


class CategoryPagination(CursorPagination):
    ordering = ("position", "slug")


class CategoryListApi(APIView):
    permission_classes = [IsEmployee]
    pagination_class = CategoryPagination

    class OutputSerializer(serializers.ModelSerializer):
        article_count_nl = serializers.IntegerField(read_only=True)
        article_count_en = serializers.IntegerField(read_only=True)

        class Meta:
            model = Category
            fields = ["slug", "name_nl", "name_en", "article_count_nl", "article_count_en"]
            read_only_fields = fields

    @extend_schema(
        operation_id="knowledge_categories_list",
        tags=["knowledge"],
        summary="Categories with their number of published articles per language",
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request: EmployeeRequest) -> Response:
        paginator = CategoryPagination()
        page = paginator.paginate_queryset(categories_with_counts(), request, view=self)
        return paginator.get_paginated_response(render_many(self.OutputSerializer, page))


class NoticeListApi(APIView):
    permission_classes = [IsEmployee]

    class FilterSerializer(QueryParamsSerializer):
        lang = serializers.ChoiceField(
            choices=ArticleLanguage.choices,
            required=False,
            help_text="Only this language. Default: one version per notice, yours first.",
        )

    class OutputSerializer(serializers.Serializer):
        results = ArticleListItemSerializer(many=True)

    @extend_schema(
        operation_id="knowledge_notices_list",
        tags=["knowledge"],
        summary="Active outage notices (they expire by themselves at their end time)",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer},
    )
    def get(self, request: EmployeeRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notices = notices_active(employee=request.user, language=filters.validated_data.get("lang"))
        return Response({"results": render_many(ArticleListItemSerializer, notices)})


class InsightsZeroResultQuerySerializer(serializers.Serializer):
    query = serializers.CharField(source="normalized_query")
    count = serializers.IntegerField()
    last_searched_at = serializers.DateTimeField()


class InsightsStaleArticleSerializer(serializers.Serializer):
    slug = serializers.CharField()
    language = serializers.CharField()
    title = serializers.CharField()
    verified_until = serializers.DateField(allow_null=True)
    owner = PersonRefSerializer(allow_null=True)


class InsightsUnhelpfulArticleSerializer(serializers.Serializer):
    slug = serializers.CharField(source="article__slug")
    language = serializers.CharField(source="article__language")
    title = serializers.CharField(source="article__title")
    helpful = serializers.IntegerField(source="helpful_count")
    not_helpful = serializers.IntegerField(source="not_helpful_count")
    helpful_share = serializers.FloatField(source="share")


class InsightsFriendFeedbackSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    language = serializers.CharField()
    helpful_count = serializers.IntegerField()
    not_helpful_count = serializers.IntegerField()
    reasons = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="How often friends gave each reason (e.g. `unclear`, `outdated`).",
    )


class InsightsOpenQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    language = serializers.CharField()
    asker = PersonRefSerializer(allow_null=True)
    answer_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class InsightsApi(APIView):
    permission_classes = [IsEditor]

    class FilterSerializer(QueryParamsSerializer):
        days = serializers.IntegerField(
            min_value=1, max_value=365, default=30, help_text="Look back this many days."
        )
        lang = serializers.ChoiceField(choices=ArticleLanguage.choices, required=False)
        limit = serializers.IntegerField(
            min_value=1, max_value=100, default=20, help_text="Rows per list."
        )

    class OutputSerializer(serializers.Serializer):
        days = serializers.IntegerField()
        searches = serializers.IntegerField()
        zero_result_searches = serializers.IntegerField()
        opened_searches = serializers.IntegerField(help_text="Searches where a result was opened.")
        zero_result_queries = InsightsZeroResultQuerySerializer(many=True)
        stale_articles = InsightsStaleArticleSerializer(many=True)
        least_helpful_articles = InsightsUnhelpfulArticleSerializer(
            many=True,
            help_text=f"Articles with at least {MIN_FEEDBACK} verdicts, least helpful first.",
        )
        open_question_count = serializers.IntegerField()
        open_questions = InsightsOpenQuestionSerializer(many=True, help_text="Oldest first.")
        friend_feedback = InsightsFriendFeedbackSerializer(
            many=True,
            help_text="What friends said about shared answers on their landing page, "
            "least helpful first.",
        )

    @extend_schema(
        operation_id="knowledge_insights",
        tags=["knowledge"],
        summary="Where the knowledge base fails: zero-result searches, stale and unhelpful "
        "articles, open questions (editors)",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer},
    )
    def get(self, request: EmployeeRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        insights = insights_get(
            days=filters.validated_data["days"],
            language=filters.validated_data.get("lang"),
            limit=filters.validated_data["limit"],
        )
        return Response(render(self.OutputSerializer, insights))
