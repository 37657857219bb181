"""OpenAPI generation: every operation documents the error responses it can give.

The codes are derived from the view (authentication, permissions, path parameters,
request body, throttles) plus any a view declares in `error_codes`, so the schema
cannot forget a 401 on a protected endpoint or a 404 on a detail endpoint.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from backend.api.serializers import StrictInputSerializer


class ErrorFieldSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable reason, e.g. `required`.")
    message = serializers.CharField(help_text="Human-readable explanation.")


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Machine-readable error code, e.g. `invalid`, `not_found`, `throttled`."
    )
    message = serializers.CharField(help_text="Human-readable explanation.")
    # The error shape's own key; DRF's metaclass moves declared fields off the class, so
    # it does not replace `Serializer.fields` (which the stubs see it overriding).
    fields = serializers.DictField(  # type: ignore[assignment]
        child=ErrorFieldSerializer(many=True),
        required=False,
        help_text="Validation errors per field; nested fields use dotted paths (`items.3.email`).",
    )

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    400: "The request is invalid; `fields` says which field and why.",
    401: "No valid credentials: missing, expired or revoked token, or inactive account.",
    403: "Authenticated, but this role may not do this.",
    404: "No such resource, or it is not yours.",
    409: "Conflicts with the current state: a duplicate or a stale version.",
    413: "The request body is too large.",
    414: (
        "The URL is too long: over MAX_URL_BYTES the app answers in the error shape; "
        "over the request-line limit of the server in front (gunicorn: 8190 bytes) "
        "that server answers with an HTML page."
    ),
    429: "Too many requests; retry after the number of seconds in `Retry-After`.",
    503: "A backing service is unavailable; retry after `Retry-After` seconds.",
}

_BODY_METHODS = {"POST", "PUT", "PATCH"}


def _pattern_of(validator: RegexValidator) -> str:
    regex = validator.regex  # compiled by the validator, though it may be given as text
    return regex if isinstance(regex, str) else regex.pattern


class ApiAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        """Names nested `SomeApi.InputSerializer` classes after their view: `Some`
        (plus `Request` for input, by COMPONENT_SPLIT_REQUEST)."""
        cls = serializer.__class__
        outer, _, inner = cls.__qualname__.rpartition(".")
        if not outer:
            return super().get_serializer_name(serializer, direction)
        outer = outer.rpartition(".")[2].removesuffix("Api")
        if inner in ("InputSerializer", "OutputSerializer"):
            return outer
        return outer + inner.removesuffix("Serializer")

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ListSerializer) and isinstance(schema, dict):
            # `Item(many=True, min_length=1, max_length=500)`: drf-spectacular drops the bounds.
            # (DRF has these since 3.15; its stubs do not yet.)
            min_length = getattr(field, "min_length", None)
            max_length = getattr(field, "max_length", None)
            if min_length is not None:
                schema["minItems"] = min_length
            if max_length is not None:
                schema["maxItems"] = max_length
        if not (
            direction == "request"
            and isinstance(schema, dict)
            and schema.get("type") == "string"
            and isinstance(field, serializers.CharField)
            and not {"pattern", "format", "enum"} & set(schema)
        ):
            return schema
        regex = next(
            (_pattern_of(v) for v in field.validators if isinstance(v, RegexValidator)), None
        )
        if regex is not None:
            # e.g. SlugField; Python's end-of-string anchor reads `$` in the schema.
            schema["pattern"] = regex.replace(r"\Z", "$")
        elif field.trim_whitespace and not field.allow_blank:
            # DRF refuses NUL characters in any string, and trims whitespace before its
            # blank check (so "   " is refused): the schema says both.
            # Python's strip() also removes U+001C-U+001F, which \s in other regex
            # engines does not match.
            schema["pattern"] = r"^[^\x00]*[^\s\x00\x1c-\x1f][^\x00]*$"
        else:
            schema["pattern"] = r"^[^\x00]*$"
        return schema

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        # drf-spectacular offers "" as a second branch for a blank-allowing string with a
        # pattern; with oneOf, an empty string that also matches the pattern would match
        # both branches and so neither. Either branch is fine: anyOf.
        branches = schema.get("oneOf")
        if branches and branches[-1] == {"type": "string", "maxLength": 0}:
            schema["anyOf"] = schema.pop("oneOf")

    def _map_serializer(
        self, serializer: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(serializer, StrictInputSerializer):
            schema["additionalProperties"] = False
            # e.g. "at least one of these optional fields"
            minimum = getattr(serializer, "schema_min_properties", None)
            if minimum:
                schema["minProperties"] = minimum
        return schema

    def _get_request_for_media_type(self, serializer: Any, direction: Any = "request") -> Any:
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # A body of alternative shapes (oneOf) is required when every shape has fields.
        if isinstance(serializer, PolymorphicProxySerializer) and schema:
            required = True
        return schema, required

    def _error_codes(self) -> set[int]:
        view = self.view
        codes: set[int] = set(getattr(view, "error_codes", ()))
        if self.method in _BODY_METHODS:
            codes |= {400, 413}
        if self.method == "GET" and (self._is_list_view() or self.get_override_parameters()):
            codes |= {400, 414}
        if "{" in self.path:
            codes.add(404)
        if self._is_paginated():
            codes.add(400)  # a cursor we did not issue
        permissions = view.get_permissions() if hasattr(view, "get_permissions") else []
        if not all(isinstance(permission, AllowAny) for permission in permissions):
            codes |= {401, 403}
        if getattr(view, "throttle_classes", None):
            codes.add(429)
        return codes

    def _is_paginated(self) -> bool:
        return self.method == "GET" and getattr(self.view, "pagination_class", None) is not None

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in sorted(self._error_codes()):
            if str(code) not in responses:
                response = self._get_response_for_code(ErrorSerializer, str(code))
                response["description"] = ERROR_DESCRIPTIONS.get(code, "Error")
                if code == 414:
                    # A request line over gunicorn's limit (8190 bytes, its maximum) never
                    # reaches the app: gunicorn answers 414 itself, as an HTML page. Only
                    # a URL far outside the schema's bounds gets there.
                    response["content"]["text/html"] = {"schema": {"type": "string"}}
                responses[str(code)] = response
        return responses


class EmployeeJWTScheme(OpenApiAuthenticationExtension):
    target_class = "backend.api.authentication.EmployeeJWTAuthentication"
    name = "employeeJWT"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Access token from `POST /api/v1/auth/token/`.",
        }


_NUL_FREE = r"^[^\x00]*$"
# Cursors are base64 (standard or URL-safe) and short.
_CURSOR = {"type": "string", "pattern": r"^[A-Za-z0-9+/=_-]*$", "maxLength": 200}
MAX_PATH_PARAMETER = 200
MAX_QUERY_PARAMETER = 200


def postprocess_parameters(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Bounds every string parameter in a path or query and documents that NUL is refused.

    The request guard answers 400 to a NUL byte anywhere in the URL (PostgreSQL cannot
    store it, and no identifier contains it) and 414 to a URL over MAX_URL_BYTES; with
    these bounds every valid request fits well inside that.
    """
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter.get("name") == "cursor":
                    parameter["schema"] = dict(_CURSOR)
                    continue
                schema = parameter.get("schema", {})
                if schema.get("type") == "string" and "enum" not in schema:
                    limit = (
                        MAX_PATH_PARAMETER if parameter.get("in") == "path" else MAX_QUERY_PARAMETER
                    )
                    schema.setdefault("maxLength", limit)
                if (
                    parameter.get("in") in ("path", "query")
                    and schema.get("type") == "string"
                    and not {"pattern", "enum", "format"} & set(schema)
                ):
                    schema["pattern"] = _NUL_FREE
    return result
