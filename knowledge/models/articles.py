"""Articles and what is recorded about them: revisions, feedback, searches."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from knowledge.choices import ArticleLanguage, ArticleStatus, FeedbackReason, RevisionAction


def article_is_stale(verified_until: date | None, today: date) -> bool:
    """Unverified, or past the day its facts were verified until."""
    return verified_until is None or verified_until < today


def notice_is_active(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> bool:
    return starts_at is not None and ends_at is not None and starts_at <= now < ends_at


def translation_is_outdated(source_revision: int | None, followed_revision: int | None) -> bool:
    """The source was edited after the revision a translation follows."""
    if source_revision is None or followed_revision is None:
        return False
    return source_revision > followed_revision


class Category(models.Model):
    """A shelf of the knowledge base (plans, roaming, bills, …), named in both languages."""

    slug = models.SlugField(max_length=60, unique=True)
    name_nl = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=100, help_text="Lower comes first.")

    class Meta:
        ordering = ["position", "slug"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name_en

    def name_in(self, language: str) -> str:
        return self.name_nl if language == ArticleLanguage.NL else self.name_en


class Article(models.Model):
    """An answer employees can trust. `friend_text` is the short version safe to forward;
    `body` is internal detail (Markdown, rendered once into `body_html`).

    nl and en versions share a `translation_group`; a translation points at its
    `translation_source` and records the source's `content_revision` it follows, so an
    edit of the source makes the translation outdated. Search reads them through the
    search engine's index (knowledge/search), which follows `updated_at`.
    """

    slug = models.SlugField(max_length=120, unique=True)
    language = models.CharField(max_length=2, choices=ArticleLanguage.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    friend_text = models.TextField(blank=True)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_articles",
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    tags = models.JSONField(default=list, blank=True)

    translation_group = models.UUIDField(default=uuid.uuid4, editable=False)
    translation_source = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        help_text="The article this one is a translation of.",
    )
    translation_source_revision = models.PositiveIntegerField(
        null=True, blank=True, help_text="The source's content revision this translation follows."
    )
    revision = models.PositiveIntegerField(default=0, editable=False)
    content_revision = models.PositiveIntegerField(
        default=0, editable=False, help_text="Last revision that changed the translatable text."
    )

    verified_at = models.DateTimeField(null=True, blank=True)
    verified_until = models.DateField(
        null=True, blank=True, help_text="After this day the article is flagged stale."
    )
    notice_starts_at = models.DateTimeField(null=True, blank=True)
    notice_ends_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_group", "language"],
                name="knowledge_article_unique_language_per_translation_group",
            ),
            models.CheckConstraint(
                condition=(
                    Q(notice_starts_at__isnull=True, notice_ends_at__isnull=True)
                    | Q(
                        notice_starts_at__isnull=False,
                        notice_ends_at__gt=models.F("notice_starts_at"),
                    )
                ),
                name="knowledge_article_notice_window_valid",
            ),
            models.CheckConstraint(
                condition=Q(translation_source__isnull=True)
                | Q(translation_source_revision__isnull=False),
                name="knowledge_article_translation_follows_a_revision",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "language", "title"], name="knowledge_art_browse_idx"),
            models.Index(fields=["status", "verified_until"], name="knowledge_art_stale_idx"),
            models.Index(
                fields=["notice_ends_at"],
                condition=Q(notice_ends_at__isnull=False),
                name="knowledge_art_notice_idx",
            ),
            models.Index(fields=["translation_group"], name="knowledge_art_group_idx"),
            # The search index catches up by reading what changed since its last look.
            models.Index(fields=["updated_at"], name="knowledge_art_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def is_stale(self, today: date) -> bool:
        return article_is_stale(self.verified_until, today)

    @property
    def stale(self) -> bool:
        return self.is_stale(timezone.localdate())

    @property
    def notice_active(self) -> bool:
        return notice_is_active(self.notice_starts_at, self.notice_ends_at, timezone.now())

    @property
    def translation_outdated(self) -> bool:
        """The source was edited after the revision this translation follows.

        Reads `translation_source`; select it with the article to avoid a query.
        """
        source = self.translation_source
        return source is not None and translation_is_outdated(
            source.content_revision, self.translation_source_revision
        )


class ArticleRevision(models.Model):
    """One stored edit: who, when, which action and what changed (`changes` maps each
    changed field to its old and new value)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=RevisionAction.choices)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="article_revisions",
    )
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="knowledge_articlerevision_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article.slug} r{self.number} ({self.action})"

    @property
    def changed_fields(self) -> list[str]:
        return sorted(self.changes)


class ArticleFeedback(models.Model):
    """An employee's verdict on an article: one per employee and article, changeable."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_feedback"
    )
    helpful = models.BooleanField()
    reason = models.CharField(max_length=20, choices=FeedbackReason.choices, blank=True)
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "article feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "employee"], name="knowledge_articlefeedback_unique_employee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article.slug}: {'helpful' if self.helpful else 'not helpful'}"


class SearchLog(models.Model):
    """One search: what was asked, in which language, how many results, what was opened."""

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="search_logs",
    )
    query = models.CharField(max_length=200)
    normalized_query = models.CharField(max_length=200, db_index=True)
    language = models.CharField(max_length=2, choices=ArticleLanguage.choices, blank=True)
    result_count = models.PositiveIntegerField()
    clicked_article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    clicked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(result_count=0),
                name="knowledge_searchlog_zero_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.query!r} → {self.result_count}"
