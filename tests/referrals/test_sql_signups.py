"""The written-out statements of sign-up ingestion (`referrals.sql`), one test each."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from referrals.models import Attribution, LiveCustomer, Signup
from referrals.sql import ids_draw, rows_copy


def _signup(external_id: str, **fields: object) -> Signup:
    values: dict[str, object] = {
        "source": "crm",
        "external_id": external_id,
        "occurred_at": timezone.now(),
        "sales_channel": "online",
        "is_new_customer": True,
        "payload_hash": "0" * 64,
        **fields,
    }
    return Signup(**values)


def test_ids_draw_gives_new_ascending_ids_the_table_never_hands_out_again(db: None) -> None:
    drawn = ids_draw(model=Signup, count=3)
    later = _signup("after")
    later.save()

    assert drawn == sorted(drawn)
    assert len(set(drawn)) == 3
    assert later.pk > max(drawn)


def test_rows_copy_stores_complete_instances_as_bulk_create_would(db: None) -> None:
    assert connection.vendor == "postgresql"
    [pk] = ids_draw(model=Signup, count=1)
    signup = _signup("copied", pk=pk, email_hash="e" * 64, product="Sim Only")

    rows_copy(model=Signup, instances=[signup])

    stored = Signup.objects.get(pk=pk)
    assert (stored.external_id, stored.email_hash, stored.product) == (
        "copied",
        "e" * 64,
        "Sim Only",
    )
    assert stored.occurred_at == signup.occurred_at
    assert stored.activated_at is None


def test_rows_copy_writes_json_fields_and_lets_the_table_draw_missing_ids(db: None) -> None:
    signup = _signup("traced")
    signup.save()
    [pk] = ids_draw(model=Attribution, count=1)
    trace = [{"rule": "referrer", "result": "fail", "detail": "neither"}]
    attribution = Attribution(
        pk=pk, signup=signup, status="pending", trace=trace, review_signals=["velocity"]
    )

    rows_copy(model=Attribution, instances=[attribution])
    rows_copy(
        model=LiveCustomer,
        instances=[LiveCustomer(value_hash="h" * 64, kind="email", attribution=attribution)],
    )

    stored = Attribution.objects.get(pk=pk)
    assert (stored.trace, stored.review_signals, stored.version) == (trace, ["velocity"], 1)
    assert LiveCustomer.objects.get(attribution=stored).value_hash == "h" * 64
