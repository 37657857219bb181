"""The review queue as CSV lines: read row by row from a server-side cursor, so memory
stays flat however many rows match. No friend contact data, not even hashed."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from referrals.models import Attribution
from referrals.ops.selectors.queue import NEWEST_FIRST, QUEUE_ORDER

COLUMNS: list[tuple[str, str]] = [
    ("attribution_id", "id"),
    ("status", "status"),
    ("reason", "reason"),
    ("version", "version"),
    ("source", "signup__source"),
    ("external_id", "signup__external_id"),
    ("occurred_at", "signup__occurred_at"),
    ("product", "signup__product"),
    ("sales_channel", "signup__sales_channel"),
    ("is_new_customer", "signup__is_new_customer"),
    ("activated_at", "signup__activated_at"),
    ("cancelled_at", "signup__cancelled_at"),
    ("employee_number", "employee__employee_number"),
    ("employee", "employee__display_name"),
    ("department", "employee__department"),
    ("team", "employee__team"),
    ("code", "code__code"),
    ("campaign", "code__campaign__name"),
    ("share_channel", "share__channel"),
    ("article", "article__slug"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
    ("confirmed_at", "confirmed_at"),
]
CHUNK = 2000
# Excel reads a CSV without a byte order mark in the machine's legacy code page ("ZoÃ«"
# for "Zoë"); with it, as UTF-8. Python readers strip it with encoding="utf-8-sig".
BOM = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like object whose write returns the line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def queue_csv_lines(queryset: QuerySet[Attribution], *, review_first: bool) -> Iterator[str]:
    """The byte order mark and header, then one line per attribution in queue order."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([name for name, _ in COLUMNS])
    ordering = QUEUE_ORDER if review_first else NEWEST_FIRST
    rows = queryset.order_by(*ordering).values_list(*(path for _, path in COLUMNS))
    for row in rows.iterator(chunk_size=CHUNK):
        yield writer.writerow([_cell(value) for value in row])
