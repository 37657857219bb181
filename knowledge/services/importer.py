"""Import articles from Markdown files with YAML front matter (see README, "Knowledge files").

Two phases: every file is read and checked first, collecting a clear error per bad file;
only a clean set is written, in one transaction. Re-importing the same files changes
nothing (articles are matched by slug).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import Employee
from backend.api.errors import DomainError
from backend.api.moments import EARLIEST_DAY, LATEST_DAY
from knowledge.models import Article, ArticleStatus, Category, RevisionAction
from knowledge.rendering import markdown_to_html
from knowledge.services.articles import (
    CONTENT_FIELDS,
    article_revision_record,
    default_verified_until,
    notice_window_validate,
    tags_normalize,
)

CATEGORIES_FILE = "categories.yaml"
REQUIRED_KEYS = ("slug", "language", "title", "summary", "friend_text", "category")
OPTIONAL_KEYS = (
    "tags",
    "verified_until",
    "translation_of",
    "status",
    "notice_starts_at",
    "notice_ends_at",
)
LIMITS = {"title": 200, "summary": 500, "friend_text": 2000, "body": 50000}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)


class ImportRefused(Exception):
    """Nothing was written; `errors` has one line per problem, each naming its file."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ArticleFile:
    path: Path
    slug: str
    language: str
    title: str
    summary: str
    friend_text: str
    body: str
    category: str
    tags: list[str]
    status: str
    verified_until: date | None
    translation_of: str | None
    notice_starts_at: datetime | None
    notice_ends_at: datetime | None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    categories_created: int = 0
    categories_updated: int = 0
    warnings: list[str] = field(default_factory=list)


class _FileError(Exception):
    pass


def _text(meta: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = meta.get(key)
    if value is None:
        if required:
            raise _FileError(f"{key}: missing")
        return ""
    if not isinstance(value, str):
        raise _FileError(f"{key}: must be text")
    value = value.strip()
    if required and not value:
        raise _FileError(f"{key}: must not be empty")
    if key in LIMITS and len(value) > LIMITS[key]:
        raise _FileError(f"{key}: longer than {LIMITS[key]} characters")
    return value


def _slug(meta: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = meta.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not _SLUG.match(value) or len(value) > 120:
        raise _FileError(f"{key}: {value!r} is not a slug (lower-case letters, digits, dashes)")
    return value


def _date(meta: dict[str, Any], key: str) -> date | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    elif not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise _FileError(f"{key}: {value!r} is not a date (YYYY-MM-DD)") from None
    _plausible(key, value)
    return value


def _datetime(meta: dict[str, Any], key: str) -> datetime | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value))
        except ValueError:
            raise _FileError(f"{key}: {value!r} is not a date and time (ISO 8601)") from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # files are written in the company's time zone
    _plausible(key, value.date())
    return value


def _plausible(key: str, day: date) -> None:
    # Files may hold evergreen facts (verified until 2099), so the API's planning horizon
    # does not apply; the floor and a ceiling clear of the calendar's end do.
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise _FileError(
            f"{key}: {day.isoformat()} is outside {EARLIEST_DAY.isoformat()} to "
            f"{LATEST_DAY.isoformat()}"
        )


def article_file_parse(path: Path) -> ArticleFile:
    """Reads and checks one file; raises _FileError with the reason."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _FileError("not UTF-8 text") from None
    match = _FRONT_MATTER.match(raw.lstrip("\ufeff"))
    if match is None:
        raise _FileError(
            "no front matter: the file must start with a '---' line and a closing '---'"
        )
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (front matter line {mark.line + 1})" if mark else ""
        raise _FileError(f"front matter is not valid YAML{where}") from None
    if not isinstance(meta, dict):
        raise _FileError("front matter must be a mapping of keys to values")
    unknown = sorted(set(map(str, meta)) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise _FileError(f"unknown key(s): {', '.join(unknown)}")
    language = meta.get("language")
    if language not in ("nl", "en"):
        raise _FileError(f"language: must be nl or en, not {language!r}")
    status = meta.get("status", ArticleStatus.PUBLISHED)
    if status not in (ArticleStatus.PUBLISHED, ArticleStatus.DRAFT):
        raise _FileError(f"status: must be published or draft, not {status!r}")
    tags = meta.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _FileError("tags: must be a list of words")
    try:
        tags = tags_normalize(tags)
        starts, ends = _datetime(meta, "notice_starts_at"), _datetime(meta, "notice_ends_at")
        notice_window_validate(starts, ends)
    except DomainError as exc:
        raise _FileError(exc.message) from None
    body = match.group(2).strip()
    if len(body) > LIMITS["body"]:
        raise _FileError(f"body: longer than {LIMITS['body']} characters")
    return ArticleFile(
        path=path,
        slug=_slug(meta, "slug") or "",
        language=language,
        title=_text(meta, "title"),
        summary=_text(meta, "summary"),
        friend_text=_text(meta, "friend_text"),
        body=body,
        category=_slug(meta, "category") or "",
        tags=tags,
        status=status,
        verified_until=_date(meta, "verified_until"),
        translation_of=_slug(meta, "translation_of", required=False),
        notice_starts_at=starts,
        notice_ends_at=ends,
    )


def _categories_parse(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (yaml.YAMLError, UnicodeDecodeError):
        raise _FileError("not a valid YAML file") from None
    if not isinstance(data, list):
        raise _FileError("must be a list of categories")
    categories = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict) or set(item) - {"slug", "name_nl", "name_en", "position"}:
            raise _FileError(f"item {index}: needs slug, name_nl, name_en (and optional position)")
        try:
            slug = _slug(item, "slug")
            name_nl, name_en = _text(item, "name_nl"), _text(item, "name_en")
        except _FileError as exc:
            raise _FileError(f"item {index}: {exc}") from None
        position = item.get("position", index * 10)
        if not isinstance(position, int) or not 0 <= position <= 32767:
            raise _FileError(f"item {index}: position must be a whole number")
        categories.append(
            {"slug": slug, "name_nl": name_nl[:100], "name_en": name_en[:100], "position": position}
        )
    return categories


def _check_set(files: list[ArticleFile], categories: Iterable[str], errors: list[str]) -> None:
    """Checks across files: duplicate slugs, unknown categories, translation links."""
    by_slug: dict[str, ArticleFile] = {}
    for item in files:
        if item.slug in by_slug:
            errors.append(
                f"{item.path}: slug {item.slug!r} is also used by {by_slug[item.slug].path}"
            )
        by_slug[item.slug] = item
    known_categories = set(categories) | set(
        Category.objects.filter(slug__in={f.category for f in files}).values_list("slug", flat=True)
    )
    referenced = {f.translation_of for f in files if f.translation_of}
    stored = {
        a.slug: a
        for a in Article.objects.filter(slug__in=referenced | set(by_slug)).only(
            "slug", "language", "translation_source_id"
        )
    }
    for item in files:
        if item.category not in known_categories:
            errors.append(f"{item.path}: category: unknown category {item.category!r}")
        existing = stored.get(item.slug)
        if existing is not None and existing.language != item.language:
            errors.append(
                f"{item.path}: language: {item.slug!r} exists in {existing.language!r}; "
                "the language of an article cannot change"
            )
        if not item.translation_of:
            continue
        source_file = by_slug.get(item.translation_of)
        source = stored.get(item.translation_of)
        if source_file is None and source is None:
            errors.append(f"{item.path}: translation_of: no article {item.translation_of!r}")
            continue
        source_language = source_file.language if source_file else source.language  # type: ignore[union-attr]
        if source_language == item.language:
            errors.append(f"{item.path}: translation_of: the source is in the same language")
        if (source_file and source_file.translation_of) or (
            source is not None and source.translation_source_id is not None
        ):
            errors.append(
                f"{item.path}: translation_of: {item.translation_of!r} is itself a translation; "
                "point at its source"
            )


def articles_read(directory: Path) -> tuple[list[ArticleFile], list[dict[str, Any]]]:
    """Parses every `*.md` under `directory` (and `categories.yaml`); raises ImportRefused
    listing every bad file."""
    if not directory.is_dir():
        raise ImportRefused([f"{directory}: not a directory"])
    errors: list[str] = []
    categories: list[dict[str, Any]] = []
    categories_path = directory / CATEGORIES_FILE
    if categories_path.exists():
        try:
            categories = _categories_parse(categories_path)
        except _FileError as exc:
            errors.append(f"{categories_path}: {exc}")
    files: list[ArticleFile] = []
    paths = sorted(directory.rglob("*.md"))
    if not paths:
        errors.append(f"{directory}: no .md files")
    for path in paths:
        try:
            files.append(article_file_parse(path))
        except _FileError as exc:
            errors.append(f"{path}: {exc}")
    if not errors or categories or not categories_path.exists():
        # A broken categories file would make every article's category "unknown".
        _check_set(files, [c["slug"] for c in categories], errors)
    if errors:
        raise ImportRefused(errors)
    return files, categories


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


def _import_one(
    item: ArticleFile, *, category: Category, owner: Employee | None, result: ImportResult
) -> None:
    now = timezone.now()
    article = Article.objects.select_for_update().filter(slug=item.slug).first()
    source = (
        Article.objects.select_for_update().get(slug=item.translation_of)
        if item.translation_of
        else None
    )
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
    if article is None:
        article = Article(slug=item.slug, language=item.language, owner=owner)
        if source is not None:
            article.translation_group = source.translation_group
            article.translation_source = source
        changes: dict[str, tuple[Any, Any]] = {
            "slug": (None, item.slug),
            "language": (None, item.language),
        }
        result.created += 1
    else:
        changes = {}
    changes.update(
        {
            name: (getattr(article, name, None), value)
            for name, value in wanted.items()
            if article.pk is None or getattr(article, name) != value
        }
    )
    if article.pk is not None and not changes:
        result.unchanged += 1
        return
    if article.pk is not None:
        result.updated += 1
    published = item.status == ArticleStatus.PUBLISHED
    if published and article.verified_at is None:
        changes["verified_at"] = (None, now)
        if "verified_until" not in wanted and article.verified_until is None:
            changes["verified_until"] = (None, default_verified_until())
    if published and article.published_at is None:
        changes["published_at"] = (None, now)
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
