"""The whole journey, over HTTP, exactly as the product promises it."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from referrals.models import Visit


def knowledge_detail_available(slug: str) -> bool:
    try:
        resolve(f"/api/v1/knowledge/articles/{slug}/")
    except Resolver404:
        return False
    return True


def test_help_a_friend_and_see_it_count(
    employee: Employee,
    employee_client: APIClient,
    crm: APIClient,
    make_article,
    monkeypatch: pytest.MonkeyPatch,
    settings,
) -> None:
    settings.SIGNUP_URL = "https://shop.example/aanmelden"
    answer = make_article(
        slug="esim-overstappen",
        title="Overstappen naar eSIM",
        friend_text="In de app: Instellingen → eSIM → Activeer. Je nummer blijft hetzelfde.",
    )

    # 1. The employee finds the answer (by its slug) ...
    if knowledge_detail_available(answer.slug):
        found = employee_client.get(f"/api/v1/knowledge/articles/{answer.slug}/")
        assert found.status_code == 200
        assert found.json()["slug"] == answer.slug
    # ... and shares it.
    shared = employee_client.post(
        "/api/v1/referrals/shares/", {"article": answer.slug, "channel": "whatsapp"}
    )
    assert shared.status_code == 201
    link = urlparse(shared.json()["url"]).path

    # 2. The friend opens the link and sees the answer and the code.
    friend = Client(HTTP_USER_AGENT="Friend's phone")
    page = friend.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Je nummer blijft hetzelfde." in html
    assert Visit.objects.count() == 1
    call_to_action = unescape(re.search(r'id="signup" href="([^"]+)"', html)[1])
    carried = parse_qs(urlparse(call_to_action).query)
    assert carried["code"] == [employee_client.get("/api/v1/me/").json()["personal_code"]]

    # 3. The sign-up system reports the sign-up with the code the link carried.
    signup = {
        "external_id": "ORD-2026-000123",
        "occurred_at": timezone.now().isoformat(),
        "code": carried["code"][0],
        "share_token": carried["share"][0],
        "customer": {"email": "vriend@example.com", "phone": "0612345678"},
        "product": "Sim Only 20GB",
        "sales_channel": "online",
        "is_new_customer": True,
    }
    reported = crm.post("/api/v1/signups/", signup, format="json")
    assert reported.status_code == 201
    assert reported.json()["status"] == "pending"

    # 4. The attribution appears for the employee as pending, with the shared answer.
    mine = employee_client.get("/api/v1/referrals/attributions/").json()["results"]
    assert [(a["status"], a["article"]["slug"]) for a in mine] == [("pending", answer.slug)]

    # 5. Activation, then the daily finalisation after the withdrawal period, confirm it.
    activated = crm.post(
        f"/api/v1/signups/{signup['external_id']}/activate/",
        {"activated_at": timezone.now().isoformat()},
        format="json",
    )
    assert activated.status_code == 200
    out = StringIO()
    later = timezone.now() + timedelta(days=settings.WITHDRAWAL_DAYS, hours=1)
    with monkeypatch.context() as patch:
        patch.setattr("django.utils.timezone.now", lambda: later)
        call_command("finalize_attributions", stdout=out)
    assert out.getvalue().strip() == "confirmed=1"
    mine = employee_client.get("/api/v1/referrals/attributions/").json()["results"]
    assert mine[0]["status"] == "confirmed"

    # 6. The employee's impact shows it.
    impact = employee_client.get("/api/v1/referrals/impact/").json()
    assert impact["own"] == {
        "shares": 1,
        "answers_shared": 1,
        "friends_reached": 1,
        "signups_attributed": 1,
        "signups_confirmed": 1,
    }
    assert impact["milestones"] == {"reached": [1], "next": 5}
