from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from backend.accounts.identifiers import identifier_hash
from backend.accounts.models import Employee
from referrals.models import Attribution, Share
from referrals.services.signups import SignupInput, signups_ingest
from tests.referrals.conftest import make_article, personal_code  # noqa: F401

_numbers = itertools.count(1)

Ingest = Callable[..., Attribution]


def ingest(
    *,
    code: str = "",
    share_token: str = "",
    email: str | None = None,
    phone: str | None = None,
    occurred_at: datetime | None = None,
    sales_channel: str = "online",
    is_new_customer: bool = True,
    external_id: str | None = None,
) -> Attribution:
    """One sign-up through the real ingestion service; returns its attribution."""
    number = next(_numbers)
    hashes = {"email": identifier_hash("email", email or f"ops-friend{number}@example.com")}
    if phone:
        hashes["phone"] = identifier_hash("phone", phone)
    [result] = signups_ingest(
        source="crm",
        items=[
            SignupInput(
                external_id=external_id or f"OPS-{number:06d}",
                occurred_at=occurred_at or timezone.now() - timedelta(minutes=5),
                sales_channel=sales_channel,
                is_new_customer=is_new_customer,
                customer_hashes=hashes,
                code=code,
                share_token=share_token,
                product="Sim Only 10GB",
            )
        ],
    )
    assert result.signup is not None
    return Attribution.objects.select_related("signup").get(signup=result.signup)


@pytest.fixture
def referred_by(db: None) -> Callable[..., Attribution]:
    """`referred_by(employee, **fields)`: a sign-up typed with the employee's code."""

    def make(employee: Employee, **fields: Any) -> Attribution:
        return ingest(code=personal_code(employee).code, **fields)

    return make


def make_share(employee: Employee, **fields: Any) -> Share:
    # A link exists before the sign-ups it is credited for.
    fields.setdefault("created_at", timezone.now() - timedelta(hours=1))
    return Share.objects.create(
        token=f"ops{next(_numbers):08d}xxxxxxxxxxxxx",
        employee=employee,
        code=personal_code(employee),
        channel=fields.pop("channel", "whatsapp"),
        **fields,
    )


def decide(client: Any, attribution: Attribution, **body: Any) -> Any:
    body.setdefault("version", attribution.version)
    body.setdefault("reason", "Checked with the store manager.")
    return client.post(f"/api/v1/ops/attributions/{attribution.pk}/decide/", body, format="json")
