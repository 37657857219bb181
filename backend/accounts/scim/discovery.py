"""SCIM discovery documents (RFC 7644 section 4, RFC 7643 sections 5-7): what this
service provider supports, described for the provider's provisioning client."""

from __future__ import annotations

from typing import Any

from backend.accounts.scim.resources import CORE, ENTERPRISE

MAX_RESULTS = 200


def _attribute(name: str, **overrides: Any) -> dict[str, Any]:
    attribute = {
        "name": name,
        "type": "string",
        "multiValued": False,
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
        "description": "",
    }
    attribute.update(overrides)
    return attribute


def _schema(schema_id: str, name: str, attributes: list[dict[str, Any]], base: str) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": schema_id,
        "name": name,
        "description": f"{name} as this service provider keeps it.",
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{schema_id}"},
    }


def user_schema(base: str) -> dict[str, Any]:
    return _schema(
        CORE,
        "User",
        [
            _attribute(
                "userName",
                required=True,
                uniqueness="server",
                description="The work email address; the employee's login.",
            ),
            _attribute("externalId", caseExact=True, description="The provider's id."),
            _attribute("displayName", description="Full name as shown in the app."),
            _attribute(
                "name",
                type="complex",
                subAttributes=[
                    _attribute("formatted"),
                    _attribute("givenName"),
                    _attribute("familyName"),
                ],
            ),
            _attribute(
                "emails",
                type="complex",
                multiValued=True,
                description="The userName, as the work email; ignored on input.",
                subAttributes=[
                    _attribute("value"),
                    _attribute("type"),
                    _attribute("primary", type="boolean"),
                ],
            ),
            _attribute("preferredLanguage", description="nl or en (e.g. nl-NL, en-US)."),
            _attribute("active", type="boolean", description="false: the employee left."),
        ],
        base,
    )


def enterprise_schema(base: str) -> dict[str, Any]:
    return _schema(
        ENTERPRISE,
        "EnterpriseUser",
        [
            _attribute(
                "employeeNumber",
                caseExact=True,
                uniqueness="server",
                description="The HR key; required when creating a user.",
            ),
            _attribute("department"),
        ],
        base,
    )


def resource_types(base: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "An employee of the company.",
            "schema": CORE,
            "schemaExtensions": [{"schema": ENTERPRISE, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/User"},
        }
    ]


def service_provider_config(base: str, documentation: str) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": documentation,
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A token from `manage.py create_scim_token NAME`.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base}/ServiceProviderConfig",
        },
    }
