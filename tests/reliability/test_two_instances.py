"""Two app servers sharing PostgreSQL and Redis behave as one service."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import redis

from backend.accounts.models import Employee
from knowledge.models import Category
from knowledge.services.articles import article_create, article_publish, article_update
from tests.reliability.fixtures import credentials
from tests.reliability.servers import AppServer

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/11"
URL = "/api/v1/knowledge/articles/"


@pytest.fixture
def two_servers(start_server: Callable[..., AppServer]) -> tuple[AppServer, AppServer]:
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {"REDIS_URL": REDIS_URL, "LOGIN_THROTTLE_RATE": "4/hour"}
    first, second = start_server(env=env), start_server(env=env)
    assert first.port != second.port
    return first, second


def test_login_throttle_is_global_across_instances(
    two_servers: tuple[AppServer, AppServer], production_employee: Employee
) -> None:
    first, second = two_servers
    wrong = {**credentials(production_employee), "password": "wrong"}

    statuses = [
        server.post("/api/v1/auth/token/", json=wrong).status_code
        for server in (first, second, first, second, first, second)
    ]

    assert statuses == [401, 401, 401, 401, 429, 429]


def test_an_edit_is_found_on_every_app_server_within_five_seconds(
    two_servers: tuple[AppServer, AppServer],
    production_employee: Employee,
    editor: Employee,
) -> None:
    category = Category.objects.create(slug="voicemail", name_nl="Voicemail", name_en="Voicemail")
    article = article_publish(
        article=article_create(
            editor=editor,
            language="nl",
            title="Voicemail instellen",
            summary="Zo zet je voicemail aan.",
            friend_text="Bel 1233 en volg de stappen.",
            body="Uitleg.",
            category=category,
        ),
        editor=editor,
    )
    headers = {}
    for server in two_servers:
        token = server.post("/api/v1/auth/token/", json=credentials(production_employee))
        headers[server.port] = {"Authorization": f"Bearer {token.json()['access']}"}

    def found(server: AppServer, q: str) -> list[str]:
        response = server.get(URL, params={"q": q}, headers=headers[server.port])
        assert response.status_code == 200, response.text
        return [item["slug"] for item in response.json()["results"]]

    # Each server built its own index from the database before answering.
    assert [found(server, "voicemail") for server in two_servers] == [[article.slug]] * 2
    assert [found(server, "wachtwoord") for server in two_servers] == [[], []]

    article_update(
        article=article,
        editor=editor,
        data={"title": "Voicemail wachtwoord vergeten"},
        expected_revision=None,
    )
    edited = time.monotonic()
    seen_after: dict[int, float] = {}
    while len(seen_after) < 2 and time.monotonic() - edited < 10:
        for server in two_servers:
            if server.port not in seen_after and found(server, "wachtwoord") == [article.slug]:
                seen_after[server.port] = time.monotonic() - edited
        time.sleep(0.1)

    assert sorted(seen_after) == sorted(server.port for server in two_servers)
    assert max(seen_after.values()) < 5, seen_after
