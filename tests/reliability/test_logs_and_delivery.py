"""What the logs of a whole journey contain, and sign-up deliveries under stress."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import redis
from django.utils import timezone
from rest_framework_api_key.models import APIKey

from backend.accounts.identifiers import identifier_hash
from backend.accounts.models import Employee
from knowledge.models import Category
from knowledge.services.articles import article_create, article_publish
from referrals.models import Signup
from tests.concurrency import run_concurrently
from tests.reliability.fixtures import PRODUCTION_PASSWORD, credentials
from tests.reliability.proxy import FaultyLink
from tests.reliability.servers import AppServer, database_url

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

FRIEND_EMAIL = "Vriendin.Sanne@Example.com"
FRIEND_PHONE = "06 9876 5432"


def signup(external_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "customer": {"email": f"{external_id.lower()}@example.com"},
        "sales_channel": "online",
        "is_new_customer": True,
        **extra,
    }


@pytest.fixture
def published_article(production_employee: Employee) -> str:
    category = Category.objects.create(slug="plans", name_nl="Abonnementen", name_en="Plans")
    article = article_create(
        editor=None,
        language="nl",
        title="eSIM activeren",
        summary="In drie stappen.",
        friend_text="Open de app en kies eSIM.",
        category=category,
    )
    return article_publish(article=article, editor=None).slug


@pytest.fixture
def api_key() -> str:
    return APIKey.objects.create_key(name="crm")[1]


def test_the_logs_of_a_whole_journey_hold_no_secret_and_no_friend_data(
    start_server: Callable[..., AppServer],
    production_employee: Employee,
    published_article: str,
    api_key: str,
) -> None:
    server = start_server(env={"LOG_LEVEL": "DEBUG"})
    sign_up_system = {"Authorization": f"Api-Key {api_key}"}

    tokens = server.post("/api/v1/auth/token/", json=credentials(production_employee)).json()
    auth = {"Authorization": f"Bearer {tokens['access']}"}
    server.post("/api/v1/auth/token/", json={**credentials(production_employee), "password": "x"})
    assert server.get("/api/v1/knowledge/articles/?q=esim", headers=auth).status_code == 200
    me = server.get("/api/v1/me/", headers=auth).json()
    share = server.post(
        "/api/v1/referrals/shares/",
        json={"article": published_article, "channel": "whatsapp"},
        headers=auth,
    ).json()
    assert server.get(f"/s/{share['token']}").status_code == 200
    assert server.get(f"/api/v1/public/shares/{share['token']}/").status_code == 200
    server.post(f"/api/v1/public/shares/{share['token']}/feedback/", json={"helpful": True})
    assert server.get("/s/not-a-real-token-123").status_code == 404
    friend = signup(
        "ORD-7001",
        share_token=share["token"],
        code=me["personal_code"],
        customer={"email": FRIEND_EMAIL, "phone": FRIEND_PHONE},
    )
    assert server.post("/api/v1/signups/", json=friend, headers=sign_up_system).status_code == 201
    bad = signup("ORD-7002", customer={"email": "sanne-at-example"})
    assert server.post("/api/v1/signups/", json=bad, headers=sign_up_system).status_code == 400
    server.post(
        "/api/v1/signups/ORD-7001/activate/",
        json={"activated_at": timezone.now().isoformat()},
        headers=sign_up_system,
    )
    assert server.get("/api/v1/referrals/impact/", headers=auth).status_code == 200
    refreshed = server.post("/api/v1/auth/token/refresh/", json={"refresh": tokens["refresh"]})
    server.post(
        "/api/v1/auth/logout/",
        json={"refresh": refreshed.json()["refresh"]},
        headers={"Authorization": f"Bearer {refreshed.json()['access']}"},
    )

    log = server.log_text()
    secrets = {
        "password": PRODUCTION_PASSWORD,
        "access token": tokens["access"],
        "refresh token": tokens["refresh"],
        "rotated refresh token": refreshed.json()["refresh"],
        "API key": api_key,
        "share token": share["token"],
        "unknown share token": "not-a-real-token-123",
        "referral code": me["personal_code"],
        "friend email": FRIEND_EMAIL,
        "friend email, normalised": FRIEND_EMAIL.lower(),
        "friend phone": FRIEND_PHONE,
        "friend phone, normalised": "+31698765432",
        "friend email hash": identifier_hash("email", FRIEND_EMAIL),
        "malformed friend email": "sanne-at-example",
        "search words": "q=esim",
    }
    leaked = [name for name, value in secrets.items() if value.lower() in log.lower()]
    assert leaked == []
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    requests = [r for r in records if r["logger"] == "backend.access"]
    assert len(requests) >= 15
    assert all(r["request_id"] != "-" and r["route"] is not None for r in requests[:-1])
    assert {"/s/<str:token>", "api/v1/signups/"} & {r["route"] for r in requests}


def test_the_same_delivery_to_two_instances_at_once_is_stored_once(
    start_server: Callable[..., AppServer], api_key: str
) -> None:
    redis.Redis.from_url("redis://127.0.0.1:6379/11").flushdb()
    env = {"REDIS_URL": "redis://127.0.0.1:6379/11"}
    servers = [start_server(env=env), start_server(env=env)]
    headers = {"Authorization": f"Api-Key {api_key}"}

    for round_number in range(5):
        payload = signup(f"ORD-80{round_number:02d}")
        responses = run_concurrently(
            lambda index, body=payload: servers[index % 2].post(
                "/api/v1/signups/", json=body, headers=headers
            ),
            6,
        )
        assert sorted(r.status_code for r in responses) == [200] * 5 + [201]
        assert len({json.dumps(r.json(), sort_keys=True) for r in responses}) == 1
        assert Signup.objects.filter(external_id=payload["external_id"]).count() == 1


def test_a_batch_cut_off_midway_leaves_nothing_and_can_be_replayed(
    start_server: Callable[..., AppServer],
    faulty_link: Callable[[str, int], FaultyLink],
    api_key: str,
) -> None:
    link = faulty_link("127.0.0.1", 5432)
    server = start_server(env={"DATABASE_URL": database_url(port=link.port)}, workers=1)
    headers = {"Authorization": f"Api-Key {api_key}"}

    # Cut the database link at moments spread over the request's life (authentication,
    # validation, writing, answering): whatever the moment, a batch is stored whole or not
    # at all. A cut just after the commit loses only the answer: the sender sees a 503
    # for a batch that is stored, and its replay then reports every item as replayed.
    interrupted: list[tuple[dict[str, Any], int]] = []
    for attempt, delay in enumerate((0.05, 0.15, 0.3, 0.45, 0.6, 0.9)):
        batch = {"items": [signup(f"B{attempt}-{n:04d}") for n in range(1000)]}
        outcome: dict[str, Any] = {}
        sender = threading.Thread(
            target=lambda body=batch, out=outcome: out.update(
                response=server.post("/api/v1/signups/batch/", json=body, headers=headers)
            )
        )
        sender.start()
        time.sleep(delay)
        link.cut()
        sender.join(30)
        link.restore()
        stored = Signup.objects.filter(external_id__startswith=f"B{attempt}-").count()
        status = outcome["response"].status_code
        assert status in (200, 503), f"cut at {delay}s: {status}"
        assert stored in (0, 1000), f"cut at {delay}s: {stored} of 1000 items stored"
        if status == 200:
            assert stored == 1000
        else:
            assert outcome["response"].json()["code"] == "service_unavailable"
            interrupted.append((batch, stored))
    assert interrupted, "no delivery was interrupted"

    # Prefer a batch that was lost whole: its replay must store it now.
    batch, stored_before = next((i for i in interrupted if not i[1]), interrupted[-1])
    replay = None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        replay = server.post("/api/v1/signups/batch/", json=batch, headers=headers)
        if replay.status_code != 503:
            break
        time.sleep(0.3)

    assert replay is not None
    assert replay.status_code == 200, replay.text[:500]
    expected = "replayed" if stored_before else "created"
    assert [item["outcome"] for item in replay.json()] == [expected] * 1000
    prefix = batch["items"][0]["external_id"][:3]
    assert Signup.objects.filter(external_id__startswith=prefix).count() == 1000
