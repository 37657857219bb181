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
    since = timezone.now() - timedelta(days=days)
    logs = SearchLog.objects.filter(created_at__gte=since)
    if language:
        logs = logs.filter(language=language)
    totals = logs.aggregate(
        searches=Count("id"),
        zero=Count("id", filter=Q(result_count=0)),
        opened=Count("id", filter=Q(clicked_at__isnull=False)),
    )
    zero_queries = list(
        logs.filter(result_count=0)
        .values("normalized_query")
        .annotate(count=Count("id"), last_searched_at=Max("created_at"))
        .order_by("-count", "-last_searched_at", "normalized_query")[:limit]
    )
    articles = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    feedback = ArticleFeedback.objects.filter(article__status=ArticleStatus.PUBLISHED)
    if language:
        articles = articles.filter(language=language)
        feedback = feedback.filter(article__language=language)
    stale = list(
        articles.filter(stale_on(timezone.localdate()))
        .select_related("owner")
        .only("slug", "language", "title", "verified_until", "owner__display_name")
        .order_by(F("verified_until").asc(nulls_first=True), "id")[:limit]
    )
    least_helpful = list(
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
    questions = Question.objects.filter(status=QuestionStatus.OPEN)
    if language:
        questions = questions.filter(language=language)
    return Insights(
        days=days,
        searches=totals["searches"],
        zero_result_searches=totals["zero"],
        opened_searches=totals["opened"],
        zero_result_queries=zero_queries,
        stale_articles=stale,
        least_helpful_articles=least_helpful,
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
