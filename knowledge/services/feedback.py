"""Writes for employees' feedback on articles and for the search log."""

from __future__ import annotations

from django.utils import timezone

from backend.accounts.models import Employee
from backend.api.errors import InvalidInput
from knowledge.models import Article, ArticleFeedback, SearchLog
from knowledge.search.query import ParsedQuery
from knowledge.sql import search_log_insert

_QUERY_LENGTH = SearchLog._meta.get_field("query").max_length  # the same for the normalised


def article_feedback_set(
    *, article: Article, employee: Employee, helpful: bool, reason: str = "", comment: str = ""
) -> ArticleFeedback:
    """One verdict per employee and article; giving it again replaces it.

    A single INSERT … ON CONFLICT DO UPDATE, so two concurrent submissions leave one row.
    A reason explains an unhelpful verdict and is refused with a helpful one.
    """
    if helpful and reason:
        raise InvalidInput(
            "A reason is only given for unhelpful feedback.",
            fields={"reason": [{"code": "not_allowed", "message": "Only when not helpful."}]},
        )
    now = timezone.now()
    feedback = ArticleFeedback(
        article=article,
        employee=employee,
        helpful=helpful,
        reason=reason,
        comment=comment.strip(),
        created_at=now,
        updated_at=now,
    )
    ArticleFeedback.objects.bulk_create(
        [feedback],
        update_conflicts=True,
        unique_fields=["article", "employee"],
        update_fields=["helpful", "reason", "comment", "updated_at"],
    )
    return feedback


def search_log_record(
    *, employee: Employee, parsed: ParsedQuery, language: str, result_count: int
) -> int:
    """Records a search (the query as typed and normalised, cut to the columns' length);
    returns its id."""
    return search_log_insert(
        employee_id=employee.pk,
        query=parsed.raw[:_QUERY_LENGTH],
        normalized_query=parsed.normalized[:_QUERY_LENGTH],
        language=language,
        result_count=result_count,
    )


def search_log_mark_opened(*, search_id: int, employee: Employee, article_id: int) -> bool:
    """Records that a result of the employee's own search was opened (the first one only).
    Returns False for someone else's or an unknown search."""
    updated = SearchLog.objects.filter(
        pk=search_id, employee=employee, clicked_at__isnull=True
    ).update(clicked_article_id=article_id, clicked_at=timezone.now())
    return bool(updated)
