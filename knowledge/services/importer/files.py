"""Reading one knowledge file: Markdown with YAML front matter (see README, "Knowledge
files"), and the categories file. Pure: no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from django.utils import timezone

from backend.api.errors import DomainError
from backend.api.moments import EARLIEST_DAY, LATEST_DAY
from knowledge.models import ArticleStatus
from knowledge.services.article_checks import notice_window_validate, tags_normalize

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


class FileProblem(Exception):
    pass


def _text(meta: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = meta.get(key)
    if value is None:
        if required:
            raise FileProblem(f"{key}: missing")
        return ""
    if not isinstance(value, str):
        raise FileProblem(f"{key}: must be text")
    value = value.strip()
    if required and not value:
        raise FileProblem(f"{key}: must not be empty")
    if key in LIMITS and len(value) > LIMITS[key]:
        raise FileProblem(f"{key}: longer than {LIMITS[key]} characters")
    return value


def _slug(meta: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = meta.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not _SLUG.match(value) or len(value) > 120:
        raise FileProblem(f"{key}: {value!r} is not a slug (lower-case letters, digits, dashes)")
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
            raise FileProblem(f"{key}: {value!r} is not a date (YYYY-MM-DD)") from None
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
            raise FileProblem(f"{key}: {value!r} is not a date and time (ISO 8601)") from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # files are written in the company's time zone
    _plausible(key, value.date())
    return value


def _plausible(key: str, day: date) -> None:
    # Files may hold evergreen facts (verified until 2099), so the API's planning horizon
    # does not apply; the floor and a ceiling clear of the calendar's end do.
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise FileProblem(
            f"{key}: {day.isoformat()} is outside {EARLIEST_DAY.isoformat()} to "
            f"{LATEST_DAY.isoformat()}"
        )


def _front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """The file's front matter (a mapping) and its body."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FileProblem("not UTF-8 text") from None
    match = _FRONT_MATTER.match(raw.lstrip("\ufeff"))
    if match is None:
        raise FileProblem(
            "no front matter: the file must start with a '---' line and a closing '---'"
        )
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (front matter line {mark.line + 1})" if mark else ""
        raise FileProblem(f"front matter is not valid YAML{where}") from None
    if not isinstance(meta, dict):
        raise FileProblem("front matter must be a mapping of keys to values")
    return meta, match.group(2).strip()


def article_file_parse(path: Path) -> ArticleFile:
    """Reads and checks one file; raises FileProblem with the reason."""
    meta, body = _front_matter(path)
    unknown = sorted(set(map(str, meta)) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise FileProblem(f"unknown key(s): {', '.join(unknown)}")
    language = meta.get("language")
    if language not in ("nl", "en"):
        raise FileProblem(f"language: must be nl or en, not {language!r}")
    status = meta.get("status", ArticleStatus.PUBLISHED)
    if status not in (ArticleStatus.PUBLISHED, ArticleStatus.DRAFT):
        raise FileProblem(f"status: must be published or draft, not {status!r}")
    tags = meta.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise FileProblem("tags: must be a list of words")
    try:
        tags = tags_normalize(tags)
        starts, ends = _datetime(meta, "notice_starts_at"), _datetime(meta, "notice_ends_at")
        notice_window_validate(starts, ends)
    except DomainError as exc:
        raise FileProblem(exc.message) from None
    if len(body) > LIMITS["body"]:
        raise FileProblem(f"body: longer than {LIMITS['body']} characters")
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


def categories_file_parse(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (yaml.YAMLError, UnicodeDecodeError):
        raise FileProblem("not a valid YAML file") from None
    if not isinstance(data, list):
        raise FileProblem("must be a list of categories")
    categories = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict) or set(item) - {"slug", "name_nl", "name_en", "position"}:
            raise FileProblem(f"item {index}: needs slug, name_nl, name_en (and optional position)")
        try:
            slug = _slug(item, "slug")
            name_nl, name_en = _text(item, "name_nl"), _text(item, "name_en")
        except FileProblem as exc:
            raise FileProblem(f"item {index}: {exc}") from None
        position = item.get("position", index * 10)
        if not isinstance(position, int) or not 0 <= position <= 32767:
            raise FileProblem(f"item {index}: position must be a whole number")
        categories.append(
            {"slug": slug, "name_nl": name_nl[:100], "name_en": name_en[:100], "position": position}
        )
    return categories
