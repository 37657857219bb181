"""Writing a checked set of knowledge files: categories, then sources before translations,
all or nothing. Re-importing the same files changes nothing (articles match by slug)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import Employee
from knowledge.models import Article, ArticleStatus, Category, RevisionAction
from knowledge.rendering import markdown_to_html
from knowledge.services.article_checks import default_verified_until
from knowledge.services.article_revisions import CONTENT_FIELDS, article_revision_record
from knowledge.services.importer.checks import ImportRefused, articles_read
from knowledge.services.importer.files import ArticleFile


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    categories_created: int = 0
    categories_updated: int = 0
    warnings: list[str] = field(default_factory=list)


def _categories_upsert(
    categories: list[dict[str, Any]], result: ImportResult
) -> dict[str, Category]:
    existing = {
        c.slug: c for c in Category.objects.filter(slug__in=[c["slug"] for c in categories])
    }
    for item in categories:
        category = existing.get(item["slug"])
        if category is None:
            existing[item["slug"]] = Category.objects.create(**item)
            result.categories_created += 1
            continue
        changed = [k for k in ("name_nl", "name_en", "position") if getattr(category, k) != item[k]]
        if changed:
            for key in changed:
                setattr(category, key, item[key])
            category.save(update_fields=changed)
            result.categories_updated += 1
    return existing


def _wanted(item: ArticleFile, category: Category) -> dict[str, Any]:
    """The values the file sets (an absent optional key leaves the stored value alone)."""
    wanted: dict[str, Any] = {
        "title": item.title,
        "summary": item.summary,
        "friend_text": item.friend_text,
        "body": item.body,
        "category": category,
        "tags": item.tags,
        "status": item.status,
    }
    if item.verified_until is not None:
        wanted["verified_until"] = item.verified_until
    if item.notice_starts_at is not None:
        wanted["notice_starts_at"] = item.notice_starts_at
        wanted["notice_ends_at"] = item.notice_ends_at
    return wanted


def _publication(article: Article, *, wanted: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """What publishing from a file adds: verified (for the default period unless the file
    says until when) and published now, where the article was not yet."""
    now = timezone.now()
    changes: dict[str, tuple[Any, Any]] = {}
    if article.verified_at is None:
        changes["verified_at"] = (None, now)
        if "verified_until" not in wanted and article.verified_until is None:
            changes["verified_until"] = (None, default_verified_until())
    if article.published_at is None:
        changes["published_at"] = (None, now)
    return changes


def _import_one(
    item: ArticleFile, *, category: Category, owner: Employee | None, result: ImportResult
) -> None:
    article = Article.objects.select_for_update().filter(slug=item.slug).first()
    source = (
        Article.objects.select_for_update().get(slug=item.translation_of)
        if item.translation_of
        else None
    )
    wanted = _wanted(item, category)
    if article is None:
        article = Article(slug=item.slug, language=item.language, owner=owner)
        if source is not None:
            article.translation_group = source.translation_group
            article.translation_source = source
        changes: dict[str, tuple[Any, Any]] = {
            "slug": (None, item.slug),
            "language": (None, item.language),
            **{name: (getattr(article, name, None), value) for name, value in wanted.items()},
        }
        result.created += 1
    else:
        changes = {
            name: (getattr(article, name), value)
            for name, value in wanted.items()
            if getattr(article, name) != value
        }
        if not changes:
            result.unchanged += 1
            return
        result.updated += 1
    if item.status == ArticleStatus.PUBLISHED:
        changes.update(_publication(article, wanted=wanted))
    _save(article, item=item, source=source, changes=changes, owner=owner, result=result)


def _save(
    article: Article,
    *,
    item: ArticleFile,
    source: Article | None,
    changes: dict[str, tuple[Any, Any]],
    owner: Employee | None,
    result: ImportResult,
) -> None:
    for name, (_, value) in changes.items():
        setattr(article, name, value)
    article.body_html = markdown_to_html(article.body)
    if article.verified_until is not None and article.verified_until < timezone.localdate():
        result.warnings.append(f"{item.path}: verified_until {article.verified_until} has passed")
    if source is not None and (
        article.translation_source_revision is None
        or any(name in CONTENT_FIELDS for name in changes)
    ):
        # The file was written against the source as it is now.
        article.translation_source_revision = source.content_revision
    article.save()
    article_revision_record(
        article=article, editor=owner, action=RevisionAction.IMPORT, changes=changes
    )
    article.save(update_fields=["revision", "content_revision"])


@transaction.atomic
def articles_import(
    *, files: list[ArticleFile], categories: list[dict[str, Any]], owner: Employee | None
) -> ImportResult:
    """Writes a checked set: sources before translations, all or nothing."""
    result = ImportResult()
    by_slug = _categories_upsert(categories, result)
    missing = {f.category for f in files} - set(by_slug)
    by_slug.update({c.slug: c for c in Category.objects.filter(slug__in=missing)})
    ordered = sorted(files, key=lambda f: (f.translation_of is not None, f.slug))
    for item in ordered:
        try:
            with transaction.atomic():
                _import_one(item, category=by_slug[item.category], owner=owner, result=result)
        except IntegrityError as exc:
            reason = (
                "another article of its translation group has this language"
                if "unique_language_per_translation_group" in str(exc)
                else "conflicts with stored data"
            )
            raise ImportRefused([f"{item.path}: {reason}"]) from None
    return result


def articles_import_directory(*, directory: Path, owner: Employee | None = None) -> ImportResult:
    files, categories = articles_read(directory)
    return articles_import(files=files, categories=categories, owner=owner)
