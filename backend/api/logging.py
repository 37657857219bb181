"""Request context for structured logs, and redaction of what Django logs about requests."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from django.http import HttpRequest

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestContextFilter(logging.Filter):
    """Adds `request_id` to every record (on the handler, so propagated records get it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") or record.request_id == "-":
            record.request_id = request_id_var.get()
        return True


class RedactRequestFilter(logging.Filter):
    """Django's request loggers print the raw path and the request object; paths carry
    share tokens and codes. Replace both with the matched route pattern."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            match = getattr(request, "resolver_match", None)
            route = f"/{match.route}" if match else "(unmatched)"
            if isinstance(record.args, tuple):
                record.args = tuple(route if arg == request.path else arg for arg in record.args)
            record.request = f"{request.method} {route}"
            record.request_id = getattr(request, "request_id", "-")
        return True
