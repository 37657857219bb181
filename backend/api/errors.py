"""Domain errors and the one exception handler that gives every error the same shape.

Every 4xx/5xx produced by the API looks like::

    {"code": "invalid", "message": "email: This field is required.",
     "fields": {"email": [{"code": "required", "message": "This field is required."}]}}

`fields` is present only for validation errors; nested fields use dotted paths
(`items.3.email`). Services raise `DomainError` subclasses or Django's `ValidationError`;
views never build error responses by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)


# Seconds a client should wait before retrying a 503 (a backing service is away).
RETRY_AFTER_SECONDS = 5


class DomainError(Exception):
    """A rule of the product was broken; the subclass says which status it maps to."""

    # Response headers every instance carries (e.g. Retry-After on a 503).
    headers: ClassVar[Mapping[str, str]] = {}
    status_code: ClassVar[int] = status.HTTP_400_BAD_REQUEST
    default_code: ClassVar[str] = "invalid"
    default_message: ClassVar[str] = "The request is not valid."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, Sequence[Mapping[str, str]]] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.code = code or self.default_code
        self.fields = dict(fields) if fields else None
        self.extra = dict(extra) if extra else None
        super().__init__(self.message)


class InvalidInput(DomainError):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"
    default_message = "Not found."


class Forbidden(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"
    default_message = "You do not have permission to perform this action."


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_message = "The request conflicts with the current state of the resource."


class ServiceUnavailable(DomainError):
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    default_message = "The service is temporarily unavailable. Please retry shortly."


def error_body(
    code: str,
    message: str,
    fields: Mapping[str, Sequence[Mapping[str, str]]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = dict(fields)
    if extra:
        body.update(extra)
    return body


def error_json_response(
    status_code: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JsonResponse:
    """The error shape for code paths outside DRF views (middleware, URL-level 404s)."""
    return JsonResponse(error_body(code, message), status=status_code, headers=headers)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[dict[str, str]]]:
    """Turn DRF's nested error detail into `{"a.b.0.c": [{"code", "message"}]}`."""
    flat: dict[str, list[dict[str, str]]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = api_settings.NON_FIELD_ERRORS_KEY if key == "__all__" else str(key)
            flat.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
    elif (
        isinstance(detail, list)
        and detail
        and all(isinstance(item, exceptions.ErrorDetail | str) for item in detail)
    ):
        flat[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [
            {"code": getattr(item, "code", "invalid") or "invalid", "message": str(item)}
            for item in detail
        ]
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if item:
                flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [
            {"code": getattr(detail, "code", "invalid") or "invalid", "message": str(detail)}
        ]
    return flat


def _validation_message(fields: Mapping[str, Sequence[Mapping[str, str]]]) -> str:
    parts = []
    for name, errors in fields.items():
        first = errors[0]["message"] if errors else "Invalid value."
        parts.append(first if name == api_settings.NON_FIELD_ERRORS_KEY else f"{name}: {first}")
    if len(parts) > 3:
        parts = [*parts[:3], f"and {len(parts) - 3} more"]
    return "; ".join(parts) or "The request is not valid."


def _validation_response(detail: Any) -> Response:
    fields = _flatten(detail)
    return Response(
        error_body("invalid", _validation_message(fields), fields),
        status=status.HTTP_400_BAD_REQUEST,
    )


def _database_error_response(exc: Exception) -> Response | None:
    """The response for a database error that escaped the services, else None."""
    if isinstance(exc, IntegrityError):
        # Services turn the constraint violations they expect into domain errors; one
        # that escapes is still a conflict with stored data, not a server fault.
        logger.error("unexpected integrity error", exc_info=exc)
        return Response(
            error_body("conflict", "The request conflicts with stored data."),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable", exc_info=exc)
        return Response(
            error_body(ServiceUnavailable.default_code, ServiceUnavailable.default_message),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers=dict(ServiceUnavailable.headers),
        )
    if isinstance(exc, DatabaseError):
        # DataError and friends: a value the database refused, e.g. out of range.
        logger.warning("database refused a value", exc_info=exc)
        return Response(
            error_body("invalid", "A value in the request is out of range or malformed."),
            status=status.HTTP_400_BAD_REQUEST,
        )
    return None


def _as_api_exception(exc: Exception) -> exceptions.APIException | None:
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc if isinstance(exc, exceptions.APIException) else None


def _api_error_response(exc: exceptions.APIException) -> Response:
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]

    detail = exc.detail
    specific: Any
    if isinstance(detail, Mapping):
        # simplejwt puts {"detail", "code", "messages"} here.
        message = str(detail.get("detail", exc.default_detail))
        specific = detail.get("code")
    elif isinstance(detail, list):
        message = " ".join(str(item) for item in detail)
        specific = None
    else:
        message = str(detail)
        specific = getattr(detail, "code", None)
    code = str(specific or exc.default_code)
    return Response(error_body(code, message), status=exc.status_code, headers=headers)


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF exception handler: the single place where exceptions become error responses."""
    if isinstance(exc, DomainError):
        return Response(
            error_body(exc.code, exc.message, exc.fields, exc.extra),
            status=exc.status_code,
            headers=dict(exc.headers),
        )
    if isinstance(exc, DjangoValidationError):
        return _validation_response(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    database_error = _database_error_response(exc)
    if database_error is not None:
        return database_error
    api_exception = _as_api_exception(exc)
    if api_exception is None:
        return None  # a real bug: Django's 500 handling, which logs it
    if isinstance(api_exception, exceptions.ValidationError):
        return _validation_response(api_exception.detail)
    return _api_error_response(api_exception)
