"""Validate a request body with the serializer that declares it, without DRF's per-item
machinery: for a batch of a thousand sign-ups that machinery costs more than the rules.

`InputPlan` is built once per serializer class, at import time, from the serializer's own
fields: their names, which are required, their defaults, nested serializers and lists of
them, `validate_<field>` and `validate`. Each value goes through its field's own
`run_validation` after the same JSON type check `StrictInputSerializer` makes, so there is
nothing to keep in step. The plan only ever says "valid, and this is the validated data"
or "not sure": on any error (or any shape it does not know) the caller runs the
serializer itself, which gives the documented 400. A plan cannot accept what the
serializer would refuse, as it refuses whenever a field or validator does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework import serializers
from rest_framework.fields import empty

from backend.api.serializers import StrictInputSerializer, json_type_error


class _Unsure(Exception):
    """The plan cannot vouch for this value: let the serializer decide."""


Step = Callable[[Any], Any]


def _field_step(field: serializers.Field) -> Step:
    # Outside a list field, whether a value has the right JSON type depends on its Python
    # type alone: remember the answer per type.
    type_ok: dict[type, bool] = {}
    per_type = not isinstance(field, serializers.ListField)

    def step(value: Any) -> Any:
        kind = type(value)
        ok = type_ok.get(kind) if per_type else None
        if ok is None:
            ok = type_ok[kind] = json_type_error(field, value) is None
        if not ok:
            raise _Unsure
        try:
            return field.run_validation(value)
        except serializers.ValidationError:
            raise _Unsure from None

    return step


def _list_step(field: serializers.ListSerializer) -> Step:
    if not isinstance(field.child, serializers.Serializer):
        raise TypeError(f"{field.field_name}: no plan for a list of plain values")
    child = InputPlan(field.child)
    # Not in the stubs: ListSerializer's bounds (DRF 3.14+).
    low: int = getattr(field, "min_length", None) or 0
    high: int | None = getattr(field, "max_length", None)

    def step(value: Any) -> Any:
        if type(value) is not list or len(value) < low or (high is not None and len(value) > high):
            raise _Unsure
        if not value and not field.allow_empty:
            raise _Unsure
        return [child.run(item) for item in value]

    return step


class InputPlan:
    """The validation of one serializer class, as a list of steps per field."""

    def __init__(self, serializer: serializers.Serializer) -> None:
        if not isinstance(serializer, StrictInputSerializer) or serializer.validators:
            raise TypeError(f"{type(serializer).__name__}: no plan for this serializer")
        self._validate = serializer.validate
        self._steps: dict[str, Step] = {}
        self._required: set[str] = set()
        self._defaults: dict[str, serializers.Field] = {}
        for name, field in serializer.fields.items():
            if field.read_only or field.source != name:
                raise TypeError(f"{name}: no plan for read-only or renamed fields")
            self._steps[name] = self._step(serializer, name, field)
            if field.required:
                self._required.add(name)
            elif field.default is not empty:
                self._defaults[name] = field

    @staticmethod
    def _step(serializer: serializers.Serializer, name: str, field: serializers.Field) -> Step:
        if isinstance(field, serializers.ListSerializer):
            step = _list_step(field)
        elif isinstance(field, serializers.Serializer):
            step = InputPlan(field).run
        else:
            step = _field_step(field)
        validate_field = getattr(serializer, f"validate_{name}", None)
        if validate_field is None:
            return step

        def checked(value: Any) -> Any:
            try:
                return validate_field(step(value))
            except serializers.ValidationError:
                raise _Unsure from None

        return checked

    def run(self, data: Any) -> dict[str, Any]:
        """The validated data; raises _Unsure when the serializer has to decide."""
        if type(data) is not dict or not data.keys() <= self._steps.keys():
            raise _Unsure
        if not self._required <= data.keys():
            raise _Unsure
        attrs = {name: self._steps[name](value) for name, value in data.items()}
        for name, field in self._defaults.items():
            if name not in attrs:
                attrs[name] = field.get_default()
        try:
            return self._validate(attrs)  # type: ignore[no-any-return]
        except serializers.ValidationError:
            raise _Unsure from None

    def validated(self, data: Any) -> dict[str, Any] | None:
        """The validated data, or None when the serializer has to decide."""
        try:
            return self.run(data)
        except _Unsure:
            return None


class PlannedInput:
    """A serializer class with its plan, built once (at import time, so that a serializer
    the plan cannot follow fails loudly at start-up rather than on a request)."""

    def __init__(self, serializer_class: type[serializers.Serializer]) -> None:
        self.serializer_class = serializer_class
        self.plan = InputPlan(serializer_class())

    def validated(self, data: Any) -> dict[str, Any]:
        """What `serializer_class(data=data)` validates to; its ValidationError (a 400)
        when it refuses the data."""
        attrs = self.plan.validated(data)
        if attrs is None:
            serializer = self.serializer_class(data=data)
            serializer.is_valid(raise_exception=True)
            attrs = serializer.validated_data
        return attrs
