"""Rate limit of the admin login, by django-axes (a well-kept library for exactly this).

Failed admin sign-ins are counted in the database (shared by every app server) per client
address and per account; `AXES_FAILURE_LIMIT` failures for either lock that address or
account out of the admin login for `AXES_COOLOFF_TIME` (a 429 page with `Retry-After`).
The API login has its own rate limits (`backend.api.throttling`), so axes watches the
admin only: failed API logins are neither counted here nor locked out by it.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle


class AdminLoginLockoutBackend(AxesStandaloneBackend):
    """Axes' backend, for calls that come with a request. `authenticate()` without one
    (a shell, Django's test client `login()`) has no address to count or lock: it is
    left to the next backend instead of failing."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class AdminLoginAttemptHandler(AxesDatabaseHandler):
    """Records sign-ins to the admin only; the API login's are the API throttles' job."""

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        if request is not None and self.is_admin_request(request):
            super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        if request is not None and self.is_admin_request(request):
            super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        if request is not None and self.is_admin_request(request):
            super().user_logged_out(sender, request, user, **kwargs)


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account counted: the email as the login form normalises it, so that
    `Admin@…` and `admin@…` count against one limit."""
    raw = (credentials or {}).get("username") or request.POST.get("username")
    return raw.strip().lower() if isinstance(raw, str) else None


def client_address(request: HttpRequest) -> str | None:
    """The client address exactly as the API's rate limits see it (NUM_PROXIES)."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    response = render(
        request,
        "admin/login_locked_out.html",
        {"minutes": max(1, seconds // 60), "title": "Too many failed sign-ins"},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
