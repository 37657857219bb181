"""The SCIM User resource (RFC 7643) <-> Employee, and PATCH operations (RFC 7644 3.5.2).

Pure functions, no I/O: they turn a SCIM document or patch into the employee fields it
sets (`Changes`), which the services hand to the employment action.

Attributes we keep: userName (the work email and login), externalId, displayName (or
name.formatted, or givenName + familyName), active, preferredLanguage/locale (nl or en),
and from the enterprise extension employeeNumber and department. `emails` is returned as
the userName and ignored on input. Other attributes of the core and enterprise schemas
that providers send by default (title, phoneNumbers, addresses, manager …) are accepted
and ignored; an attribute outside both schemas is refused with `invalidPath`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from backend.accounts.models import Employee
from backend.api.errors import InvalidInput

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

_IGNORED = {
    "name.givenname",
    "name.familyname",
    "name.middlename",
    "name.honorificprefix",
    "name.honorificsuffix",
    "nickname",
    "profileurl",
    "title",
    "usertype",
    "timezone",
    "password",
    "phonenumbers",
    "addresses",
    "ims",
    "photos",
    "groups",
    "entitlements",
    "roles",
    "x509certificates",
    "enterprise.manager",
    "enterprise.costcenter",
    "enterprise.organization",
    "enterprise.division",
    "meta",
    "schemas",
    "id",
}


class ScimError(InvalidInput):
    """A 400 with the SCIM `scimType` as its code (invalidValue, invalidPath, …)."""

    default_code = "invalidValue"


@dataclass
class Changes:
    fields: dict[str, Any] = field(default_factory=dict)
    active: bool | None = None


def scim_user(employee: Employee, location: str) -> dict[str, Any]:
    """The SCIM representation of an employee."""
    return {
        "schemas": [CORE, ENTERPRISE],
        "id": str(employee.pk),
        "externalId": employee.external_id or None,
        "userName": employee.email,
        "displayName": employee.display_name,
        "name": {"formatted": employee.display_name},
        "emails": [{"value": employee.email, "type": "work", "primary": True}],
        "preferredLanguage": employee.language,
        "active": employee.is_active,
        ENTERPRISE: {
            "employeeNumber": employee.employee_number,
            "department": employee.department,
        },
        "meta": {
            "resourceType": "User",
            "created": employee.date_joined.isoformat(),
            "location": location,
        },
    }


def _string(value: Any, name: str, max_length: int, *, blank: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ScimError(f"{name} must be a string.")
    value = value.strip()
    if len(value) > max_length:
        raise ScimError(f"{name} is longer than {max_length} characters.")
    if not blank and not value:
        raise ScimError(f"{name} must not be empty.")
    return value


def _boolean(value: Any) -> bool:
    # Entra ID sent "True"/"False" as strings before its 2020 SCIM compliance fixes.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ScimError("active must be true or false.")


def _language(value: Any) -> str:
    text = _string(value, "preferredLanguage", 35).lower()
    return "en" if text.startswith("en") else "nl"


def _set(changes: Changes, path: str, value: Any) -> None:
    """Applies one attribute (path already normalised: lower case, `enterprise.` prefix)."""
    if path == "username":
        changes.fields["email"] = _string(value, "userName", 254, blank=False).lower()
    elif path in ("displayname", "name.formatted"):
        changes.fields["display_name"] = _string(value, "displayName", 150, blank=False)
    elif path == "name" and isinstance(value, dict):
        for key, part in value.items():
            _set(changes, f"name.{key.lower()}", part)
    elif path == "externalid":
        changes.fields["external_id"] = _string(value, "externalId", 255)
    elif path == "active":
        changes.active = _boolean(value)
    elif path in ("preferredlanguage", "locale"):
        changes.fields["language"] = _language(value)
    elif path == "emails" or path.startswith("emails[") or path.startswith("emails."):
        # userName is the work email and the login; `emails` is echoed from it, so a
        # provider mapping another address there (e.g. `mail` beside the UPN) cannot
        # move the login.
        return
    elif path == "enterprise.employeenumber":
        changes.fields["employee_number"] = _string(value, "employeeNumber", 32, blank=False)
    elif path == "enterprise.department":
        changes.fields["department"] = _string(value, "department", 100)
    elif path == "enterprise" and isinstance(value, dict):
        for key, part in value.items():
            _set(changes, f"enterprise.{key.lower()}", part)
    elif path.split("[")[0].split(".")[0] in _IGNORED or path in _IGNORED:
        return
    else:
        raise ScimError(f"Unknown attribute {path!r}.", code="invalidPath")


def attribute_path(path: str) -> str:
    """An attribute path as `_set` and the filters match it: lower case, single spaces,
    the core schema's URN dropped and the enterprise one's shortened to `enterprise.`."""
    lowered = path.strip()
    for urn, prefix in ((ENTERPRISE, "enterprise."), (CORE, "")):
        if lowered.lower().startswith(urn.lower() + ":"):
            return prefix + lowered[len(urn) + 1 :].lower()
        if lowered.lower() == urn.lower():
            return prefix.rstrip(".") or ""
    return re.sub(r"\s+", " ", lowered).lower()


def changes_from_resource(document: Any) -> Changes:
    """The fields a full User document (POST or PUT) sets."""
    if not isinstance(document, dict):
        raise ScimError("The body must be a SCIM User object.", code="invalidSyntax")
    changes = Changes()
    for key, value in document.items():
        path = attribute_path(key)
        if path == "enterprise":
            _set(changes, "enterprise", value)
        elif path:
            _set(changes, path, value)
    if "displayName" in document:  # over name.formatted, whichever came first
        _set(changes, "displayname", document["displayName"])
    if "display_name" not in changes.fields and isinstance(document.get("name"), dict):
        name = document["name"]
        parts = [name.get("givenName"), name.get("familyName")]
        joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
        if joined:
            changes.fields["display_name"] = _string(joined, "name", 150)
    return changes


def changes_from_patch(document: Any) -> Changes:
    """The fields a PatchOp sets: with a path (Entra ID: `{"op": "Replace", "path":
    "active", "value": "False"}`) or without one (Okta: `{"op": "replace", "value":
    {"active": false}}`)."""
    if not isinstance(document, dict) or PATCH_OP not in (document.get("schemas") or []):
        raise ScimError(f"A PATCH body must name the schema {PATCH_OP}.", code="invalidSyntax")
    operations = document.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError("Operations must be a non-empty list.", code="invalidSyntax")
    changes = Changes()
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError("Each operation must be an object.", code="invalidSyntax")
        op = str(operation.get("op", "")).lower()
        path = operation.get("path")
        value = operation.get("value")
        if op not in ("add", "replace", "remove"):
            raise ScimError(f"Unknown operation {operation.get('op')!r}.", code="invalidSyntax")
        if op == "remove":
            if not isinstance(path, str):
                raise ScimError("remove needs a path.", code="noTarget")
            value = None
        if path is None:
            if not isinstance(value, dict):
                raise ScimError("Without a path the value must be an object.", code="invalidValue")
            for key, part in value.items():
                _set(changes, attribute_path(key), part)
        elif isinstance(path, str):
            _set(changes, attribute_path(path), value)
        else:
            raise ScimError("path must be a string.", code="invalidPath")
    return changes
