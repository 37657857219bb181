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
import binascii
import json
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from backend.api.errors import NotFound
from backend.api.pagination import CursorPagination
from referrals.models import REVIEW_RANK, Attribution, AttributionStatus

_TABLE = Attribution._meta.db_table
_RANK_SQL = f'CASE WHEN "{_TABLE}"."status" = \'needs_review\' THEN 1 ELSE 0 END'


def _invalid() -> NotFound:
    return NotFound(
        "This cursor does not point at a page; start again without it.", code="invalid_cursor"
    )


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
        if raw is None:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode()))
            key, backwards = data["k"], data["b"]
            *rank, moment, pk = key
            values = [*(int(r) for r in rank), datetime.fromisoformat(moment), int(pk)]
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError):
            raise _invalid() from None
        if len(rank) != int(self.review_first) or not isinstance(backwards, bool):
            raise _invalid()
        if values[-2].tzinfo is None or not -(2**63) < values[-1] < 2**63:
            raise _invalid()
        return values, backwards

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
