"""SCIM clients (Entra ID, Okta …) authenticate with `Authorization: Bearer <SCIM token>`."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from backend.accounts.models import ScimToken
from backend.api.errors import Conflict

TOKEN_PREFIX = "scim_"  # noqa: S105  (a marker, not a secret)
# Marks a token as used at most this often: one write per hour, not one per request.
_LAST_USED_GRANULARITY = timedelta(hours=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def scim_token_create(*, name: str) -> tuple[ScimToken, str]:
    """A new token for the named SCIM client; returns the row and the token, which is not
    stored and cannot be shown again. Raises Conflict when the name is taken."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        token = ScimToken.objects.create(name=name, prefix=raw[:12], key_hash=_hash(raw))
    except IntegrityError:
        raise Conflict(f"A SCIM token named {name!r} exists.", code="duplicate_token") from None
    return token, raw


class ScimTokenAuthentication(BaseAuthentication):
    """Sets `request.auth` to the ScimToken; the user stays anonymous."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ScimToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send `Authorization: Bearer <SCIM token>`.")
        raw = parts[1].decode("latin-1")
        token = ScimToken.objects.filter(key_hash=_hash(raw), revoked_at__isnull=True).first()
        if token is None:
            raise exceptions.AuthenticationFailed("This SCIM token is not valid or was revoked.")
        now = timezone.now()
        if token.last_used_at is None or token.last_used_at < now - _LAST_USED_GRANULARITY:
            ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="scim"'


class HasScimToken(BasePermission):
    message = "A SCIM token is required."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ScimToken)
