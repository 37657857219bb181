from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from referrals.models import (
    Attribution,
    AttributionStatus,
    Campaign,
    ReferralCode,
    Share,
    Signup,
    Visit,
)


@pytest.mark.django_db
def test_seed_demo_adds_referrals_in_every_status_once() -> None:
    first, second = StringIO(), StringIO()

    call_command("seed_demo", "--i-know-this-is-not-production", stdout=first)
    snapshot = Signup.objects.count(), Share.objects.count(), Visit.objects.count()
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=second)

    assert "referrals: 14 sign-ups created" in first.getvalue()
    assert "sign-up API key" in first.getvalue()
    assert "referrals: 0 sign-ups created" in second.getvalue()
    assert (Signup.objects.count(), Share.objects.count(), Visit.objects.count()) == snapshot
    assert set(Attribution.objects.values_list("status", flat=True)) == set(
        AttributionStatus.values
    )
    assert Campaign.objects.exists()
    assert ReferralCode.objects.filter(is_personal=False).exists()
    assert Visit.objects.count() >= 5
