from __future__ import annotations

import pytest
from django.http import QueryDict
from rest_framework import serializers

from backend.api.serializers import QueryParamsSerializer, StrictInputSerializer


class Item(StrictInputSerializer):
    count = serializers.IntegerField()


class Example(StrictInputSerializer):
    name = serializers.CharField(required=False)
    flag = serializers.BooleanField(required=False)
    count = serializers.IntegerField(required=False)
    ratio = serializers.FloatField(required=False)
    kind = serializers.ChoiceField(choices=["a", "b"], required=False)
    level = serializers.ChoiceField(choices=[1, 2], required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    items = Item(many=True, required=False)
    note = serializers.CharField(required=False, allow_null=True)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"name": 12}, "name", "Must be a string."),
        ({"flag": 0}, "flag", "Must be a boolean."),
        ({"flag": "true"}, "flag", "Must be a boolean."),
        ({"count": "5"}, "count", "Must be an integer."),
        ({"count": True}, "count", "Must be an integer, not a boolean."),
        ({"ratio": "0.5"}, "ratio", "Must be a number."),
        ({"kind": 1}, "kind", "Must be a string."),
        ({"level": "1"}, "level", "Must be an integer."),
        ({"tags": "a,b"}, "tags", "Must be a list."),
        ({"tags": ["a", 2]}, "tags", "Every item must be a string."),
        ({"items": {"count": 1}}, "items", "Must be a list."),
    ],
)
def test_values_of_the_wrong_json_type_are_refused(payload: dict, field: str, message: str) -> None:
    serializer = Example(data=payload)

    assert not serializer.is_valid()
    assert serializer.errors == {field: [message]}
    assert serializer.errors[field][0].code == "invalid_type"


def test_nested_items_are_checked_too() -> None:
    serializer = Example(data={"items": [{"count": 1}, {"count": "2"}]})

    assert not serializer.is_valid()
    assert serializer.errors == {"items": {1: {"count": ["Must be an integer."]}}}


def test_values_of_the_right_type_pass_unchanged() -> None:
    payload = {
        "name": "x",
        "flag": False,
        "count": 3,
        "ratio": 1,
        "kind": "a",
        "level": 2,
        "tags": ["a"],
        "items": [{"count": 1}],
        "note": None,
    }
    serializer = Example(data=payload)

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["ratio"] == 1.0
    assert serializer.validated_data["note"] is None


class Filters(QueryParamsSerializer):
    lang = serializers.ChoiceField(choices=["nl", "en"], required=False)
    category = serializers.SlugField(max_length=10, required=False)
    since = serializers.DateTimeField(required=False)


def test_query_parameter_serializers_each_have_their_own_bound_fields() -> None:
    first = Filters(data=QueryDict("lang=nl&category=data"))
    second = Filters(data=QueryDict("lang=fr&category=te-lang-voor-dit"))

    assert first.is_valid(), first.errors
    assert not second.is_valid()
    assert first.validated_data == {"lang": "nl", "category": "data"}
    assert {name: [e.code for e in errors] for name, errors in second.errors.items()} == {
        "lang": ["invalid_choice"],
        "category": ["max_length"],
    }
    for name in ("lang", "category", "since"):
        assert first.fields[name] is not second.fields[name]
        assert (first.fields[name].parent, second.fields[name].parent) == (first, second)
        assert Filters._declared_fields[name].parent is None  # the declaration stays unbound
