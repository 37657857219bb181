from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from backend.api.throttling import CacheCounterThrottle, EmployeeWriteThrottle


class PublicVisitorThrottle(CacheCounterThrottle):
    """Landing page and public share JSON, per visitor address."""

    scope = "public"


class PublicCodeCheckThrottle(CacheCounterThrottle):
    """The public code check, per client address: strict, as every answer about a code
    that exists is worth something to someone guessing codes."""

    scope = "code_check"


class SignupApiKeyThrottle(CacheCounterThrottle):
    """Sign-up ingestion, per API key: one caller cannot crowd out the others."""

    scope = "signups"

    def get_ident_key(self, request: Request, view: Any) -> str | None:
        api_key = getattr(request, "auth", None)
        return f"key:{api_key.prefix}" if api_key is not None else self.get_ident(request)


class ClaimRateThrottle(EmployeeWriteThrottle):
    """Claims per employee: a claim is rare ("I helped this friend"), and a burst of them
    is someone probing identifiers."""

    scope = "claims"
