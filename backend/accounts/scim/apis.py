"""SCIM 2.0 endpoints under /scim/v2/ (RFC 7644): Users, and the discovery documents.

Not part of the v1 OpenAPI schema: SCIM is specified by RFCs 7643/7644 and describes
itself through its own /Schemas, /ResourceTypes and /ServiceProviderConfig endpoints,
with its own media type (application/scim+json) and error shape. Its callers are the
identity providers' provisioning clients, not API consumers of v1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Employee
from backend.accounts.scim import discovery, services
from backend.accounts.scim.authentication import HasScimToken, ScimTokenAuthentication
from backend.accounts.scim.resources import (
    LIST_RESPONSE,
    ScimError,
    attribute_path,
    changes_from_patch,
    changes_from_resource,
    scim_user,
)
from backend.api.errors import NotFound, exception_handler
from backend.api.parsers import JSONParser

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
_SCIM_TYPES = {
    "invalidFilter",
    "tooMany",
    "uniqueness",
    "mutability",
    "invalidSyntax",
    "invalidPath",
    "noTarget",
    "invalidValue",
    "invalidVers",
    "sensitive",
}
_INDEX_LIMIT = 2**31 - 1
_FILTER = re.compile(r'^\s*(?P<attribute>.+?)\s+eq\s+"(?P<value>(?:[^"\\]|\\.)*)"\s*$', re.I)


class ScimJSONParser(JSONParser):
    media_type = "application/scim+json"


class ScimJSONRenderer(JSONRenderer):
    media_type = "application/scim+json"


def scim_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """The project's one handler, its body reshaped as a SCIM Error (RFC 7644 3.12); the
    project's `code` and `message` stay in it, so both kinds of client understand it."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    code, message = response.data.get("code"), response.data.get("message")
    response.data = {
        "schemas": [ERROR_SCHEMA],
        "status": str(response.status_code),
        "detail": message,
        **({"scimType": code} if code in _SCIM_TYPES else {}),
        "code": code,
        "message": message,
    }
    return response


@extend_schema(exclude=True)
class ScimApi(APIView):
    authentication_classes = [ScimTokenAuthentication]
    permission_classes = [HasScimToken]
    parser_classes = [ScimJSONParser, JSONParser]
    renderer_classes = [ScimJSONRenderer, JSONRenderer]
    throttle_classes: list[type] = []

    def get_exception_handler(self) -> Any:
        return scim_exception_handler

    def base_url(self) -> str:
        return self.request.build_absolute_uri("/scim/v2").rstrip("/")

    def user_body(self, employee: Employee) -> dict[str, Any]:
        return scim_user(employee, f"{self.base_url()}/Users/{employee.pk}")


def _index(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ScimError(f"{name} must be a whole number.") from None
    if abs(value) > _INDEX_LIMIT:  # an OFFSET beyond 64 bits is a database error
        raise ScimError(f"{name} must be at most {_INDEX_LIMIT}.")
    return value


def _filtered(raw: str | None) -> Any:
    if raw is None:
        return services.scim_users()
    match = _FILTER.match(raw)
    if match is None:
        raise ScimError('Only `attribute eq "value"` filters are supported.', code="invalidFilter")
    attribute = attribute_path(match["attribute"])
    try:
        value = json.loads(f'"{match["value"]}"')
    except ValueError:  # an escape JSON does not know, e.g. \x
        raise ScimError("The filter value is not a valid string.", code="invalidFilter") from None
    return services.scim_users_filter(attribute=attribute, value=value)


class UsersApi(ScimApi):
    def get(self, request: Request) -> Response:
        queryset = _filtered(request.query_params.get("filter")).order_by("pk")
        start = max(_index(request, "startIndex", 1), 1)
        count = min(max(_index(request, "count", 100), 0), discovery.MAX_RESULTS)
        page = list(queryset[start - 1 : start - 1 + count])
        return Response(
            {
                "schemas": [LIST_RESPONSE],
                "totalResults": queryset.count(),
                "startIndex": start,
                "itemsPerPage": len(page),
                "Resources": [self.user_body(employee) for employee in page],
            }
        )

    def post(self, request: Request) -> Response:
        employee = services.scim_user_create(changes=changes_from_resource(request.data))
        body = self.user_body(employee)
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": body["meta"]["location"]}
        )


class UserApi(ScimApi):
    def get(self, request: Request, scim_id: str) -> Response:
        return Response(self.user_body(services.scim_user_get(scim_id=scim_id)))

    def put(self, request: Request, scim_id: str) -> Response:
        changes = changes_from_resource(request.data)
        return Response(self.user_body(services.scim_user_update(scim_id=scim_id, changes=changes)))

    def patch(self, request: Request, scim_id: str) -> Response:
        changes = changes_from_patch(request.data)
        return Response(self.user_body(services.scim_user_update(scim_id=scim_id, changes=changes)))

    def delete(self, request: Request, scim_id: str) -> Response:
        services.scim_user_delete(scim_id=scim_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceProviderConfigApi(ScimApi):
    def get(self, request: Request) -> Response:
        documentation = f"{settings.PUBLIC_BASE_URL}/api/docs/"
        return Response(discovery.service_provider_config(self.base_url(), documentation))


def _list(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


class ResourceTypesApi(ScimApi):
    def get(self, request: Request, type_id: str | None = None) -> Response:
        types = discovery.resource_types(self.base_url())
        if type_id is None:
            return Response(_list(types))
        found = [item for item in types if item["id"] == type_id]
        if not found:
            raise NotFound("No such resource type.")
        return Response(found[0])


class SchemasApi(ScimApi):
    def get(self, request: Request, schema_id: str | None = None) -> Response:
        base = self.base_url()
        schemas = [discovery.user_schema(base), discovery.enterprise_schema(base)]
        if schema_id is None:
            return Response(_list(schemas))
        found = [item for item in schemas if item["id"] == schema_id]
        if not found:
            raise NotFound("No such schema.")
        return Response(found[0])
