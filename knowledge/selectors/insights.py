"""Reads for editors: where the knowledge base fails employees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, FloatField, Max, Q
from django.db.models.functions import Cast
from django.utils import timezone

from knowledge.friend_feedback import FriendVerdicts, friend_feedback_by_article
from knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    Question,
    QuestionStatus,
    SearchLog,
)
from knowledge.selectors.articles import stale_on

# An article needs this many verdicts before it can be called unhelpful.
MIN_FEEDBACK = 3


@dataclass
class Insights:
    days: int
    searches: int
    zero_result_searches: int
    opened_searches: int
    zero_result_queries: Sequence[Mapping[str, Any]]
    stale_articles: list[Article]
    least_helpful_articles: Sequence[Mapping[str, Any]]
    open_question_count: int
    open_questions: list[Question]
    friend_feedback: list[FriendVerdicts] = field(default_factory=list)


def insights_get(*, days: int, language: str | None, limit: int) -> Insights:
    """Six queries (seven with friends' feedback), whatever the size of the log."""
    logs = SearchLog.objects.filter(created_at__gte=timezone.now() - timedelta(days=days))
    questions = Question.objects.filter(status=QuestionStatus.OPEN)
    if language:
        logs = logs.filter(language=language)
        questions = questions.filter(language=language)
    totals = logs.aggregate(
        searches=Count("id"),
        zero=Count("id", filter=Q(result_count=0)),
        opened=Count("id", filter=Q(clicked_at__isnull=False)),
    )
    return Insights(
        days=days,
        searches=totals["searches"],
        zero_result_searches=totals["zero"],
        opened_searches=totals["opened"],
        zero_result_queries=list(
            logs.filter(result_count=0)
            .values("normalized_query")
            .annotate(count=Count("id"), last_searched_at=Max("created_at"))
            .order_by("-count", "-last_searched_at", "normalized_query")[:limit]
        ),
        stale_articles=_stale_articles(language=language, limit=limit),
        least_helpful_articles=_least_helpful(language=language, limit=limit),
        open_question_count=questions.count(),
        friend_feedback=friend_feedback_by_article(
            since=timezone.localdate() - timedelta(days=days), language=language, limit=limit
        ),
        open_questions=list(
            questions.select_related("asker")
            .annotate(answer_count=Count("answers"))
            .order_by("created_at", "id")[:limit]
        ),
    )


def _stale_articles(*, language: str | None, limit: int) -> list[Article]:
    """Published articles past their `verified_until` (never verified first)."""
    articles = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    if language:
        articles = articles.filter(language=language)
    return list(
        articles.filter(stale_on(timezone.localdate()))
        .select_related("owner")
        .only("slug", "language", "title", "verified_until", "owner__display_name")
        .order_by(F("verified_until").asc(nulls_first=True), "id")[:limit]
    )


def _least_helpful(*, language: str | None, limit: int) -> Sequence[Mapping[str, Any]]:
    """Published articles with at least MIN_FEEDBACK verdicts and one unhelpful, by the
    share of helpful verdicts."""
    feedback = ArticleFeedback.objects.filter(article__status=ArticleStatus.PUBLISHED)
    if language:
        feedback = feedback.filter(article__language=language)
    return list(
        feedback.values("article_id", "article__slug", "article__title", "article__language")
        .annotate(
            helpful_count=Count("id", filter=Q(helpful=True)),
            not_helpful_count=Count("id", filter=Q(helpful=False)),
            total=Count("id"),
        )
        .filter(total__gte=MIN_FEEDBACK, not_helpful_count__gt=0)
        .annotate(share=Cast(F("helpful_count"), FloatField()) / Cast(F("total"), FloatField()))
        .order_by("share", "-total", "article_id")[:limit]
    )
