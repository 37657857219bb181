"""Friends' verdicts on shared answers, for editors' insights.

The friend says "did this help?" on the landing page, which the referrals app owns; the
knowledge app must not import referrals (dependencies point one way). So knowledge
defines this reader slot and referrals fills it when it loads (its AppConfig.ready).
Without referrals installed, insights simply show no friend feedback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class FriendVerdicts:
    """Friends' answers to "did this help?" about one article."""

    slug: str
    title: str
    language: str
    helpful_count: int
    not_helpful_count: int
    reasons: dict[str, int] = field(default_factory=dict)


FriendFeedbackReader = Callable[[date, str | None, int], list[FriendVerdicts]]
_readers: list[FriendFeedbackReader] = []


def friend_feedback_reader_register(reader: FriendFeedbackReader) -> None:
    _readers[:] = [reader]


def friend_feedback_by_article(
    *, since: date, language: str | None, limit: int
) -> list[FriendVerdicts]:
    """Articles friends judged since `since`, least helpful first (at most `limit`)."""
    return _readers[0](since, language, limit) if _readers else []
