"""Notifications about questions, answers and the articles an editor owns."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import F
from django.utils import timezone

from backend.accounts.models import Employee
from backend.events.services import notification_send
from knowledge.models import Answer, Article, ArticleStatus, Question

# Owners hear about an article this many days before its verification runs out.
EXPIRY_NOTICE_DAYS = 14


def question_answered_announce(*, question: Question, answer: Answer) -> None:
    """The asker hears of each colleague's answer (not of their own)."""
    if question.asker_id and question.asker_id != answer.author_id:
        notification_send(
            employee_id=question.asker_id,
            kind="question.answered",
            params={"question_id": question.pk, "question_title": question.title},
        )


def answer_accepted_announce(*, question: Question, answer: Answer, actor: Employee) -> None:
    """The author hears once that their answer was accepted (not when they accept it)."""
    if answer.author_id and answer.author_id != actor.pk:
        notification_send(
            employee_id=answer.author_id,
            kind="answer.accepted",
            params={"question_id": question.pk, "question_title": question.title},
            dedupe_key=f"accepted:{answer.pk}",
        )


def _article_notice(article: Article, kind: str, key: str) -> bool:
    params = {"article_slug": article.slug, "article_title": article.title}
    if kind != "translation.outdated":
        params["verified_until"] = (
            article.verified_until.isoformat() if article.verified_until else ""
        )
    sent = notification_send(
        employee_id=article.owner_id,  # type: ignore[arg-type]
        kind=kind,
        params=params,
        dedupe_key=f"{kind}:{article.pk}:{key}",
    )
    return sent is not None


def article_owners_remind(*, today: date | None = None) -> int:
    """Tells owners of published articles that expire within EXPIRY_NOTICE_DAYS, are
    stale, or are translations whose source changed since. Each fact is told once
    (keyed by the date or source revision it is about). Returns how many were sent."""
    today = today or timezone.localdate()
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED, owner__isnull=False)
    sent = 0
    for article in published.filter(
        verified_until__gte=today, verified_until__lte=today + timedelta(days=EXPIRY_NOTICE_DAYS)
    ):
        sent += _article_notice(article, "article.expiring", str(article.verified_until))
    for article in published.filter(verified_until__lt=today):
        sent += _article_notice(article, "article.stale", str(article.verified_until))
    outdated = published.filter(
        translation_source__isnull=False,
        translation_source__content_revision__gt=F("translation_source_revision"),
    ).annotate(source_revision=F("translation_source__content_revision"))
    for article in outdated:
        sent += _article_notice(article, "translation.outdated", str(article.source_revision))
    return sent
