"""The knowledge app's models; `knowledge.models` is where the rest of the code imports them."""

from knowledge.choices import (
    ArticleLanguage,
    ArticleStatus,
    FeedbackReason,
    QuestionStatus,
    RevisionAction,
)
from knowledge.models.articles import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    Category,
    SearchLog,
    article_is_stale,
    notice_is_active,
    translation_is_outdated,
)
from knowledge.models.questions import Answer, Question

__all__ = [
    "Answer",
    "Article",
    "ArticleFeedback",
    "ArticleLanguage",
    "ArticleRevision",
    "ArticleStatus",
    "Category",
    "FeedbackReason",
    "Question",
    "QuestionStatus",
    "RevisionAction",
    "SearchLog",
    "article_is_stale",
    "notice_is_active",
    "translation_is_outdated",
]
