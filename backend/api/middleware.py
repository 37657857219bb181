"""Middleware: request ids and access log, request guards, CSP, and 503 on database loss."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from backend.api.errors import ServiceUnavailable, error_json_response
from backend.api.logging import request_id_var

access_logger = logging.getLogger("backend.access")
logger = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

Handler = Callable[[HttpRequest], HttpResponse]


class RequestContextMiddleware:
    """Gives every request an id (kept from X-Request-ID when well-formed) and logs it.

    The access log names the matched route pattern, never the raw path or query string:
    paths carry share tokens and query strings carry search terms.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            match = getattr(request, "resolver_match", None)
            route = match.route if match else None
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            access_logger.info(
                "%s /%s %s %sms",
                request.method,
                route or "(unmatched)",
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class RequestGuardMiddleware:
    """Refuses bodies over MAX_REQUEST_BODY_BYTES (413), URLs over MAX_URL_BYTES (414) and
    NUL bytes in the URL (400).

    DRF reads the body stream itself, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check, so
    the size limit has to be enforced on Content-Length before any parsing.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            return error_json_response(400, "malformed_request", "Content-Length is not a number.")
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            return error_json_response(
                413, "request_too_large", f"The request body is larger than {limit} bytes."
            )
        query = request.META.get("QUERY_STRING", "")
        if len(request.META.get("PATH_INFO", "")) + len(query) > settings.MAX_URL_BYTES:
            return error_json_response(
                414, "uri_too_long", f"The URL is longer than {settings.MAX_URL_BYTES} bytes."
            )
        if "\x00" in request.path or "%00" in query:
            return error_json_response(400, "malformed_request", "The URL contains a NUL byte.")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Adds the default Content-Security-Policy to HTML responses that set none."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class ServiceUnavailableMiddleware:
    """Outside DRF views (pages, admin), a lost database is a 503, not a traceback."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database unavailable", exc_info=exception)
            return error_json_response(
                503,
                ServiceUnavailable.default_code,
                ServiceUnavailable.default_message,
                headers=ServiceUnavailable.headers,
            )
        return None
