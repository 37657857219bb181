"""Pagination of the article list: an opaque cursor over ranked results.

Search results are ordered by a computed relevance, which DRF's position cursor cannot
follow, so the cursor carries an offset. It is bounded (`MAX_OFFSET`): nobody reads past
the first few hundred results of a search, and a deep offset would only cost the database.
"""

from __future__ import annotations

import base64
import json

from django.conf import settings
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from backend.api.errors import InvalidInput
from backend.api.pagination import InvalidCursor, cursor_json

MAX_OFFSET = 1000
DEFAULT_PAGE_SIZE = 20


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"{field}: {message}", fields={field: [{"code": "invalid", "message": message}]}
    )


class OffsetCursor:
    cursor_param = "cursor"
    page_size_param = "page_size"

    def __init__(self, request: Request) -> None:
        self.request = request
        self.page_size = self._page_size()
        self.offset = self._offset()

    def _page_size(self) -> int:
        raw = self.request.query_params.get(self.page_size_param)
        if raw is None:
            return DEFAULT_PAGE_SIZE
        maximum = int(settings.API_MAX_PAGE_SIZE)
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= maximum:
            raise _invalid(self.page_size_param, f"Must be a whole number from 1 to {maximum}.")
        return size

    def _offset(self) -> int:
        raw = self.request.query_params.get(self.cursor_param)
        if not raw:  # absent or empty: the first page
            return 0
        data = cursor_json(raw)
        offset = data.get("o") if isinstance(data, dict) else None
        if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
            raise InvalidCursor()
        return offset

    @property
    def is_first_page(self) -> bool:
        return self.offset == 0

    def _link(self, offset: int) -> str:
        url = self.request.build_absolute_uri()
        if offset == 0:
            return remove_query_param(url, self.cursor_param)
        token = base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")
        return replace_query_param(url, self.cursor_param, token)

    def next_link(self, has_more: bool) -> str | None:
        following = self.offset + self.page_size
        return self._link(following) if has_more and following <= MAX_OFFSET else None

    def previous_link(self) -> str | None:
        return self._link(max(self.offset - self.page_size, 0)) if self.offset else None
