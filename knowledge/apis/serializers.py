"""Response shapes shared by several knowledge endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from knowledge.models import Article, ArticleRevision, Category


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name_nl", "name_en"]
        read_only_fields = fields


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class ArticleNoticeSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(source="notice_starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="notice_ends_at", read_only=True)
    active = serializers.BooleanField(source="notice_active", read_only=True)


class ArticleListItemSerializer(serializers.ModelSerializer):
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    stale = serializers.BooleanField(
        read_only=True, help_text="Past `verified_until` (or never verified): check before use."
    )
    translation_outdated = serializers.BooleanField(
        read_only=True, help_text="The source article changed after this translation was made."
    )
    notice = serializers.SerializerMethodField()
    highlight = serializers.SerializerMethodField(
        help_text="Search only: a snippet as HTML whose only tag is `<mark>`; null when browsing."
    )

    class Meta:
        model = Article
        fields = [
            "slug",
            "language",
            "title",
            "summary",
            "friend_text",
            "category",
            "tags",
            "status",
            "verified_until",
            "stale",
            "translation_outdated",
            "notice",
            "updated_at",
            "highlight",
        ]
        read_only_fields = fields

    @extend_schema_field(ArticleNoticeSerializer(allow_null=True))
    def get_notice(self, article: Article) -> dict | None:
        if article.notice_starts_at is None:
            return None
        return ArticleNoticeSerializer(article).data  # type: ignore[return-value]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_highlight(self, article: Article) -> str | None:
        highlights = self.context.get("highlights")
        return highlights.get(article.pk) if highlights is not None else None


class ArticleTranslationSerializer(serializers.ModelSerializer):
    translation_outdated = serializers.BooleanField(read_only=True)

    class Meta:
        model = Article
        fields = ["slug", "language", "title", "status", "translation_outdated"]
        read_only_fields = fields


class ArticleFeedbackStateSerializer(serializers.Serializer):
    helpful = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)


class ArticleDetailSerializer(ArticleListItemSerializer):
    owner = PersonRefSerializer(read_only=True, allow_null=True)
    translation_of = serializers.SlugRelatedField(
        source="translation_source", slug_field="slug", read_only=True, allow_null=True
    )
    translations = serializers.SerializerMethodField()
    my_feedback = serializers.SerializerMethodField()
    body_html = serializers.CharField(
        read_only=True, help_text="The body rendered from Markdown and sanitised."
    )

    class Meta(ArticleListItemSerializer.Meta):
        fields = [
            *[f for f in ArticleListItemSerializer.Meta.fields if f != "highlight"],
            "body",
            "body_html",
            "owner",
            "verified_at",
            "published_at",
            "created_at",
            "revision",
            "translation_of",
            "translation_source_revision",
            "translations",
            "my_feedback",
        ]
        read_only_fields = fields

    @extend_schema_field(ArticleTranslationSerializer(many=True))
    def get_translations(self, article: Article) -> list:
        return ArticleTranslationSerializer(self.context.get("translations", []), many=True).data  # type: ignore[return-value]

    @extend_schema_field(ArticleFeedbackStateSerializer(allow_null=True))
    def get_my_feedback(self, article: Article) -> dict | None:
        feedback = self.context.get("my_feedback")
        return ArticleFeedbackStateSerializer(feedback).data if feedback else None  # type: ignore[return-value]


class ArticleRevisionSerializer(serializers.ModelSerializer):
    editor = PersonRefSerializer(read_only=True, allow_null=True)
    changed_fields = serializers.ListField(child=serializers.CharField(), read_only=True)
    changes = serializers.DictField(
        read_only=True, help_text='Per changed field: `{"from": old, "to": new}`.'
    )

    class Meta:
        model = ArticleRevision
        fields = ["number", "action", "editor", "created_at", "changed_fields", "changes"]
        read_only_fields = fields


# --- Fast renderers ------------------------------------------------------------------------
# Article payloads are on the hottest paths (search, detail). DRF's ModelSerializer rebuilds
# its fields from the model on every use, which costs more than the queries, so the views
# build the same dictionaries directly. The serializers above stay the documented schema;
# tests/knowledge/test_article_payloads.py keeps both in step.

_DATETIME = serializers.DateTimeField()
_DATE = serializers.DateField()


def _datetime(value: datetime | None) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def _date(value: date | None) -> str | None:
    return None if value is None else _DATE.to_representation(value)


def article_list_item(
    article: Article, *, today: date, now: datetime, highlights: dict[int, str] | None = None
) -> dict[str, Any]:
    """What ArticleListItemSerializer renders."""
    category = article.category
    notice = None
    if article.notice_starts_at is not None:
        notice = {
            "starts_at": _datetime(article.notice_starts_at),
            "ends_at": _datetime(article.notice_ends_at),
            "active": article.notice_ends_at is not None
            and article.notice_starts_at <= now < article.notice_ends_at,
        }
    return {
        "slug": article.slug,
        "language": article.language,
        "title": article.title,
        "summary": article.summary,
        "friend_text": article.friend_text,
        "category": None
        if category is None
        else {"slug": category.slug, "name_nl": category.name_nl, "name_en": category.name_en},
        "tags": [str(tag) for tag in article.tags],
        "status": article.status,
        "verified_until": _date(article.verified_until),
        "stale": article.is_stale(today),
        "translation_outdated": article.translation_outdated,
        "notice": notice,
        "updated_at": _datetime(article.updated_at),
        "highlight": highlights.get(article.pk) if highlights is not None else None,
    }


def article_list_items(
    articles: list[Article], highlights: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    today, now = timezone.localdate(), timezone.now()
    return [article_list_item(a, today=today, now=now, highlights=highlights) for a in articles]


def article_detail(
    article: Article, *, translations: list[Article], my_feedback: Any | None
) -> dict[str, Any]:
    """What ArticleDetailSerializer renders."""
    body = article_list_item(article, today=timezone.localdate(), now=timezone.now())
    del body["highlight"]
    owner = article.owner
    source = article.translation_source
    body.update(
        {
            "body": article.body,
            "body_html": article.body_html,
            "owner": None
            if owner is None
            else {"id": owner.pk, "display_name": owner.display_name},
            "verified_at": _datetime(article.verified_at),
            "published_at": _datetime(article.published_at),
            "created_at": _datetime(article.created_at),
            "revision": article.revision,
            "translation_of": None if source is None else source.slug,
            "translation_source_revision": article.translation_source_revision,
            "translations": [
                {
                    "slug": t.slug,
                    "language": t.language,
                    "title": t.title,
                    "status": t.status,
                    "translation_outdated": t.translation_outdated,
                }
                for t in translations
            ],
            "my_feedback": None
            if not my_feedback
            else {
                "helpful": my_feedback.helpful,
                "reason": my_feedback.reason,
                "comment": my_feedback.comment,
            },
        }
    )
    return body
