"""Writes for articles: create, edit, publish, archive, verify. Every change is stored as
an ArticleRevision through `article_revisions` (lock, compare the revision the editor saw,
save), so two editors cannot silently overwrite each other (the second gets 409).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from backend.accounts.models import Employee
from backend.api.errors import Conflict, InvalidInput
from knowledge.models import (
    Article,
    ArticleLanguage,
    ArticleStatus,
    Category,
    RevisionAction,
)
from knowledge.rendering import markdown_to_html
from knowledge.services.article_checks import (
    default_verified_until,
    field_error,
    notice_window_validate,
    tags_normalize,
    today,
    verified_until_validate,
)
from knowledge.services.article_revisions import (
    EDITABLE_FIELDS,
    article_changes_save,
    article_lock,
    article_revision_record,
)


def _unique_slug(base: str) -> str:
    slug = slugify(base)[:100].strip("-") or "article"
    candidate, number = slug, 1
    while Article.objects.filter(slug=candidate).exists():
        number += 1
        candidate = f"{slug}-{number}"
    return candidate


def _translation_root(source: Article, language: str) -> Article:
    root = source.translation_source or source
    if root.language == language:
        raise field_error(
            "translation_of", "same_language", "A translation must be in the other language."
        )
    return root


# The signature lists every field an editor may set (keyword-only, 16 lines); the body
# itself is some 30 lines.
def article_create(
    *,
    editor: Employee | None,
    language: str,
    title: str,
    summary: str = "",
    friend_text: str = "",
    body: str = "",
    category: Category | None = None,
    tags: Iterable[str] = (),
    slug: str | None = None,
    translation_of: Article | None = None,
    verified_until: date | None = None,
    notice_starts_at: datetime | None = None,
    notice_ends_at: datetime | None = None,
    action: RevisionAction = RevisionAction.CREATE,
) -> Article:
    """Creates a draft (revision 1). `translation_of` joins the source's translation group
    and records the source revision it follows. A taken slug or a second version in the
    same language of a group is a 409."""
    ArticleLanguage(language)
    notice_window_validate(notice_starts_at, notice_ends_at)
    if verified_until is not None:
        verified_until_validate(verified_until)
    article = Article(
        language=language,
        title=title,
        summary=summary,
        friend_text=friend_text,
        body=body,
        body_html=markdown_to_html(body),
        category=category,
        tags=tags_normalize(tags),
        owner=editor,
        verified_until=verified_until,
        notice_starts_at=notice_starts_at,
        notice_ends_at=notice_ends_at,
    )
    if translation_of is not None:
        root = _translation_root(translation_of, language)
        article.translation_group = root.translation_group
        article.translation_source = root
        article.translation_source_revision = root.content_revision
    try:
        with transaction.atomic():
            article.slug = slug or _unique_slug(title)
            article.save()
            article_revision_record(
                article=article, editor=editor, action=action, changes=_created(article)
            )
            article.save(update_fields=["revision", "content_revision"])
    except IntegrityError as exc:
        if "unique_language_per_translation_group" in str(exc):
            raise Conflict(
                "This article already has a version in that language.", code="translation_exists"
            ) from None
        raise Conflict(f"The slug {article.slug!r} is taken.", code="slug_taken") from None
    return article


def _created(article: Article) -> dict[str, tuple[Any, Any]]:
    """A new article's first revision: every field it was created with."""
    changes: dict[str, tuple[Any, Any]] = {
        name: (None, getattr(article, name))
        for name in ("slug", "language", *EDITABLE_FIELDS)
        if getattr(article, name) not in (None, "", [])
    }
    if article.translation_source is not None:
        changes["translation_of"] = (None, article.translation_source.slug)
    return changes


@transaction.atomic
def article_update(
    *,
    article: Article,
    editor: Employee | None,
    data: Mapping[str, Any],
    expected_revision: int | None,
    translation_up_to_date: bool = False,
    action: RevisionAction = RevisionAction.EDIT,
) -> Article:
    """Applies the given editable fields. Holds a FOR UPDATE lock on the article.

    `expected_revision` is the revision the editor saw (None only for trusted callers such
    as the importer); a different current revision is a 409. `translation_up_to_date`
    records that this translation now follows the source's latest content revision.
    Changes nothing (and stores no revision) when nothing differs.
    """
    locked = article_lock(article, expected_revision)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"Not editable: {', '.join(sorted(unknown))}.")
    values = dict(data)
    if "tags" in values:
        values["tags"] = tags_normalize(values["tags"])
    new_until = values.get("verified_until")
    if new_until is not None and new_until != locked.verified_until:
        verified_until_validate(new_until)
    starts = values.get("notice_starts_at", locked.notice_starts_at)
    ends = values.get("notice_ends_at", locked.notice_ends_at)
    notice_window_validate(starts, ends)
    changes = {
        name: (getattr(locked, name), value)
        for name, value in values.items()
        if getattr(locked, name) != value
    }
    if translation_up_to_date:
        changes.update(_follow_source(locked))
    return article_changes_save(locked, editor=editor, action=action, changes=changes)


def _follow_source(article: Article) -> dict[str, tuple[Any, Any]]:
    """The change that makes a translation follow its source's latest content revision."""
    if article.translation_source_id is None:
        return {}
    source_revision = (
        Article.objects.filter(pk=article.translation_source_id)
        .values_list("content_revision", flat=True)
        .get()
    )
    if article.translation_source_revision == source_revision:
        return {}
    return {"translation_source_revision": (article.translation_source_revision, source_revision)}


def _publish_problems(article: Article) -> dict[str, list[dict[str, str]]]:
    required = {
        "summary": article.summary,
        "friend_text": article.friend_text,
        "category": article.category_id,
    }
    return {
        name: [{"code": "required", "message": "Needed before publishing."}]
        for name, value in required.items()
        if not value
    }


@transaction.atomic
def article_publish(
    *, article: Article, editor: Employee | None, expected_revision: int | None = None
) -> Article:
    """Publishes a draft or archived article. Needs a summary, friend text and category.

    Publishing vouches for the content: an article never verified (or stale) is verified
    now, until its `verified_until` if that is still ahead, else for the default period.
    """
    locked = article_lock(article, expected_revision)
    if locked.status == ArticleStatus.PUBLISHED:
        return locked
    problems = _publish_problems(locked)
    if problems:
        raise InvalidInput("The article is not complete enough to publish.", fields=problems)
    now = timezone.now()
    changes: dict[str, tuple[Any, Any]] = {"status": (locked.status, ArticleStatus.PUBLISHED)}
    if locked.published_at is None:
        changes["published_at"] = (None, now)
    if locked.verified_until is None or locked.verified_until < today():
        changes["verified_until"] = (locked.verified_until, default_verified_until())
        changes["verified_at"] = (locked.verified_at, now)
    elif locked.verified_at is None:
        changes["verified_at"] = (None, now)
    return article_changes_save(
        locked, editor=editor, action=RevisionAction.PUBLISH, changes=changes
    )


@transaction.atomic
def article_archive(
    *, article: Article, editor: Employee | None, expected_revision: int | None = None
) -> Article:
    """Retires an article: employees no longer find or open it. Ends any pinned notice."""
    locked = article_lock(article, expected_revision)
    if locked.status == ArticleStatus.ARCHIVED:
        return locked
    changes: dict[str, tuple[Any, Any]] = {"status": (locked.status, ArticleStatus.ARCHIVED)}
    if locked.notice_starts_at is not None:
        changes["notice_starts_at"] = (locked.notice_starts_at, None)
        changes["notice_ends_at"] = (locked.notice_ends_at, None)
    return article_changes_save(
        locked, editor=editor, action=RevisionAction.ARCHIVE, changes=changes
    )


@transaction.atomic
def article_verify(
    *, article: Article, editor: Employee | None, verified_until: date | None = None
) -> Article:
    """An editor confirms the facts: verified now, until `verified_until` (a day tied to the
    fact, such as a tariff or campaign end) or the default period."""
    locked = article_lock(article, None)
    if locked.status == ArticleStatus.ARCHIVED:
        raise Conflict("An archived article cannot be verified.", code="article_archived")
    until = verified_until_validate(verified_until) if verified_until else default_verified_until()
    changes: dict[str, tuple[Any, Any]] = {
        "verified_at": (locked.verified_at, timezone.now()),
        "verified_until": (locked.verified_until, until),
    }
    return article_changes_save(
        locked, editor=editor, action=RevisionAction.VERIFY, changes=changes
    )
