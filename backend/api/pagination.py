"""Cursor pagination: stable under inserts and free of COUNT(*) on large tables."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from backend.api.errors import NotFound


class CursorPagination(pagination.CursorPagination):
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return int(settings.API_MAX_PAGE_SIZE)

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return int(self.page_size)
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def decode_cursor(self, request: Request) -> Any:
        """A cursor we did not issue points at no page: 404, as for any unknown address."""
        try:
            return super().decode_cursor(request)
        except Exception:
            raise NotFound(
                "This cursor does not point at a page; start again without it.",
                code="invalid_cursor",
            ) from None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, DataError):
            # A decodable cursor whose position is not a value of the ordering field.
            raise NotFound(
                "This cursor does not point at a page; start again without it.",
                code="invalid_cursor",
            ) from None

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
