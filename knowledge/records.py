"""What the knowledge reads return to the API: small frozen records, each holding exactly
what its read selected (`knowledge.sql` builds them). The serializers in
`knowledge/apis/serializers.py` declare how they are rendered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from knowledge.models import article_is_stale, notice_is_active


@dataclass(frozen=True)
class CategoryRef:
    slug: str
    name_nl: str
    name_en: str


@dataclass(frozen=True)
class PersonRef:
    id: int
    display_name: str


@dataclass(frozen=True)
class NoticeWindow:
    starts_at: datetime
    ends_at: datetime
    active: bool


@dataclass(frozen=True, kw_only=True)
class ArticleCard:
    """An article as a list shows it (search results, browsing, notices)."""

    id: int
    slug: str
    language: str
    title: str
    summary: str
    friend_text: str
    tags: tuple[str, ...]
    status: str
    category: CategoryRef | None
    verified_until: date | None
    translation_outdated: bool
    notice_starts_at: datetime | None
    notice_ends_at: datetime | None
    updated_at: datetime
    highlight: str | None = None  # search only: safe HTML whose only tag is <mark>

    @property
    def stale(self) -> bool:
        return article_is_stale(self.verified_until, timezone.localdate())

    @property
    def notice(self) -> NoticeWindow | None:
        if self.notice_starts_at is None or self.notice_ends_at is None:
            return None
        return NoticeWindow(
            starts_at=self.notice_starts_at,
            ends_at=self.notice_ends_at,
            active=notice_is_active(self.notice_starts_at, self.notice_ends_at, timezone.now()),
        )


@dataclass(frozen=True)
class ArticleVersion:
    """Another language version of an article."""

    slug: str
    language: str
    title: str
    status: str
    translation_outdated: bool


@dataclass(frozen=True)
class FeedbackState:
    helpful: bool
    reason: str
    comment: str


@dataclass(frozen=True, kw_only=True)
class ArticleDetail(ArticleCard):
    """An article as it is opened, with what the reader may see of its other versions and
    the reader's own verdict on it."""

    body: str
    body_html: str
    owner: PersonRef | None
    verified_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    revision: int
    translation_of: str | None
    translation_source_revision: int | None
    translations: tuple[ArticleVersion, ...]
    my_feedback: FeedbackState | None
