from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class ArticleLanguage(models.TextChoices):
    NL = "nl", "Nederlands"
    EN = "en", "English"


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
        """Unverified, or past the day its facts were verified until."""
        return self.verified_until is None or self.verified_until < today

    @property
    def stale(self) -> bool:
        return self.is_stale(timezone.localdate())

    @property
    def notice_active(self) -> bool:
        if self.notice_starts_at is None or self.notice_ends_at is None:
            return False
        return self.notice_starts_at <= timezone.now() < self.notice_ends_at

    @property
    def translation_outdated(self) -> bool:
        """The source was edited after the revision this translation follows.

        Reads `translation_source`; select it with the article to avoid a query.
        """
        source = self.translation_source
        if source is None or self.translation_source_revision is None:
            return False
        return source.content_revision > self.translation_source_revision


class RevisionAction(models.TextChoices):
    CREATE = "create", "Created"
    EDIT = "edit", "Edited"
    PUBLISH = "publish", "Published"
    ARCHIVE = "archive", "Archived"
    VERIFY = "verify", "Verified"
    IMPORT = "import", "Imported"


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


class FeedbackReason(models.TextChoices):
    OUTDATED = "outdated", "Outdated"
    INCORRECT = "incorrect", "Incorrect"
    UNCLEAR = "unclear", "Unclear"
    INCOMPLETE = "incomplete", "Incomplete"
    NOT_RELEVANT = "not_relevant", "Not what I was looking for"
    OTHER = "other", "Other"


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


class QuestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    PUBLISHED = "published", "Turned into an article"


class Question(models.Model):
    """Asked by an employee when search fails; colleagues answer; an accepted answer can
    become an article draft."""

    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="questions"
    )
    language = models.CharField(max_length=2, choices=ArticleLanguage.choices)
    title = models.CharField(max_length=200)
    details = models.TextField(blank=True, max_length=4000)
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    article = models.OneToOneField(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="question"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-created_at"], name="knowledge_question_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="answers"
    )
    body = models.TextField(max_length=4000)
    is_accepted = models.BooleanField(default=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(is_accepted=True),
                name="knowledge_answer_one_accepted_per_question",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk} to question {self.question_id}"
