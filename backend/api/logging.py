"""Request context for structured logs, and redaction of secrets from every log record.

Paths carry share tokens and referral codes (`/s/<token>`, `/api/v1/public/codes/<code>/`)
and query strings carry search words. Our access log names the route pattern instead,
but Django's own loggers (`django.request`, `django.security.*`: DisallowedHost, CSRF
failures, …) print the raw path and attach the request object. `RedactSecretsFilter` sits
on the handler, so every record of every logger passes through it before it is written:
a logger-level filter would miss records propagated from child loggers.
"""

from __future__ import annotations

import logging
import re
import traceback
from contextvars import ContextVar

from django.http import HttpRequest

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_SEGMENT = r"[^/\s?#'\"<>]+"
_SECRET_PATHS = [
    # (pattern, replacement): the secret path segment becomes its route placeholder.
    (re.compile(rf"(/s/){_SEGMENT}"), r"\1<token>"),
    (re.compile(rf"(/public/shares/){_SEGMENT}"), r"\1<token>"),
    (re.compile(rf"(/public/codes/){_SEGMENT}"), r"\1<code>"),
    (re.compile(rf"(/referrals/codes/){_SEGMENT}"), r"\1<code>"),
    (re.compile(rf"(/referrals/shares/){_SEGMENT}(?=/)"), r"\1<token>"),
    # A query string after anything path-like: search words, codes in sign-up links.
    (re.compile(r"(/[^\s?'\"]*)\?[^\s'\"#<>]+"), r"\1?<redacted>"),
]


# What every record has; anything else on a record came in through `extra=`.
_STANDARD_ATTRIBUTES = frozenset(
    {*vars(logging.LogRecord("", 0, "", 0, "", (), None)), "message", "asctime"}
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return text


def _route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return f"/{match.route}" if match else "(unmatched)"


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
            route = _route_of(request)
            if isinstance(record.args, tuple):
                record.args = tuple(
                    route if arg in (request.path, request.get_full_path()) else arg
                    for arg in record.args
                )
            record.request = f"{request.method} {route}"
            record.request_id = getattr(request, "request_id", "-")
        return True


class RedactSecretsFilter(RedactRequestFilter):
    """Every record, from any logger: the request as its route, then share tokens, codes
    and query strings removed from the message, string extras and the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        super().filter(record)
        record.msg = redact(record.getMessage())
        record.args = ()
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRIBUTES and isinstance(value, str):
                setattr(record, name, redact(value))
        if record.exc_info:
            # Formatted here so that the text can be redacted; formatters print exc_text.
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
