"""Server-to-server authentication of the sign-up system: `Authorization: Api-Key <key>`.

Keys are djangorestframework-api-key keys (only a hash is stored; create them in the
admin or with `manage.py create_api_key NAME`). The key's name is the sign-up `source`,
so (source, external_id) stays the idempotency key when a key is rotated: give the new
key the same name.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework_api_key.models import AbstractAPIKey, APIKey
from rest_framework_api_key.permissions import KeyParser

KEYWORD = KeyParser.keyword


class SignupApiKeyAuthentication(BaseAuthentication):
    """Sets `request.auth` to the APIKey; the user stays anonymous."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, AbstractAPIKey] | None:
        key = KeyParser().get(request)
        if key is None:
            return None
        try:
            api_key = APIKey.objects.get_from_key(key.strip())
        except APIKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("This API key is not valid.") from None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class HasSignupApiKey(BasePermission):
    message = "A sign-up system API key is required."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, APIKey)


def source_of(request: Request) -> str:
    """The sign-up source the request's API key stands for (views require the key)."""
    api_key = request.auth
    if not isinstance(api_key, AbstractAPIKey):
        raise exceptions.NotAuthenticated(HasSignupApiKey.message)
    return str(api_key.name)


class SignupApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "referrals.authentication.SignupApiKeyAuthentication"
    name = "signupApiKey"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Api-Key <key>`, a key created with `manage.py create_api_key NAME` or in "
                "the admin. The key's name is the sign-up source."
            ),
        }
