"""Cursor pagination: stable under inserts and free of COUNT(*) on large tables."""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from rest_framework import pagination, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.settings import api_settings

from backend.api.errors import DomainError


class InvalidCursor(DomainError):
    """Every paginator refuses a cursor it did not issue with this one error: the client
    sent a malformed parameter (400), whatever the paginator's own cursor format."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_cursor"
    default_message = "This cursor does not point at a page; start again without it."


def _finite_float(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):  # 1e400
        raise ValueError(raw)
    return value


def _no_constant(raw: str) -> Any:
    raise ValueError(raw)  # NaN, Infinity, -Infinity: not JSON, and never in our cursors


def cursor_json(raw: str) -> Any:
    """The JSON value inside a base64url cursor, strictly: no NaN/Infinity, no number
    beyond a float's range or Python's integer digit limit. Raises InvalidCursor."""
    try:
        decoded = base64.urlsafe_b64decode((raw + "=" * (-len(raw) % 4)).encode("ascii"))
        return json.loads(decoded, parse_float=_finite_float, parse_constant=_no_constant)
    except (ValueError, UnicodeError, binascii.Error, RecursionError):
        raise InvalidCursor() from None


class CursorPagination(pagination.CursorPagination):
    # DRF reads PAGE_SIZE into an optional; every list here has a page size.
    page_size: int = int(api_settings.PAGE_SIZE or 20)
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return int(settings.API_MAX_PAGE_SIZE)

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def decode_cursor(self, request: Request) -> pagination.Cursor | None:
        """DRF's cursor, read strictly: DRF skips characters outside base64 and unknown
        tokens, so it takes garbage for the first page. A cursor we did not issue is
        refused (400 `invalid_cursor`); an empty one is the first page."""
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None
        try:
            querystring = base64.b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
            tokens = parse_qs(querystring, keep_blank_values=True, strict_parsing=True)
        except (ValueError, UnicodeError, binascii.Error):
            raise InvalidCursor() from None
        if not set(tokens) <= {"o", "r", "p"} or any(len(v) != 1 for v in tokens.values()):
            raise InvalidCursor()
        offset = tokens.get("o", ["0"])[0]
        reverse = tokens.get("r", ["0"])[0]
        if not offset.isdigit() or len(offset) > 6 or int(offset) > self.offset_cutoff:
            raise InvalidCursor()
        if reverse not in ("0", "1"):
            raise InvalidCursor()
        position = tokens["p"][0] if "p" in tokens else None
        # DRF keeps the position as the string it encoded (the stubs say int).
        return pagination.Cursor(
            offset=int(offset),
            reverse=reverse == "1",
            position=position,  # type: ignore[arg-type]
        )

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, OverflowError, DataError):
            # A decodable cursor whose position is not a value of the ordering field.
            raise InvalidCursor() from None

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return params
