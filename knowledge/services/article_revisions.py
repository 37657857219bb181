"""Every change to an article is stored as an ArticleRevision (who, when, what): the
revision record and the lock-compare-save steps that editing services share.

Editing services lock the article row (`select_for_update`) and compare the revision the
editor saw, so two editors cannot silently overwrite each other (the second gets 409).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from backend.accounts.models import Employee
from backend.api.errors import Conflict
from knowledge.models import Article, ArticleRevision, Category, RevisionAction
from knowledge.rendering import markdown_to_html

# Edits of these make translations of the article outdated.
CONTENT_FIELDS = ("title", "summary", "friend_text", "body")
EDITABLE_FIELDS = (
    *CONTENT_FIELDS,
    "category",
    "tags",
    "verified_until",
    "notice_starts_at",
    "notice_ends_at",
)


def _json_value(value: Any) -> Any:
    if isinstance(value, Category):
        return value.slug
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def article_revision_record(
    *,
    article: Article,
    editor: Employee | None,
    action: RevisionAction,
    changes: Mapping[str, tuple[Any, Any]],
) -> ArticleRevision:
    """Bumps the article's revision (the caller holds its row lock) and stores what changed.
    Every change to an article passes here; it also moves `updated_at`, which is what
    the search index catches up by."""
    article.revision += 1
    if any(name in CONTENT_FIELDS for name in changes):
        article.content_revision = article.revision
    return ArticleRevision.objects.create(
        article=article,
        number=article.revision,
        action=action,
        editor=editor,
        changes={
            name: {"from": _json_value(old), "to": _json_value(new)}
            for name, (old, new) in changes.items()
        },
    )


def article_lock(article: Article, expected_revision: int | None) -> Article:
    """The article's row, locked FOR UPDATE (the caller is in a transaction); a 409 when
    `expected_revision` is given and is no longer the current one."""
    locked = (
        Article.objects.select_related("category")
        .select_for_update(of=("self",))
        .get(pk=article.pk)
    )
    if expected_revision is not None and locked.revision != expected_revision:
        raise Conflict(
            "The article was changed since you opened it; reload and apply your edit again.",
            code="stale_revision",
            extra={"current_revision": locked.revision},
        )
    return locked


def article_changes_save(
    article: Article,
    *,
    editor: Employee | None,
    action: RevisionAction,
    changes: dict[str, tuple[Any, Any]],
) -> Article:
    """Applies `changes` (field → (old, new)) to the locked article and stores them as its
    next revision; nothing when there are none."""
    if not changes:
        return article
    for name, (_, new) in changes.items():
        setattr(article, name, new)
    if "body" in changes:
        article.body_html = markdown_to_html(article.body)
    article_revision_record(article=article, editor=editor, action=action, changes=changes)
    article.save()
    return article
