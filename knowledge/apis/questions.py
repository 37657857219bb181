"""Ask colleagues: questions, answers, accepting one, turning it into an article."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.pagination import CursorPagination
from backend.api.permissions import IsEditor, IsEmployee
from backend.api.rendering import render, render_many
from backend.api.request import EmployeeRequest
from backend.api.serializers import (
    QueryParamsSerializer,
    SlugReferenceField,
    StrictInputSerializer,
    refuse_body_fields,
)
from backend.api.throttling import EmployeeWriteThrottle
from knowledge.apis.articles import detail_response
from knowledge.apis.serializers import ArticleDetailSerializer, PersonRefSerializer
from knowledge.models import ArticleLanguage, Category, Question, QuestionStatus
from knowledge.selectors.category_suggestion import question_suggested_category
from knowledge.selectors.questions import (
    answer_get,
    question_get,
    question_get_plain,
    questions_list,
)
from knowledge.services.questions import (
    answer_accept,
    answer_post,
    question_ask,
    question_publish,
)


class QuestionWriteThrottle(EmployeeWriteThrottle):
    """Questions and answers per employee: colleagues' attention is the scarce resource."""

    scope = "knowledge_question"


class AnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    author = PersonRefSerializer(read_only=True, allow_null=True)
    body = serializers.CharField(read_only=True)
    is_accepted = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ArticleRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    details = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    asker = PersonRefSerializer(read_only=True, allow_null=True)
    answer_count = serializers.IntegerField(read_only=True)
    article = ArticleRefSerializer(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class SuggestedCategorySerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="In the question's language.")


class QuestionDetailSerializer(QuestionSerializer):
    answers = AnswerSerializer(many=True, read_only=True)
    answer_count = serializers.IntegerField(source="answers.count", read_only=True)
    suggested_category = serializers.SerializerMethodField(
        help_text="The category of the published answers most like this question; "
        "publishing uses it unless the editor chooses another."
    )

    @extend_schema_field(SuggestedCategorySerializer(allow_null=True))
    def get_suggested_category(self, question: Question) -> dict[str, str] | None:
        category = question_suggested_category(question=question)
        if category is None:
            return None
        return {"slug": category.slug, "name": category.name_in(question.language)}


class QuestionListApi(APIView):
    permission_classes = [IsEmployee]
    throttle_classes = [QuestionWriteThrottle]
    pagination_class = CursorPagination  # read by the schema generator

    class FilterSerializer(QueryParamsSerializer):
        status = serializers.ChoiceField(choices=QuestionStatus.choices, required=False)
        mine = serializers.BooleanField(
            required=False, default=False, help_text="Only the questions you asked."
        )

    class InputSerializer(StrictInputSerializer):
        title = serializers.CharField(max_length=200, help_text="The question, in one line.")
        details = serializers.CharField(max_length=4000, required=False, allow_blank=True)
        language = serializers.ChoiceField(
            choices=ArticleLanguage.choices, required=False, help_text="Default: yours."
        )

    @extend_schema(
        operation_id="knowledge_questions_list",
        tags=["knowledge"],
        summary="Questions colleagues asked, newest first",
        parameters=[FilterSerializer],
        responses={200: QuestionSerializer(many=True)},
    )
    def get(self, request: EmployeeRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = questions_list(
            status=filters.validated_data.get("status"),
            asker_id=request.user.pk if filters.validated_data["mine"] else None,
        )
        paginator = CursorPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(render_many(QuestionSerializer, page))

    @extend_schema(
        operation_id="knowledge_questions_create",
        tags=["knowledge"],
        summary="Ask colleagues a question the knowledge base did not answer",
        request=InputSerializer,
        responses={201: QuestionDetailSerializer},
    )
    def post(self, request: EmployeeRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        question = question_ask(
            asker=request.user,
            title=data["title"],
            details=data.get("details", ""),
            language=data.get("language", request.user.language),
        )
        return Response(
            render(QuestionDetailSerializer, question_get(question_id=question.pk)),
            status=status.HTTP_201_CREATED,
        )


class QuestionDetailApi(APIView):
    permission_classes = [IsEmployee]

    @extend_schema(
        operation_id="knowledge_questions_retrieve",
        tags=["knowledge"],
        summary="A question with its answers",
        responses={200: QuestionDetailSerializer},
    )
    def get(self, request: EmployeeRequest, question_id: int) -> Response:
        return Response(render(QuestionDetailSerializer, question_get(question_id=question_id)))


class AnswerCreateApi(APIView):
    permission_classes = [IsEmployee]
    throttle_classes = [QuestionWriteThrottle]
    error_codes = (409,)

    class InputSerializer(StrictInputSerializer):
        body = serializers.CharField(max_length=4000)

    @extend_schema(
        operation_id="knowledge_answers_create",
        tags=["knowledge"],
        summary="Answer a colleague's question",
        request=InputSerializer,
        responses={201: AnswerSerializer},
    )
    def post(self, request: EmployeeRequest, question_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer = answer_post(
            question=question_get_plain(question_id=question_id),
            author=request.user,
            body=serializer.validated_data["body"],
        )
        return Response(render(AnswerSerializer, answer), status=status.HTTP_201_CREATED)


class AnswerAcceptApi(APIView):
    permission_classes = [IsEmployee]
    error_codes = (409,)

    @extend_schema(
        operation_id="knowledge_answers_accept",
        tags=["knowledge"],
        summary="Accept an answer (the asker or an editor); replaces an earlier accepted one",
        request=None,
        responses={200: AnswerSerializer},
    )
    def post(self, request: EmployeeRequest, answer_id: int) -> Response:
        refuse_body_fields(request.data)
        answer = answer_accept(answer=answer_get(answer_id=answer_id), actor=request.user)
        return Response(render(AnswerSerializer, answer))


class QuestionPublishApi(APIView):
    permission_classes = [IsEditor]
    error_codes = (409,)

    class InputSerializer(StrictInputSerializer):
        category = SlugReferenceField(
            slug_field="slug",
            queryset=Category.objects.all(),
            required=False,
            help_text="The draft's category; default: the question's `suggested_category`.",
        )

    @extend_schema(
        operation_id="knowledge_questions_publish",
        tags=["knowledge"],
        summary="Turn a question and its accepted answer into an article draft (editors)",
        request=InputSerializer,
        responses={201: ArticleDetailSerializer},
    )
    def post(self, request: EmployeeRequest, question_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = question_publish(
            question=question_get_plain(question_id=question_id),
            editor=request.user,
            category=serializer.validated_data.get("category"),
        )
        return detail_response(request.user, article.slug, status_code=status.HTTP_201_CREATED)
