"""Render a response with the serializer that declares it, without rebuilding it per request.

DRF builds a serializer's fields each time one is instantiated (a `ModelSerializer` also
inspects its model): on the hot paths that costs more than the queries. A response shape
is still declared once, by its output serializer, which also gives the OpenAPI schema;
`render` builds one instance of each serializer class the first time it is used and
reuses it. `to_representation` reads only its argument, so one instance serves every
request and thread.

The shared instance has an empty, read-only context: a serializer rendered this way takes
per-request values (a highlight, the reader's own feedback) from the object it renders,
never from `self.context`.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import Any

from rest_framework import serializers

_built: dict[type[serializers.BaseSerializer], serializers.BaseSerializer] = {}


def _instance_of(serializer_class: type[serializers.BaseSerializer]) -> serializers.BaseSerializer:
    serializer = _built.get(serializer_class)
    if serializer is None:
        # Two threads may build the same class at once; both results are equal, either wins.
        serializer = serializer_class(context=MappingProxyType({}))
        if isinstance(serializer, serializers.Serializer):
            serializer.fields  # noqa: B018  -- build (and bind) every field now, once
        _built[serializer_class] = serializer
    return serializer


def render(serializer_class: type[serializers.BaseSerializer], instance: Any) -> Any:
    """What `serializer_class(instance).data` gives, from the class's one built instance."""
    return _instance_of(serializer_class).to_representation(instance)


def render_many(
    serializer_class: type[serializers.BaseSerializer], instances: Iterable[Any]
) -> list[Any]:
    """What `serializer_class(instances, many=True).data` gives, in one pass."""
    serializer = _instance_of(serializer_class)
    return [serializer.to_representation(instance) for instance in instances]


# Renders objects whose fields are plain attributes (the records, or model fields) with
# one `getattr` per field. DRF's general lookup also resolves dict keys, dotted sources
# and callables, and was half of rendering a page of search results; the fields and how
# each turns its value into JSON stay DRF's own. Every field's source must be a single
# attribute name (checked when the serializer is first used). A comment, not a docstring:
# the schema would show a docstring as the description of every shape built on it.
class RecordSerializer(serializers.Serializer):
    def to_representation(self, instance: Any) -> dict[str, Any]:
        plan = self.__dict__.get("_attribute_plan")
        if plan is None:
            plan = []
            for field in self._readable_fields:
                if len(field.source_attrs) != 1:
                    raise TypeError(f"{type(self).__name__}.{field.field_name}: not one attribute")
                plan.append((field.field_name, field.source_attrs[0], field.to_representation))
            self.__dict__["_attribute_plan"] = plan
        result = {}
        for name, attribute, represent in plan:
            value = getattr(instance, attribute)
            result[name] = None if value is None else represent(value)
        return result
