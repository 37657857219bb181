"""Article endpoints: browse and search, detail, editing, verification, history, feedback."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import Forbidden
from backend.api.moments import PlausibleDateField, PlausibleDateTimeField
from backend.api.pagination import CursorPagination
from backend.api.permissions import IsEditor, IsEmployee
from backend.api.serializers import (
    QueryParamsSerializer,
    SlugReferenceField,
    StrictInputSerializer,
)
from backend.api.throttling import CacheCounterThrottle
from knowledge.apis.serializers import (
    ArticleDetailSerializer,
    ArticleFeedbackStateSerializer,
    ArticleListItemSerializer,
    ArticleRevisionSerializer,
    article_detail,
    article_list_items,
)
from knowledge.models import (
    Article,
    ArticleLanguage,
    ArticleRevision,
    ArticleStatus,
    Category,
    FeedbackReason,
)
from knowledge.pagination import OffsetCursor
from knowledge.selectors.articles import (
    ArticleListParams,
    article_feedback_of,
    article_get,
    article_get_for_edit,
    article_list,
    article_translations,
    is_editor,
    notices_active,
)
from knowledge.services import articles as article_services
from knowledge.services.feedback import (
    article_feedback_set,
    search_log_mark_opened,
    search_log_record,
)

MAX_QUERY_LENGTH = 200


class SearchThrottle(CacheCounterThrottle):
    """Searches per employee (shared across app servers through the cache)."""

    scope = "knowledge_search"

    def get_ident_key(self, request: Request, view: Any) -> str | None:
        return f"employee-{request.user.pk}"


def _detail_response(
    request: Request, article: Article, *, status_code: int = status.HTTP_200_OK
) -> Response:
    employee = request.user
    body = article_detail(
        article,
        translations=article_translations(article=article, employee=employee),
        my_feedback=article_feedback_of(article=article, employee=employee),
    )
    return Response(body, status=status_code)


class ArticleListResponseSerializer(serializers.Serializer):
    search_id = serializers.IntegerField(
        allow_null=True,
        help_text="Id of the logged search (first page of a search only); pass it as "
        "`search_id` when opening a result.",
    )
    notices = ArticleListItemSerializer(
        many=True, help_text="Active outage notices, pinned above the results."
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ArticleListItemSerializer(many=True)


_PAGE_PARAMETERS = [
    OpenApiParameter("cursor", str, description="Opaque cursor from `next`/`previous`."),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        description="Results per page, 1 to 100 (default 20).",
    ),
]


class ArticleListApi(APIView):
    """GET: browse or search published articles. POST: an editor creates a draft."""

    permission_classes = [IsEmployee]
    # 404: an unknown category or translation source, or a cursor that points nowhere.
    # 503: this server is still building its search index (a new server's first minute).
    error_codes = (404, 409, 503)
    throttle_classes = [SearchThrottle]

    class FilterSerializer(QueryParamsSerializer):
        q = serializers.CharField(
            required=False,
            max_length=MAX_QUERY_LENGTH,
            help_text="Search words, as typed (the last word may be unfinished).",
        )
        lang = serializers.ChoiceField(
            choices=ArticleLanguage.choices,
            required=False,
            help_text="Only this language. Default: both — browsing lists your own language "
            "first; a search ranks both together, your own language winning near-ties.",
        )
        category = serializers.SlugField(max_length=60, required=False)
        tag = serializers.SlugField(max_length=40, required=False)
        status = serializers.ChoiceField(
            choices=ArticleStatus.choices,
            required=False,
            help_text="Editors only (default for everyone else: published).",
        )

    class InputSerializer(StrictInputSerializer):
        slug = serializers.SlugField(
            max_length=120, required=False, help_text="Default: made from the title."
        )
        language = serializers.ChoiceField(choices=ArticleLanguage.choices)
        title = serializers.CharField(max_length=200)
        summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
        friend_text = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        body = serializers.CharField(max_length=50000, required=False, allow_blank=True)
        category = SlugReferenceField(
            slug_field="slug", queryset=Category.objects.all(), required=False, allow_null=True
        )
        tags = serializers.ListField(
            child=serializers.CharField(max_length=40), max_length=20, required=False
        )
        translation_of = SlugReferenceField(
            slug_field="slug",
            queryset=Article.objects.all(),
            required=False,
            help_text="Slug of the article this translates.",
        )
        verified_until = PlausibleDateField(required=False, allow_null=True)
        notice_starts_at = PlausibleDateTimeField(planned=True, required=False, allow_null=True)
        notice_ends_at = PlausibleDateTimeField(planned=True, required=False, allow_null=True)

    @extend_schema(
        operation_id="knowledge_articles_list",
        tags=["knowledge"],
        summary="Search (with `q`: ranked, highlighted) or browse published articles",
        parameters=[FilterSerializer, *_PAGE_PARAMETERS],
        responses={200: ArticleListResponseSerializer},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        raw_q = request.query_params.get("q")
        if raw_q is not None and not raw_q.strip():
            # DRF reads an empty query parameter as "not given"; a blank search is an error.
            raise serializers.ValidationError(
                {"q": [ErrorDetail("A search needs at least one word.", code="blank")]}
            )
        employee = request.user
        wanted_status = data.get("status")
        if wanted_status and wanted_status != ArticleStatus.PUBLISHED and not is_editor(employee):
            raise Forbidden("Only editors can list drafts and archived articles.")
        pager = OffsetCursor(request)
        page = article_list(
            employee=employee,
            params=ArticleListParams(
                q=data.get("q"),
                lang=data.get("lang"),
                category=data.get("category"),
                tag=data.get("tag"),
                status=wanted_status,
                offset=pager.offset,
                limit=pager.page_size,
            ),
        )
        search_id = None
        if page.parsed is not None and pager.is_first_page:
            search_id = search_log_record(
                employee=employee,
                parsed=page.parsed,
                language=data.get("lang", ""),
                result_count=len(page.articles),
            ).pk
        notices = notices_active(employee=employee, language=data.get("lang"))
        highlights = page.highlights if page.parsed is not None else None
        return Response(
            {
                "search_id": search_id,
                "notices": article_list_items(notices),
                "next": pager.next_link(page.has_more),
                "previous": pager.previous_link(),
                "results": article_list_items(page.articles, highlights),
            }
        )

    @extend_schema(
        operation_id="knowledge_articles_create",
        tags=["knowledge"],
        summary="Create an article draft (editors)",
        request=InputSerializer,
        responses={201: ArticleDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        if not IsEditor().has_permission(request, self):
            raise Forbidden(IsEditor.message)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        article = article_services.article_create(
            editor=request.user, translation_of=data.pop("translation_of", None), **data
        )
        return _detail_response(request, article, status_code=status.HTTP_201_CREATED)

    def get_throttles(self) -> list:
        # Only searching is rate limited; creating drafts is an editor's everyday work.
        return super().get_throttles() if self.request.method == "GET" else []


class ArticleDetailApi(APIView):
    permission_classes = [IsEmployee]
    error_codes = (409,)

    class InputSerializer(StrictInputSerializer):
        revision = serializers.IntegerField(
            min_value=0, help_text="The revision you edited; a newer one on the server is a 409."
        )
        title = serializers.CharField(max_length=200, required=False)
        summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
        friend_text = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        body = serializers.CharField(max_length=50000, required=False, allow_blank=True)
        category = SlugReferenceField(
            slug_field="slug", queryset=Category.objects.all(), required=False, allow_null=True
        )
        tags = serializers.ListField(
            child=serializers.CharField(max_length=40), max_length=20, required=False
        )
        verified_until = PlausibleDateField(required=False, allow_null=True)
        notice_starts_at = PlausibleDateTimeField(planned=True, required=False, allow_null=True)
        notice_ends_at = PlausibleDateTimeField(planned=True, required=False, allow_null=True)
        translation_up_to_date = serializers.BooleanField(
            required=False,
            default=False,
            help_text="This translation now follows the source's latest revision.",
        )

    @extend_schema(
        operation_id="knowledge_articles_retrieve",
        tags=["knowledge"],
        summary="An article with its body and translations",
        parameters=[
            OpenApiParameter(
                "search_id",
                {"type": "integer", "minimum": 1},
                description="The `search_id` of the search this article was opened from.",
            )
        ],
        responses={200: ArticleDetailSerializer},
    )
    def get(self, request: Request, slug: str) -> Response:
        search_id = serializers.IntegerField(min_value=1, required=False)
        raw_search_id = request.query_params.get("search_id")
        article = article_get(slug=slug, employee=request.user)
        if raw_search_id is not None:
            try:
                parsed_id = search_id.run_validation(raw_search_id)
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"search_id": exc.detail}) from None
            search_log_mark_opened(search_id=parsed_id, employee=request.user, article=article)
        return _detail_response(request, article)

    @extend_schema(
        operation_id="knowledge_articles_update",
        tags=["knowledge"],
        summary="Edit an article (editors); stored as a new revision",
        request=InputSerializer,
        responses={200: ArticleDetailSerializer},
    )
    def patch(self, request: Request, slug: str) -> Response:
        if not IsEditor().has_permission(request, self):
            raise Forbidden(IsEditor.message)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        expected = data.pop("revision")
        up_to_date = data.pop("translation_up_to_date")
        article = article_services.article_update(
            article=article_get_for_edit(slug=slug),
            editor=request.user,
            data=data,
            expected_revision=expected,
            translation_up_to_date=up_to_date,
        )
        return _detail_response(request, article_get(slug=article.slug, employee=request.user))


class _StatusChangeInput(StrictInputSerializer):
    revision = serializers.IntegerField(
        min_value=0, required=False, help_text="Optional: the revision you saw (else 409)."
    )


class _StatusChangeApi(APIView):
    """Publish and archive: the same request, a different service."""

    permission_classes = [IsEditor]
    error_codes = (409,)

    @staticmethod
    def change(article: Article, editor: Any, expected_revision: int | None) -> Article:
        raise NotImplementedError

    def post(self, request: Request, slug: str) -> Response:
        serializer = _StatusChangeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = self.change(
            article_get_for_edit(slug=slug),
            request.user,
            serializer.validated_data.get("revision"),
        )
        return _detail_response(request, article_get(slug=article.slug, employee=request.user))


@extend_schema_view(
    post=extend_schema(
        operation_id="knowledge_articles_publish",
        tags=["knowledge"],
        summary="Publish an article (editors); needs summary, friend text and category",
        description="A never verified or stale article is verified for the default period.",
        request=_StatusChangeInput,
        responses={200: ArticleDetailSerializer},
    )
)
class ArticlePublishApi(_StatusChangeApi):
    @staticmethod
    def change(article: Article, editor: Any, expected_revision: int | None) -> Article:
        return article_services.article_publish(
            article=article, editor=editor, expected_revision=expected_revision
        )


@extend_schema_view(
    post=extend_schema(
        operation_id="knowledge_articles_archive",
        tags=["knowledge"],
        summary="Archive an article (editors): employees no longer see it",
        description="A pinned outage notice ends with it.",
        request=_StatusChangeInput,
        responses={200: ArticleDetailSerializer},
    )
)
class ArticleArchiveApi(_StatusChangeApi):
    @staticmethod
    def change(article: Article, editor: Any, expected_revision: int | None) -> Article:
        return article_services.article_archive(
            article=article, editor=editor, expected_revision=expected_revision
        )


class ArticleVerifyApi(APIView):
    permission_classes = [IsEditor]
    error_codes = (409,)

    class InputSerializer(StrictInputSerializer):
        verified_until = PlausibleDateField(
            required=False,
            allow_null=True,
            help_text="The day the facts stop holding (tariff, price or campaign end). "
            "Default: today plus the verification period (90 days).",
        )

    @extend_schema(
        operation_id="knowledge_articles_verify",
        tags=["knowledge"],
        summary="Confirm an article is correct (editors); extends verified_until",
        request=InputSerializer,
        responses={200: ArticleDetailSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = article_services.article_verify(
            article=article_get_for_edit(slug=slug),
            editor=request.user,
            verified_until=serializer.validated_data.get("verified_until"),
        )
        return _detail_response(request, article_get(slug=article.slug, employee=request.user))


class RevisionPagination(CursorPagination):
    ordering = ("-number",)


class ArticleRevisionListApi(APIView):
    permission_classes = [IsEditor]
    pagination_class = RevisionPagination  # read by the schema generator

    @extend_schema(
        operation_id="knowledge_articles_revisions",
        tags=["knowledge"],
        summary="An article's history: every edit, newest first (editors)",
        responses={200: ArticleRevisionSerializer(many=True)},
    )
    def get(self, request: Request, slug: str) -> Response:
        article = article_get_for_edit(slug=slug)
        paginator = RevisionPagination()
        revisions = ArticleRevision.objects.filter(article=article).select_related("editor")
        page = paginator.paginate_queryset(revisions, request, view=self)
        return paginator.get_paginated_response(ArticleRevisionSerializer(page, many=True).data)


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
    def post(self, request: Request, slug: str) -> Response:
        serializer = feedback_input_serializer(request.data)
        serializer.is_valid(raise_exception=True)
        article = article_get(slug=slug, employee=request.user)
        feedback = article_feedback_set(
            article=article, employee=request.user, **serializer.validated_data
        )
        return Response(self.OutputSerializer(feedback).data)
