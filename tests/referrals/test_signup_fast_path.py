"""Well-formed sign-ups skip DRF's nested serializers (for speed). The fast path must
accept exactly what the serializers accept, with the same validated data, and leave
everything else to them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from referrals.apis.signups import SignupBatchApi, SignupItemSerializer, _fast_batch, _fast_item
from tests.referrals.conftest import signup_payload


def _serializer_result(data: Any) -> dict[str, Any] | None:
    serializer = SignupItemSerializer(data=data)
    return dict(serializer.validated_data) if serializer.is_valid() else None


def _variants() -> list[Any]:
    base = signup_payload(code="7KD3M-QX2A7", phone="+31612345678", account="AB-123")
    future = (timezone.now() + timedelta(days=1)).isoformat()
    changed: list[dict[str, Any]] = [
        {},
        {"code": ""},
        {"share_token": "abc"},
        {"product": ""},
        {"external_id": " padded "},
        {"external_id": "has space"},
        {"external_id": "x" * 101},
        {"code": "é"},
        {"code": "x" * 33},
        {"product": "nul\x00byte"},
        {"sales_channel": "shop"},
        {"sales_channel": ["online"]},
        {"is_new_customer": "true"},
        {"is_new_customer": 1},
        {"occurred_at": "yesterday"},
        {"occurred_at": future},
        {"occurred_at": "2026-01-01 10:00"},
        {"customer": {}},
        {"customer": {"email": "not-an-email"}},
        {"customer": {"phone": "12"}},
        {"customer": {"email": " spaced@example.com "}},
        {"customer": {"email": "a@example.com", "fax": "1"}},
        {"customer": {"email": 5}},
        {"customer": "a@example.com"},
        {"status": "confirmed"},
    ]
    variants: list[Any] = [None, [], "text", *({**base, **change} for change in changed)]
    without_optional = {
        k: v for k, v in base.items() if k not in {"code", "share_token", "product"}
    }
    variants.append(without_optional)
    return variants


@pytest.mark.parametrize("data", _variants())
def test_the_fast_path_accepts_what_the_serializer_accepts_and_nothing_else(
    db: None, data: Any
) -> None:
    expected = _serializer_result(data)
    fast = _fast_item(data)

    if expected is None:
        assert fast is None
    elif fast is not None:  # anything the fast path takes, it takes exactly as the serializer
        assert fast == expected


def test_plain_well_formed_items_take_the_fast_path(db: None) -> None:
    item = signup_payload(code="7KD3M-QX2A7", phone="+31612345678")

    assert _fast_item(item) == _serializer_result(item)
    assert _fast_item(item) is not None


def test_a_batch_with_a_repeated_id_goes_to_the_serializer_for_its_error(db: None) -> None:
    item = signup_payload()
    serializer = SignupBatchApi.InputSerializer(data={"items": [item, item]})

    assert _fast_batch({"items": [item, item]}) is None
    assert not serializer.is_valid()
    assert serializer.errors["items"][0].code == "duplicate_external_id"
