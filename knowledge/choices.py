"""The knowledge app's fixed vocabularies (stored values and their labels)."""

from __future__ import annotations

from django.db import models


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class ArticleLanguage(models.TextChoices):
    NL = "nl", "Nederlands"
    EN = "en", "English"


class RevisionAction(models.TextChoices):
    CREATE = "create", "Created"
    EDIT = "edit", "Edited"
    PUBLISH = "publish", "Published"
    ARCHIVE = "archive", "Archived"
    VERIFY = "verify", "Verified"
    IMPORT = "import", "Imported"


class FeedbackReason(models.TextChoices):
    OUTDATED = "outdated", "Outdated"
    INCORRECT = "incorrect", "Incorrect"
    UNCLEAR = "unclear", "Unclear"
    INCOMPLETE = "incomplete", "Incomplete"
    NOT_RELEVANT = "not_relevant", "Not what I was looking for"
    OTHER = "other", "Other"


class QuestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    PUBLISHED = "published", "Turned into an article"
