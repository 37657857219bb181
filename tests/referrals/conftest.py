from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from backend.accounts.models import Employee
from knowledge.models import Article
from referrals.models import Campaign, ReferralCode, Share
from referrals.services.shares import Visitor, visit_record
from referrals.sql import public_share_get

_slugs = itertools.count(1)
_ids = itertools.count(1)


@pytest.fixture
def make_article(db: None) -> Callable[..., Article]:
    def make(**fields: Any) -> Article:
        number = next(_slugs)
        values = {
            "slug": f"answer-{number}",
            "language": "nl",
            "title": f"Zo zet je eSIM aan ({number})",
            "summary": "eSIM activeren in drie stappen.",
            "friend_text": "Open de app, kies eSIM en scan de QR-code. Klaar!",
            "body": "Intern: controleer eerst of het toestel eSIM ondersteunt.",
            "status": "published",
            **fields,
        }
        return Article.objects.create(**values)

    return make


@pytest.fixture
def article(make_article: Callable[..., Article]) -> Article:
    return make_article()


@pytest.fixture
def answer_share(employee: Employee, make_article: Callable[..., Article]) -> Share:
    """A Dutch answer shared with the employee's personal code."""
    article = make_article(
        title="Bellen in het buitenland",
        summary="Binnen de EU bel je zonder extra kosten.",
        friend_text="Binnen de EU betaal je niets extra.",
    )
    return Share.objects.create(
        token="experience-token-00001",
        employee=employee,
        code=personal_code(employee),
        article=article,
        channel="whatsapp",
    )


@pytest.fixture
def english_translation(answer_share: Share, make_article: Callable[..., Article]) -> Article:
    source = answer_share.article
    assert source is not None
    return make_article(
        language="en",
        title="Calling abroad",
        summary="No extra cost inside the EU.",
        friend_text="Within the EU you pay nothing extra.",
        translation_group=source.translation_group,
        translation_source=source,
        translation_source_revision=source.content_revision,
    )


@pytest.fixture
def running_campaign(db: None) -> Campaign:
    return Campaign.objects.create(
        name="Zomer",
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=30),
        friend_perk_nl="Eerste maand gratis",
        friend_perk_en="First month free",
    )


def visit(share: Share, *, visitor_hash: str, day: date | None = None) -> None:
    """A friend opens `share`, as the landing page records it."""
    shared = public_share_get(token=share.token)
    assert shared is not None
    visit_record(
        share=shared, visitor=Visitor(day=day or timezone.localdate(), visitor_hash=visitor_hash)
    )


def personal_code(employee: Employee) -> ReferralCode:
    return ReferralCode.objects.get(owner=employee, is_personal=True, revoked_at__isnull=True)


def signup_client(name: str = "crm") -> APIClient:
    _, key = APIKey.objects.create_key(name=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def crm(db: None) -> APIClient:
    """The sign-up system, holding a real API key for source `crm`."""
    return signup_client("crm")


def signup_payload(
    *,
    code: str = "",
    share_token: str = "",
    occurred_at: datetime | None = None,
    email: str | None = None,
    phone: str | None = None,
    account: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A valid sign-up as the sign-up system sends it; a fresh customer unless told."""
    number = next(_ids)
    customer = {"email": email or f"friend{number}@example.com"}
    if phone:
        customer["phone"] = phone
    if account:
        customer["account"] = account
    payload = {
        "external_id": f"ORD-{number:06d}",
        "occurred_at": (occurred_at or timezone.now() - timedelta(minutes=5)).isoformat(),
        "code": code,
        "share_token": share_token,
        "customer": customer,
        "product": "Sim Only 10GB",
        "sales_channel": "online",
        "is_new_customer": True,
    }
    payload.update(fields)
    return payload
