"""Keyset pagination for the review queue.

The queue's default order (needs review first, then newest) starts with an expression,
and DRF's cursor pagination positions by the first ordering field only, resolving ties
with an offset: on a queue where most rows tie on that rank, every page would read all
the rows before it. Here the cursor holds the whole key, and the next page starts with
a row comparison the queue's index answers directly (`referrals_attr_queue_idx`, or
`referrals_attr_status_idx` when a status is chosen).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from backend.api.pagination import CursorPagination, InvalidCursor, cursor_json
from referrals.models import REVIEW_RANK, Attribution, AttributionStatus

_TABLE = Attribution._meta.db_table
_RANK_SQL = f'CASE WHEN "{_TABLE}"."status" = \'needs_review\' THEN 1 ELSE 0 END'

_PK_RANGE = range(1, 2**63)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class ReviewQueuePagination(CursorPagination):
    """(review rank, created_at, id), all descending; without review-first ordering
    (a status filter makes the rank constant) just (created_at, id)."""

    def __init__(self, review_first: bool = True) -> None:
        self.review_first = review_first

    def _key(self, attribution: Attribution) -> list[Any]:
        key: list[Any] = [attribution.created_at.isoformat(), attribution.pk]
        if self.review_first:
            key.insert(0, int(attribution.status == AttributionStatus.NEEDS_REVIEW))
        return key

    def _encode(self, key: list[Any], *, backwards: bool) -> str:
        raw = json.dumps({"k": key, "b": backwards}, separators=(",", ":")).encode()
        return replace_query_param(
            self.base_url, self.cursor_query_param, base64.urlsafe_b64encode(raw).decode()
        )

    def _decode(self, request: Request) -> tuple[list[Any], bool] | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:  # absent or empty: the first page, as for every list
            return None
        data = cursor_json(raw)
        key = data.get("k") if isinstance(data, dict) else None
        backwards = data.get("b") if isinstance(data, dict) else None
        if not isinstance(key, list) or len(key) != 2 + int(self.review_first):
            raise InvalidCursor()
        *rank, moment, pk = key
        if not isinstance(backwards, bool) or not isinstance(moment, str):
            raise InvalidCursor()
        if not all(_is_int(r) and r in (0, 1) for r in rank) or not _is_int(pk):
            raise InvalidCursor()
        try:
            moment_value = datetime.fromisoformat(moment)
        except ValueError:
            raise InvalidCursor() from None
        if moment_value.tzinfo is None or pk not in _PK_RANGE:
            raise InvalidCursor()
        return [*rank, moment_value, pk], backwards

    def paginate_queryset(
        self, queryset: QuerySet[Attribution], request: Request, view: Any = None
    ) -> list[Attribution]:
        self.request = request
        self.base_url = request.build_absolute_uri()
        size = self.get_page_size(request)
        cursor = self._decode(request)
        backwards = cursor is not None and cursor[1]
        columns = [f'"{_TABLE}"."created_at"', f'"{_TABLE}"."id"']
        ordering: list[Any] = ["created_at", "id"] if backwards else ["-created_at", "-id"]
        if self.review_first:
            columns.insert(0, _RANK_SQL)
            ordering.insert(0, REVIEW_RANK.asc() if backwards else REVIEW_RANK.desc())
        if cursor is not None:
            values = cursor[0]
            comparison = ">" if backwards else "<"
            placeholders = ", ".join(["%s"] * len(values))
            # The key's values are bound parameters, never spliced into the SQL.
            after = RawSQL(  # noqa: S611
                f"({', '.join(columns)}) {comparison} ({placeholders})",
                values,
                output_field=BooleanField(),
            )
            queryset = queryset.filter(after)
        rows = list(queryset.order_by(*ordering)[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        self.next_link = self.previous_link = None
        if rows:
            first, last = rows[0], rows[-1]
            if backwards:
                self.next_link = self._encode(self._key(last), backwards=False)
                if more:
                    self.previous_link = self._encode(self._key(first), backwards=True)
            else:
                if more:
                    self.next_link = self._encode(self._key(last), backwards=False)
                if cursor is not None:
                    self.previous_link = self._encode(self._key(first), backwards=True)
        return rows

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.next_link, "previous": self.previous_link, "results": data})
