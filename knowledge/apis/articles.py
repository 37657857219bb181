"""Article endpoints on the list and detail URLs: search and browse, open an article, and
the editors' create and edit of the same resources. Status changes, history and feedback
are in `article_editing.py` and `feedback.py`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from backend.accounts.models import Employee
from backend.api.errors import Forbidden
from backend.api.moments import PlausibleDateField, PlausibleDateTimeField
from backend.api.permissions import IsEditor, IsEmployee
from backend.api.rendering import render, render_many
from backend.api.request import EmployeeRequest
from backend.api.serializers import QueryParamsSerializer, SlugReferenceField, StrictInputSerializer
from backend.api.throttling import CacheCounterThrottle
from knowledge.apis.serializers import ArticleDetailSerializer, ArticleListItemSerializer
from knowledge.models import Article, ArticleLanguage, ArticleStatus, Category
from knowledge.pagination import OffsetCursor
from knowledge.selectors.articles import (
    ArticleListParams,
    article_detail_get,
    article_get_for_edit,
    article_list,
    is_editor,
)
from knowledge.services import articles as article_services
from knowledge.services.feedback import search_log_mark_opened, search_log_record

MAX_QUERY_LENGTH = 200


class SearchThrottle(CacheCounterThrottle):
    """Searches per employee (shared across app servers through the cache)."""

    scope = "knowledge_search"

    def get_ident_key(self, request: Request, view: Any) -> str | None:
        return f"employee-{request.user.pk}"


def detail_response(
    employee: Employee, slug: str, *, status_code: int = status.HTTP_200_OK
) -> Response:
    """The article as `employee` sees it: what every write on an article answers with."""
    detail = article_detail_get(slug=slug, employee=employee)
    return Response(render(ArticleDetailSerializer, detail), status=status_code)


def editor_required(request: EmployeeRequest, view: APIView) -> None:
    """For a method that only editors may use on a URL every employee reads."""
    if not IsEditor().has_permission(request, view):
        raise Forbidden(IsEditor.message)


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


# The fields an editor writes, when creating an article and when editing one. (A comment,
# not a docstring: the schema would show a docstring as the request's description.)
class ArticleContentInput(StrictInputSerializer):
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
    verified_until = PlausibleDateField(required=False, allow_null=True)
    notice_starts_at = PlausibleDateTimeField(planned=True, required=False, allow_null=True)
    notice_ends_at = PlausibleDateTimeField(planned=True, required=False, allow_null=True)


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

    class InputSerializer(ArticleContentInput):
        slug = serializers.SlugField(
            max_length=120, required=False, help_text="Default: made from the title."
        )
        language = serializers.ChoiceField(choices=ArticleLanguage.choices)
        translation_of = SlugReferenceField(
            slug_field="slug",
            queryset=Article.objects.all(),
            required=False,
            help_text="Slug of the article this translates.",
        )

    @extend_schema(
        operation_id="knowledge_articles_list",
        tags=["knowledge"],
        summary="Search (with `q`: ranked, highlighted) or browse published articles",
        parameters=[FilterSerializer, *_PAGE_PARAMETERS],
        responses={200: ArticleListResponseSerializer},
    )
    def get(self, request: EmployeeRequest) -> Response:
        filters = self._filters(request)
        employee = request.user
        pager = OffsetCursor(request)
        page = article_list(
            employee=employee,
            params=ArticleListParams(**filters, offset=pager.offset, limit=pager.page_size),
        )
        search_id = None
        if page.parsed is not None and pager.is_first_page:
            search_id = search_log_record(
                employee=employee,
                parsed=page.parsed,
                language=filters.get("lang", ""),
                result_count=len(page.articles),
            )
        return Response(
            {
                "search_id": search_id,
                "notices": render_many(ArticleListItemSerializer, page.notices),
                "next": pager.next_link(page.has_more),
                "previous": pager.previous_link(),
                "results": render_many(ArticleListItemSerializer, page.articles),
            }
        )

    def _filters(self, request: EmployeeRequest) -> dict[str, Any]:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        raw_q = request.query_params.get("q")
        if raw_q is not None and not raw_q.strip():
            # DRF reads an empty query parameter as "not given"; a blank search is an error.
            raise serializers.ValidationError(
                {"q": [ErrorDetail("A search needs at least one word.", code="blank")]}
            )
        wanted_status = filters.validated_data.get("status")
        if wanted_status not in (None, ArticleStatus.PUBLISHED) and not is_editor(request.user):
            raise Forbidden("Only editors can list drafts and archived articles.")
        return dict(filters.validated_data)

    @extend_schema(
        operation_id="knowledge_articles_create",
        tags=["knowledge"],
        summary="Create an article draft (editors)",
        request=InputSerializer,
        responses={201: ArticleDetailSerializer},
    )
    def post(self, request: EmployeeRequest) -> Response:
        editor_required(request, self)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        article = article_services.article_create(
            editor=request.user, translation_of=data.pop("translation_of", None), **data
        )
        return detail_response(request.user, article.slug, status_code=status.HTTP_201_CREATED)

    def get_throttles(self) -> list[BaseThrottle]:
        # Only searching is rate limited; creating drafts is an editor's everyday work.
        return super().get_throttles() if self.request.method == "GET" else []


_SEARCH_ID = serializers.IntegerField(min_value=1, required=False)


class ArticleDetailApi(APIView):
    permission_classes = [IsEmployee]
    error_codes = (409,)

    class InputSerializer(ArticleContentInput):
        revision = serializers.IntegerField(
            min_value=0, help_text="The revision you edited; a newer one on the server is a 409."
        )
        title = serializers.CharField(max_length=200, required=False)
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
    def get(self, request: EmployeeRequest, slug: str) -> Response:
        raw_search_id = request.query_params.get("search_id")
        detail = article_detail_get(slug=slug, employee=request.user)
        if raw_search_id is not None:
            try:
                search_id = _SEARCH_ID.run_validation(raw_search_id)
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"search_id": exc.detail}) from None
            search_log_mark_opened(search_id=search_id, employee=request.user, article_id=detail.id)
        return Response(render(ArticleDetailSerializer, detail))

    @extend_schema(
        operation_id="knowledge_articles_update",
        tags=["knowledge"],
        summary="Edit an article (editors); stored as a new revision",
        request=InputSerializer,
        responses={200: ArticleDetailSerializer},
    )
    def patch(self, request: EmployeeRequest, slug: str) -> Response:
        editor_required(request, self)
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
        return detail_response(request.user, article.slug)
