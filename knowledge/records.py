"""What the knowledge reads return to the API: small frozen records, each holding exactly
what its read selected (`knowledge.sql` builds them). The serializers in
`knowledge/apis/serializers.py` declare how they are rendered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


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
    active: bool  # at the moment it was read


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
    stale: bool  # on the day it was read
    translation_outdated: bool
    notice: NoticeWindow | None
    updated_at: datetime
    highlight: str | None = None  # search only: safe HTML whose only tag is <mark>


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
