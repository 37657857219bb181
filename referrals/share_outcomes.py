"""What came of a share, for the employee who made it and for the answer's editors:
visits, friends' feedback and sign-ups by status, as counts only, never who."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db.models import Count, F

from knowledge.friend_feedback import FriendVerdicts
from referrals.models import Attribution, AttributionStatus, Share, ShareFeedback

SIGNUP_STATUSES = tuple(
    status for status in AttributionStatus.values if status != AttributionStatus.UNATTRIBUTED
)


def share_outcomes_attach(shares: list[Share]) -> list[Share]:
    """Sets `feedback_counts` and `signup_counts` on each share of a page: two grouped
    queries, whatever the page size."""
    ids = [share.pk for share in shares]
    feedback: dict[int, Counter[str]] = defaultdict(Counter)
    for row in (
        ShareFeedback.objects.filter(share_id__in=ids)
        .values("share_id", "helpful", "reason")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts = feedback[row["share_id"]]
        counts["helpful" if row["helpful"] else "not_helpful"] += row["n"]
        if row["reason"]:
            counts[f"reason:{row['reason']}"] += row["n"]
    signups: dict[int, Counter[str]] = defaultdict(Counter)
    for status_row in (
        # A sign-up ops reassigned to someone else is theirs now, not the share's maker's.
        Attribution.objects.filter(share_id__in=ids, employee_id=F("share__employee_id"))
        .values("share_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        signups[status_row["share_id"]][status_row["status"]] += status_row["n"]
    for share in shares:
        found = feedback[share.pk]
        share.feedback_counts = {  # type: ignore[attr-defined]
            "helpful": found["helpful"],
            "not_helpful": found["not_helpful"],
            "reasons": {k.split(":", 1)[1]: n for k, n in sorted(found.items()) if ":" in k},
        }
        by_status = signups[share.pk]
        share.signup_counts = {  # type: ignore[attr-defined]
            "total": sum(by_status[status] for status in SIGNUP_STATUSES),
            **{status: by_status[status] for status in SIGNUP_STATUSES},
        }
    return shares


def _feedback_by_answer(since: date, language: str | None) -> Iterable[Mapping[str, Any]]:
    """Feedback counts per shared answer, verdict and reason since `since`."""
    rows = ShareFeedback.objects.filter(day__gte=since, share__article__isnull=False)
    if language:
        rows = rows.filter(share__article__language=language)
    return (
        rows.values(
            "share__article_id",
            "share__article__slug",
            "share__article__title",
            "share__article__language",
            "helpful",
            "reason",
        )
        .annotate(n=Count("id"))
        .order_by()
    )


def friend_verdicts(since: date, language: str | None, limit: int) -> list[FriendVerdicts]:
    """Friends' feedback per shared answer since `since`, least helpful first. One query."""
    articles: dict[int, dict[str, Any]] = {}
    for row in _feedback_by_answer(since, language):
        entry = articles.setdefault(
            row["share__article_id"],
            {
                "slug": row["share__article__slug"],
                "title": row["share__article__title"],
                "language": row["share__article__language"],
                "helpful_count": 0,
                "not_helpful_count": 0,
                "reasons": Counter(),
            },
        )
        entry["helpful_count" if row["helpful"] else "not_helpful_count"] += row["n"]
        if row["reason"]:
            entry["reasons"][row["reason"]] += row["n"]
    verdicts = [
        FriendVerdicts(**{**entry, "reasons": dict(sorted(entry["reasons"].items()))})
        for entry in articles.values()
    ]
    verdicts.sort(
        key=lambda v: (
            v.helpful_count / (v.helpful_count + v.not_helpful_count),
            -v.not_helpful_count,
            v.slug,
        )
    )
    return verdicts[:limit]
