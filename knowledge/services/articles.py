"""Writes for articles. Every change is stored as an ArticleRevision (who, when, what).

Editing services lock the article row (`select_for_update`) and compare the revision the
editor saw, so two editors cannot silently overwrite each other (the second gets 409).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from backend.accounts.models import Employee
from backend.api.errors import Conflict, InvalidInput
from knowledge.models import (
    Article,
    ArticleLanguage,
    ArticleRevision,
    ArticleStatus,
    Category,
    RevisionAction,
)
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
MAX_TAGS = 20
_TAG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def today() -> date:
    return timezone.localdate()


def tags_normalize(tags: Iterable[str]) -> list[str]:
    """Lower-case, trimmed, de-duplicated tags; raises InvalidInput for a bad one."""
    result: list[str] = []
    for raw in tags:
        tag = str(raw).strip().lower().replace(" ", "-")
        if not _TAG.match(tag):
            raise InvalidInput(
                f"Tag {raw!r} is not valid: use letters, digits and dashes (at most 40).",
                fields={"tags": [{"code": "invalid_tag", "message": f"Invalid tag {raw!r}."}]},
            )
        if tag not in result:
            result.append(tag)
    if len(result) > MAX_TAGS:
        raise InvalidInput(
            f"At most {MAX_TAGS} tags.",
            fields={"tags": [{"code": "too_many", "message": f"At most {MAX_TAGS} tags."}]},
        )
    return result


def _field_error(field: str, code: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [{"code": code, "message": message}]})


def notice_window_validate(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is None and ends_at is None:
        return
    if starts_at is None or ends_at is None:
        raise _field_error(
            "notice_ends_at" if ends_at is None else "notice_starts_at",
            "incomplete_window",
            "A notice needs both a start and an end time.",
        )
    if ends_at <= starts_at:
        raise _field_error(
            "notice_ends_at", "invalid_window", "The notice must end after it starts."
        )
    max_days = settings.KNOWLEDGE_NOTICE_MAX_DAYS
    if ends_at - starts_at > timedelta(days=max_days):
        raise _field_error(
            "notice_ends_at", "window_too_long", f"A notice may last at most {max_days} days."
        )


def verified_until_validate(value: date, *, field: str = "verified_until") -> date:
    max_days = settings.KNOWLEDGE_VERIFY_MAX_DAYS
    if value <= today():
        raise _field_error(field, "not_in_future", "verified_until must be a day after today.")
    if value > today() + timedelta(days=max_days):
        raise _field_error(
            field, "too_far", f"verified_until may be at most {max_days} days from today."
        )
    return value


def default_verified_until() -> date:
    return today() + timedelta(days=settings.KNOWLEDGE_VERIFY_DAYS)


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
        raise _field_error(
            "translation_of", "same_language", "A translation must be in the other language."
        )
    return root


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
            changes = {
                name: (None, getattr(article, name))
                for name in ("slug", "language", *EDITABLE_FIELDS)
                if getattr(article, name) not in (None, "", [])
            }
            if translation_of is not None:
                changes["translation_of"] = (None, article.translation_source.slug)  # type: ignore[union-attr]
            article_revision_record(article=article, editor=editor, action=action, changes=changes)
            article.save(update_fields=["revision", "content_revision"])
    except IntegrityError as exc:
        if "unique_language_per_translation_group" in str(exc):
            raise Conflict(
                "This article already has a version in that language.", code="translation_exists"
            ) from None
        raise Conflict(f"The slug {article.slug!r} is taken.", code="slug_taken") from None
    return article


def _locked(article: Article, expected_revision: int | None) -> Article:
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


def _save_changes(
    article: Article,
    *,
    editor: Employee | None,
    action: RevisionAction,
    changes: dict[str, tuple[Any, Any]],
) -> Article:
    if not changes:
        return article
    for name, (_, new) in changes.items():
        setattr(article, name, new)
    if "body" in changes:
        article.body_html = markdown_to_html(article.body)
    article_revision_record(article=article, editor=editor, action=action, changes=changes)
    article.save()
    return article


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
    locked = _locked(article, expected_revision)
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
    if translation_up_to_date and locked.translation_source_id is not None:
        source_revision = (
            Article.objects.filter(pk=locked.translation_source_id)
            .values_list("content_revision", flat=True)
            .get()
        )
        if locked.translation_source_revision != source_revision:
            changes["translation_source_revision"] = (
                locked.translation_source_revision,
                source_revision,
            )
    return _save_changes(locked, editor=editor, action=action, changes=changes)


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
    locked = _locked(article, expected_revision)
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
    return _save_changes(locked, editor=editor, action=RevisionAction.PUBLISH, changes=changes)


@transaction.atomic
def article_archive(
    *, article: Article, editor: Employee | None, expected_revision: int | None = None
) -> Article:
    """Retires an article: employees no longer find or open it. Ends any pinned notice."""
    locked = _locked(article, expected_revision)
    if locked.status == ArticleStatus.ARCHIVED:
        return locked
    changes: dict[str, tuple[Any, Any]] = {"status": (locked.status, ArticleStatus.ARCHIVED)}
    if locked.notice_starts_at is not None:
        changes["notice_starts_at"] = (locked.notice_starts_at, None)
        changes["notice_ends_at"] = (locked.notice_ends_at, None)
    return _save_changes(locked, editor=editor, action=RevisionAction.ARCHIVE, changes=changes)


@transaction.atomic
def article_verify(
    *, article: Article, editor: Employee | None, verified_until: date | None = None
) -> Article:
    """An editor confirms the facts: verified now, until `verified_until` (a day tied to the
    fact, such as a tariff or campaign end) or the default period."""
    locked = _locked(article, None)
    if locked.status == ArticleStatus.ARCHIVED:
        raise Conflict("An archived article cannot be verified.", code="article_archived")
    until = verified_until_validate(verified_until) if verified_until else default_verified_until()
    changes: dict[str, tuple[Any, Any]] = {
        "verified_at": (locked.verified_at, timezone.now()),
        "verified_until": (locked.verified_until, until),
    }
    return _save_changes(locked, editor=editor, action=RevisionAction.VERIFY, changes=changes)
