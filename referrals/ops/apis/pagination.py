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
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.db.models.fields.tuple_lookups import TupleGreaterThan, TupleLessThan
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from backend.api.pagination import CursorPagination, InvalidCursor, cursor_json
from referrals.models import Attribution
from referrals.ops.selectors.queue import NEWEST_FIRST, QUEUE_ORDER

# The key's values as the database takes them: the rank is an integer, the id a bigint.
_INT_RANGE = range(-(2**31), 2**31)
_PK_RANGE = range(1, 2**63)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class ReviewQueuePagination(CursorPagination):
    """(review rank, created_at, id), all descending (`QUEUE_ORDER`); without review-first
    ordering (a status filter makes the rank constant) just (created_at, id)."""

    def __init__(self, review_first: bool = True) -> None:
        self.review_first = review_first
        self.order = QUEUE_ORDER if review_first else NEWEST_FIRST
        # The row's own rank, computed by the database from the same expression.
        self.rank = QUEUE_ORDER[0].expression

    def _key(self, attribution: Any) -> list[Any]:
        key: list[Any] = [attribution.created_at.isoformat(), attribution.pk]
        if self.review_first:
            key.insert(0, attribution.review_rank)
        return key

    def _encode(self, key: list[Any], *, backwards: bool) -> str:
        raw = json.dumps({"k": key, "b": backwards}, separators=(",", ":")).encode()
        return replace_query_param(
            self._base_url, self.cursor_query_param, base64.urlsafe_b64encode(raw).decode()
        )

    def _decode(self, request: Request) -> tuple[list[Any], bool] | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:  # absent or empty: the first page, as for every list
            return None
        data = cursor_json(raw)
        key = data.get("k") if isinstance(data, dict) else None
        backwards = data.get("b") if isinstance(data, dict) else None
        if not isinstance(key, list) or len(key) != len(self.order):
            raise InvalidCursor()
        *rank, moment, pk = key
        if not isinstance(backwards, bool) or not isinstance(moment, str):
            raise InvalidCursor()
        if not all(_is_int(r) and r in _INT_RANGE for r in rank) or not _is_int(pk):
            raise InvalidCursor()
        try:
            moment_value = datetime.fromisoformat(moment)
        except ValueError:
            raise InvalidCursor() from None
        if moment_value.tzinfo is None or pk not in _PK_RANGE:
            raise InvalidCursor()
        return [*rank, moment_value, pk], backwards

    def _page(
        self, queryset: QuerySet[Attribution], cursor: tuple[list[Any], bool] | None, size: int
    ) -> list[Attribution]:
        """Up to `size + 1` rows after (or, backwards, before) the cursor, in page order."""
        ordered = queryset.order_by(*self.order)
        if cursor is not None:
            # A row comparison, which the queue index answers directly; the values are
            # bound parameters. Django's tuple lookups (5.2, made for composite primary
            # keys) are not yet a documented API: the pagination tests walk the queue both
            # ways, so an upgrade that moves them fails loudly.
            columns = [order.expression for order in self.order]
            after = (TupleGreaterThan if cursor[1] else TupleLessThan)(columns, cursor[0])
            ordered = ordered.filter(after)
        if cursor is not None and cursor[1]:
            ordered = ordered.reverse()
        return list(ordered.annotate(review_rank=self.rank)[: size + 1])

    def paginate_queryset(  # type: ignore[override]  # takes only attributions
        self, queryset: QuerySet[Attribution], request: Request, view: Any = None
    ) -> list[Attribution]:
        self.request = request
        self._base_url = request.build_absolute_uri()
        cursor = self._decode(request)
        backwards = cursor is not None and cursor[1]
        size = self.get_page_size(request)
        rows = self._page(queryset, cursor, size)
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        self.next_link, self.previous_link = self._links(rows, more=more, cursor=cursor)
        return rows

    def _links(
        self, rows: Sequence[Attribution], *, more: bool, cursor: tuple[list[Any], bool] | None
    ) -> tuple[str | None, str | None]:
        if not rows:
            return None, None
        first, last = self._key(rows[0]), self._key(rows[-1])
        if cursor is not None and cursor[1]:  # backwards
            previous = self._encode(first, backwards=True) if more else None
            return self._encode(last, backwards=False), previous
        following = self._encode(last, backwards=False) if more else None
        return following, self._encode(first, backwards=True) if cursor is not None else None

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.next_link, "previous": self.previous_link, "results": data})
