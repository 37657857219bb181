"""Editors' actions on an article: publish, archive, verify, and its history."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Employee
from backend.api.moments import PlausibleDateField
from backend.api.pagination import CursorPagination
from backend.api.permissions import IsEditor
from backend.api.rendering import render_many
from backend.api.request import EmployeeRequest
from backend.api.serializers import StrictInputSerializer
from knowledge.apis.articles import detail_response
from knowledge.apis.serializers import ArticleDetailSerializer, ArticleRevisionSerializer
from knowledge.models import Article, ArticleRevision
from knowledge.selectors.articles import article_get_for_edit
from knowledge.services import articles as article_services


class _StatusChangeInput(StrictInputSerializer):
    revision = serializers.IntegerField(
        min_value=0, required=False, help_text="Optional: the revision you saw (else 409)."
    )


class _StatusChangeApi(APIView):
    """Publish and archive: the same request, a different service."""

    permission_classes = [IsEditor]
    error_codes = (409,)

    @staticmethod
    def change(article: Article, editor: Employee, expected_revision: int | None) -> Article:
        raise NotImplementedError

    def post(self, request: EmployeeRequest, slug: str) -> Response:
        serializer = _StatusChangeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = self.change(
            article_get_for_edit(slug=slug),
            request.user,
            serializer.validated_data.get("revision"),
        )
        return detail_response(request.user, article.slug)


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
    def change(article: Article, editor: Employee, expected_revision: int | None) -> Article:
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
    def change(article: Article, editor: Employee, expected_revision: int | None) -> Article:
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
    def post(self, request: EmployeeRequest, slug: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = article_services.article_verify(
            article=article_get_for_edit(slug=slug),
            editor=request.user,
            verified_until=serializer.validated_data.get("verified_until"),
        )
        return detail_response(request.user, article.slug)


class RevisionPagination(CursorPagination):
    ordering = ("-number", "-id")


class ArticleRevisionListApi(APIView):
    permission_classes = [IsEditor]
    pagination_class = RevisionPagination  # read by the schema generator

    @extend_schema(
        operation_id="knowledge_articles_revisions",
        tags=["knowledge"],
        summary="An article's history: every edit, newest first (editors)",
        responses={200: ArticleRevisionSerializer(many=True)},
    )
    def get(self, request: EmployeeRequest, slug: str) -> Response:
        article = article_get_for_edit(slug=slug)
        paginator = RevisionPagination()
        revisions = ArticleRevision.objects.filter(article=article).select_related("editor")
        page = paginator.paginate_queryset(revisions, request, view=self)
        return paginator.get_paginated_response(render_many(ArticleRevisionSerializer, page))
