"""The rules an article's values must meet, shared by the API, the admin and the importer:
tags, the notice window, how far ahead a verification may reach."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from backend.api.errors import InvalidInput

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


def field_error(field: str, code: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [{"code": code, "message": message}]})


def notice_window_validate(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is None and ends_at is None:
        return
    if starts_at is None or ends_at is None:
        raise field_error(
            "notice_ends_at" if ends_at is None else "notice_starts_at",
            "incomplete_window",
            "A notice needs both a start and an end time.",
        )
    if ends_at <= starts_at:
        raise field_error(
            "notice_ends_at", "invalid_window", "The notice must end after it starts."
        )
    max_days = settings.KNOWLEDGE_NOTICE_MAX_DAYS
    if ends_at - starts_at > timedelta(days=max_days):
        raise field_error(
            "notice_ends_at", "window_too_long", f"A notice may last at most {max_days} days."
        )


def verified_until_validate(value: date, *, field: str = "verified_until") -> date:
    max_days = settings.KNOWLEDGE_VERIFY_MAX_DAYS
    if value <= today():
        raise field_error(field, "not_in_future", "verified_until must be a day after today.")
    if value > today() + timedelta(days=max_days):
        raise field_error(
            field, "too_far", f"verified_until may be at most {max_days} days from today."
        )
    return value


def default_verified_until() -> date:
    return today() + timedelta(days=settings.KNOWLEDGE_VERIFY_DAYS)
