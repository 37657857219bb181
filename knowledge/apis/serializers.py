"""Response shapes shared by several knowledge endpoints.

The article shapes render the records of `knowledge.records` (and declare the schema from
the Article model's fields). Views render them with `backend.api.rendering`, which builds
each serializer once: whatever differs per request (a highlight, the versions the reader
may see, the reader's own feedback) is on the record, never in the serializer's context.
"""

from __future__ import annotations

from rest_framework import serializers

from backend.api.rendering import RecordSerializer
from knowledge.models import Article, ArticleRevision, Category


class CategoryRefSerializer(RecordSerializer, serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name_nl", "name_en"]
        read_only_fields = fields


class PersonRefSerializer(RecordSerializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class ArticleNoticeSerializer(RecordSerializer):
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    active = serializers.BooleanField(read_only=True)


class ArticleListItemSerializer(RecordSerializer, serializers.ModelSerializer):
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    stale = serializers.BooleanField(
        read_only=True, help_text="Past `verified_until` (or never verified): check before use."
    )
    translation_outdated = serializers.BooleanField(
        read_only=True, help_text="The source article changed after this translation was made."
    )
    notice = ArticleNoticeSerializer(read_only=True, allow_null=True)
    highlight = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Search only: a snippet as HTML whose only tag is `<mark>`; null when browsing.",
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


class ArticleTranslationSerializer(RecordSerializer, serializers.ModelSerializer):
    translation_outdated = serializers.BooleanField(read_only=True)

    class Meta:
        model = Article
        fields = ["slug", "language", "title", "status", "translation_outdated"]
        read_only_fields = fields


class ArticleFeedbackStateSerializer(RecordSerializer):
    helpful = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)


class ArticleDetailSerializer(ArticleListItemSerializer):
    owner = PersonRefSerializer(read_only=True, allow_null=True)
    translation_of = serializers.CharField(read_only=True, allow_null=True)
    translations = ArticleTranslationSerializer(many=True, read_only=True)
    my_feedback = ArticleFeedbackStateSerializer(read_only=True, allow_null=True)
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
