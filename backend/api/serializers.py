"""Input serializers that take the JSON contract at its word.

DRF coerces liberally (`0` becomes `False`, `"5"` becomes `5`, `12` becomes `"12"`) and
silently drops fields it does not know. The OpenAPI contract promises JSON types and
declares `additionalProperties: false` for request bodies, and a client that breaks
either has a bug it should hear about: a typo, or an attempt to set `employee`, `status`
or `trace`. `StrictInputSerializer` refuses both with a 400 naming the field, before
DRF's own conversion runs. Use it for request bodies; query parameters arrive as strings,
keep DRF's coercion and ignore unknown names (cache busters and the like).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from backend.api.errors import NotFound

# Order matters: subclasses before their bases (BooleanField is not an IntegerField, but
# a bool is an int in Python).
_JSON_TYPES: list[tuple[type[serializers.Field], tuple[type, ...], str]] = [
    (serializers.BooleanField, (bool,), "a boolean"),
    (serializers.IntegerField, (int,), "an integer"),
    (serializers.FloatField, (int, float), "a number"),
    (serializers.DecimalField, (int, float, str), "a number"),
    (serializers.MultipleChoiceField, (list,), "a list"),
    (serializers.ChoiceField, (str,), "a string"),
    (serializers.CharField, (str,), "a string"),
    (serializers.UUIDField, (str,), "a string"),
    (serializers.DateTimeField, (str,), "a date-time string"),
    (serializers.DateField, (str,), "a date string"),
    (serializers.TimeField, (str,), "a time string"),
    (serializers.DurationField, (str,), "a duration string"),
    (serializers.ListField, (list,), "a list"),
    (serializers.ListSerializer, (list,), "a list"),
    (serializers.DictField, (dict,), "an object"),
    (serializers.Serializer, (dict,), "an object"),
    (serializers.SlugRelatedField, (str,), "a string"),
    (serializers.PrimaryKeyRelatedField, (int,), "an integer"),
]


def _expected(field: serializers.Field) -> tuple[tuple[type, ...], str] | None:
    for field_class, types, label in _JSON_TYPES:
        if isinstance(field, field_class):
            if isinstance(field, serializers.ChoiceField) and field.choices:
                if all(isinstance(key, bool) for key in field.choices):
                    return (bool,), "a boolean"
                if all(isinstance(key, int) for key in field.choices):
                    return (int,), "an integer"
            return types, label
    return None


def json_type_error(field: serializers.Field, value: Any) -> str | None:
    """A message when `value` has the wrong JSON type for `field`, else None."""
    if value is None:
        return None  # the field's own allow_null decides
    expected = _expected(field)
    if expected is None:
        return None
    types, label = expected
    if isinstance(value, bool) and bool not in types:
        return f"Must be {label}, not a boolean."
    if not isinstance(value, types):
        return f"Must be {label}."
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        for item in value:
            if json_type_error(field.child, item):
                return f"Every item must be {(_expected(field.child) or ((), 'valid'))[1]}."
    return None


class StrictInputSerializer(serializers.Serializer):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors: dict[str, list[serializers.ErrorDetail]] = {
                name: [serializers.ErrorDetail("Unknown field.", code="unknown_field")]
                for name in sorted(set(data) - set(self.fields))
            }
            for name, field in self.fields.items():
                if field.read_only or field.field_name not in data:
                    continue
                message = json_type_error(field, data[field.field_name])
                if message:
                    errors[name] = [serializers.ErrorDetail(message, code="invalid_type")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class EmptyInputSerializer(StrictInputSerializer):
    """The body of an operation that takes none: any field in it is unknown."""


def refuse_body_fields(data: Any) -> None:
    """For views without an input serializer: a body with fields is refused like any
    unknown field (a client that sends one expects it to mean something)."""
    EmptyInputSerializer(data=data if data is not None else {}).is_valid(raise_exception=True)


class QueryParamsSerializer(serializers.Serializer):
    """Query parameters as the schema documents them.

    DRF reads an empty value (`?lang=`) as "not given" and takes `yes`, `on` or `1` for a
    boolean. The contract says a parameter is either absent or one of its documented
    values, so here an empty value is refused (unless the field allows blanks) and
    booleans are `true` or `false`. Unknown parameter names are still ignored.
    """

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # DRF deep-copies the declared fields for every serializer it makes, which builds
        # each field and its validators anew (0.1-0.2 ms for a list's five parameters, on
        # every request). Query parameters' fields are plain ones (no nested serializer)
        # that nothing changes once declared, so a copy of each field's own attributes is
        # enough: binding it to this serializer sets them on the copy only.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors: dict[str, list[serializers.ErrorDetail]] = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data:
                    continue
                raw = data.get(name)
                if raw == "" and not getattr(field, "allow_blank", False):
                    errors[name] = [serializers.ErrorDetail("May not be empty.", code="blank")]
                elif isinstance(field, serializers.BooleanField) and raw not in ("true", "false"):
                    errors[name] = [
                        serializers.ErrorDetail("Must be true or false.", code="invalid")
                    ]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class _ReferenceMixin:
    """A reference to a record that does not exist names no resource: 404 with a code
    `<field>_not_found` and the field, rather than a 400 for a value of the right form."""

    field_name: str | None  # set when the field is bound to its serializer

    def to_internal_value(self, data: Any) -> Any:
        try:
            return super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as exc:
            details = exc.detail if isinstance(exc.detail, list) else [exc.detail]
            if any(getattr(detail, "code", None) == "does_not_exist" for detail in details):
                name = str(self.field_name)
                message = f"No {name.replace('_', ' ')} with this value."
                raise NotFound(
                    message,
                    code=f"{name}_not_found",
                    fields={name: [{"code": "does_not_exist", "message": message}]},
                ) from None
            raise


class SlugReferenceField(_ReferenceMixin, serializers.SlugRelatedField):
    pass


class PrimaryKeyReferenceField(_ReferenceMixin, serializers.PrimaryKeyRelatedField):
    pass
