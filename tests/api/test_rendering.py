from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from rest_framework import serializers

from backend.api.rendering import RecordSerializer, render, render_many


class Inner(serializers.Serializer):
    slug = serializers.CharField()


class Outer(serializers.Serializer):
    title = serializers.CharField()
    at = serializers.DateTimeField()
    inner = Inner(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    label = serializers.CharField(source="inner.slug", default=None)


def _item(title: str, inner: str | None) -> SimpleNamespace:
    return SimpleNamespace(
        title=title,
        at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        inner=None if inner is None else SimpleNamespace(slug=inner),
        tags=["a", "b"],
    )


def test_render_gives_what_the_serializer_data_gives() -> None:
    for item in (_item("one", "x"), _item("two", None)):
        assert render(Outer, item) == Outer(item).data


def test_render_many_gives_what_many_true_gives() -> None:
    items = [_item("one", "x"), _item("two", None), _item("three", "z")]

    assert render_many(Outer, items) == Outer(items, many=True).data


def test_the_serializer_is_built_once_per_class(monkeypatch: pytest.MonkeyPatch) -> None:
    class Counted(serializers.Serializer):
        title = serializers.CharField()

    built: list[int] = []
    original = Counted.get_fields

    def counting(self: Counted) -> dict:
        built.append(1)
        return original(self)

    monkeypatch.setattr(Counted, "get_fields", counting)

    render_many(Counted, [SimpleNamespace(title="a")] * 3)
    render(Counted, SimpleNamespace(title="b"))

    assert len(built) == 1


def test_a_serializer_that_reads_the_request_context_fails_loudly() -> None:
    class NeedsRequest(serializers.Serializer):
        who = serializers.SerializerMethodField()

        def get_who(self, obj: object) -> str:
            return self.context["request"].user

    with pytest.raises(KeyError):
        render(NeedsRequest, SimpleNamespace())


class Record(RecordSerializer):
    title = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField(allow_null=True)


def test_a_record_serializer_gives_what_drf_gives() -> None:
    class Plain(serializers.Serializer):
        title = serializers.CharField()
        at = serializers.DateTimeField()
        note = serializers.CharField(allow_null=True)

    item = SimpleNamespace(title="one", at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC), note=None)

    assert render(Record, item) == Plain(item).data == Record(item).data


def test_a_record_serializer_refuses_a_source_that_is_not_one_attribute() -> None:
    class Dotted(RecordSerializer):
        slug = serializers.CharField(source="inner.slug")

    with pytest.raises(TypeError, match=r"Dotted\.slug: not one attribute"):
        render(Dotted, _item("one", "x"))
